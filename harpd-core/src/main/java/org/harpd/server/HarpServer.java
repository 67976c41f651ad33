package org.harpd.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.harpd.auth.AccessPolicy;
import org.harpd.auth.AuthThrottle;
import org.harpd.auth.Authenticator;
import org.harpd.logging.EventLog;
import org.harpd.metrics.Metrics;
import org.harpd.pool.CallExecutor;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.ProcedureCatalog;

/**
 * The TLS listener: accepts connections, reads one request each and hands calls to the {@link CallExecutor}.
 * Shutting down in order is the owner's job: {@link #stopAccepting()}, then close the executor (in-flight
 * calls are told {@code shutdown} through this server's connections), then {@link #close()}.
 */
public final class HarpServer implements AutoCloseable {
    private static final EventLog LOG = EventLog.get("harpd");
    /** Queued authentications beyond which new requests are told {@code overloaded}. */
    private static final int AUTH_QUEUE = 4096;
    private static final int BACKLOG = 1024;

    private final ServerSettings settings;
    private final SslContext sslContext;
    private final CallServices services;
    private final ThreadPoolExecutor authExecutor;
    private final EventLoopGroup acceptGroup = new NioEventLoopGroup(1, daemonThreads("harpd-accept"));
    /**
     * One event loop per core (Netty's default is two): the loops only run TLS and framing, never a call, so more
     * threads than cores add no throughput, while each thread binds its own pooled-buffer arena, whose 4 MiB
     * chunks stay allocated once touched: fewer loops, a lower listener peak under many clients.
     */
    private final EventLoopGroup ioGroup = new NioEventLoopGroup(Runtime.getRuntime().availableProcessors(),
            daemonThreads("harpd-io"));
    private final ConnectionLimit limit;
    private volatile Channel listener;

    /**
     * @param access       who may call what, once authenticated ({@link AccessPolicy#ALLOW_ALL} without an
     *                     {@code authorization:} section)
     * @param defaultUser  -u: user for procedures that name none, or null
     * @param defaultGroup -g: group for procedures that name none, or null
     * @param metrics      told of connections, authentication, refusals and calls ({@link Metrics#NONE} without a
     *                     {@code metrics:} section)
     */
    public HarpServer(ServerSettings settings, SslContext sslContext, Authenticator authenticator,
                      AccessPolicy access, ProcedureCatalog catalog, CallExecutor executor, IdRef defaultUser,
                      IdRef defaultGroup, Metrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        if (!sslContext.isServer()) {
            throw new IllegalArgumentException("a server SslContext is required");
        }
        this.authExecutor = new ThreadPoolExecutor(settings.authThreads(), settings.authThreads(),
                0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(AUTH_QUEUE), daemonThreads("harpd-auth"));
        this.services = new CallServices(authenticator, authExecutor, settings.authQueueDeadline(),
                new AuthThrottle(settings.authThrottle()), catalog, executor, defaultUser, defaultGroup, access,
                metrics);
        this.limit = new ConnectionLimit(settings.maxConnections());
    }

    /**
     * Binds the listening socket.
     *
     * @return the port bound (useful with port 0)
     * @throws IOException when the address cannot be bound
     */
    public synchronized int start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        InetSocketAddress address = settings.address() == null
                ? new InetSocketAddress(settings.port())
                : new InetSocketAddress(settings.address(), settings.port());
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve listen address " + settings.address());
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                // nothing is accepted before "listening" is logged: a client's "new client connected" comes after
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // so a client's half-close before its newline can still be answered
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new HarpChannelInitializer(settings, sslContext, limit, services));
        try {
            listener = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            // Netty rethrows the bind failure (a checked exception) unchecked
            throw new IOException("cannot listen on " + address.getHostString() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        LOG.info("listening on SSL socket", "address", bound.getAddress().getHostAddress(), "port", bound.getPort());
        listener.config().setAutoRead(true);
        return bound.getPort();
    }

    /** Closes the listening socket; connections already accepted carry on. */
    public void stopAccepting() {
        Channel channel = listener;
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }

    /** Stops accepting, closes every connection and releases the threads. Idempotent. */
    @Override
    public void close() {
        stopAccepting();
        authExecutor.shutdownNow();
        acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        acceptGroup.terminationFuture().syncUninterruptibly();
        ioGroup.terminationFuture().syncUninterruptibly();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        return new DefaultThreadFactory(prefix, true);
    }
}
