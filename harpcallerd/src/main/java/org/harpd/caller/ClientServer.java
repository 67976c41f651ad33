package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.harpd.logging.EventLog;

/**
 * The client protocol (plain TCP, one JSON request line per connection, JSON reply lines, then close).
 */
public final class ClientServer implements AutoCloseable {
    /** How often a job of another instance in an SQLite store is polled by followers and waiters. */
    static final long SHARED_POLL_MS = 250;
    /** Packets read from the store per round while following or reading a stream. */
    static final int PAGE = 1000;

    private static final EventLog LOG = EventLog.get("harpcallerd.client");
    private final Dispatcher dispatcher;
    private final List<Channel> listeners = new ArrayList<>();
    private final RequestReader reader;
    /** The authenticator of the configuration in force (rebuilt when a reload changes it). */
    private volatile Auth auth;

    private record Auth(CallerConfig config, ClientAuthenticator authenticator) {
    }

    public ClientServer(Dispatcher dispatcher) {
        this(dispatcher, CallerMetrics.NONE);
    }

    public ClientServer(Dispatcher dispatcher, CallerMetrics metrics) {
        this.dispatcher = dispatcher;
        this.reader = new RequestReader(this::handle, metrics);
    }

    /** Binds every listen address; the bound ports (for port 0) are returned in order. */
    public List<Integer> bind(List<CallerConfig.Listen> addresses, EventLoopGroup boss, EventLoopGroup workers)
            throws IOException {
        List<Integer> ports = new ArrayList<>();
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        reader.init(ch, dispatcher.config().limits());
                    }
                });
        for (CallerConfig.Listen l : addresses) {
            InetSocketAddress address = l.address() == null ? new InetSocketAddress(l.port())
                    : new InetSocketAddress(l.address(), l.port());
            try {
                Channel c = b.bind(address).sync().channel();
                listeners.add(c);
                ports.add(((InetSocketAddress) c.localAddress()).getPort());
            } catch (Exception e) {
                throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
            }
        }
        return ports;
    }

    @Override
    public void close() {
        for (Channel c : listeners) {
            c.close().syncUninterruptibly();
        }
    }

    private ClientAuthenticator authenticator() {
        CallerConfig c = dispatcher.config();
        Auth a = auth;
        if (a == null || a.config() != c) {
            a = new Auth(c, new ClientAuthenticator(c.clients()));
            auth = a;
        }
        return a.authenticator();
    }

    private void handle(ChannelHandlerContext ctx, ClientRequest request) throws RequestException {
        Channel ch = ctx.channel();
        InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
        ClientAuthenticator authenticator = authenticator();
        CallerConfig.Client client = null;
        if (authenticator.enabled()) {
            client = authenticator.identify(peer, request.token());
            if (client == null) {
                LOG.warn("client refused: not a configured client", "client_address", peer.getHostString(),
                        "client_port", peer.getPort(), "token", request.tokenSent());
                throw new RequestException("unauthorized", "not an authorised client");
            }
        }
        String clientName = client == null ? null : client.name();
        // a switch over the sealed Operation once the build's Java level has pattern switches
        ClientRequest.Operation op = request.operation();
        if (op instanceof ClientRequest.Invalid invalid) {
            throw new RequestException(invalid.message());
        } else if (op instanceof ClientRequest.Cancel cancel) {
            dispatcher.cancel(cancel.jobId(), clientName).whenComplete((v, e) ->
                    finish(ch, Json.object().put("cancelled", e == null && v)));
        } else if (op instanceof ClientRequest.GetResult get) {
            new Follower(ch, get.jobId(), clientName,
                    get.waitForEnd() ? Follower.Mode.WAIT_RESULT : Follower.Mode.RESULT_NOW, 0, -1).start();
        } else if (op instanceof ClientRequest.Status status) {
            status(ch, status.jobId(), clientName);
        } else if (op instanceof ClientRequest.ReadStream read) {
            new Follower(ch, read.jobId(), clientName, read.follow() ? Follower.Mode.FOLLOW : Follower.Mode.READ,
                    read.since(), read.recent()).start();
        } else if (op instanceof ClientRequest.Submit call) {
            submit(ch, call, client, peer);
        }
    }

    private void submit(Channel ch, ClientRequest.Submit call, CallerConfig.Client client, InetSocketAddress peer)
            throws RequestException {
        if (client != null) {
            String refusal = ClientAuthenticator.refusal(client, call.host(), call.procedure(), call.queueKey());
            if (refusal != null) {
                LOG.warn("call refused", "client", client.name(), "client_address", peer.getHostString(),
                        "host", call.host(), "procedure", call.procedure(), "reason", refusal);
                throw new RequestException("unauthorized", refusal);
            }
        }
        long quota = dispatcher.config().limits().maxStoreBytes();
        long used = dispatcher.store().usedBytes();
        if (quota > 0 && used > quota) {
            LOG.warn("submission refused: the job store is full", "used_bytes", used, "max_store_bytes", quota);
            throw new RequestException("storage_full", "the job store is full (limits.max_store_bytes); try again "
                    + "once old jobs are pruned");
        }
        long size = call.size();
        long maxJob = dispatcher.config().limits().maxJobBytes();
        if (size > maxJob) {
            throw new RequestException("too_large", "arguments and info take " + size + " bytes; "
                    + "limits.max_job_bytes is " + maxJob);
        }
        String clientName = client == null ? null : client.name();
        String clientAddress = peer.getHostString() + ":" + peer.getPort();
        dispatcher.submit(call, clientName, clientAddress).whenComplete((id, e) -> {
            if (e != null) {
                LOG.error("cannot store a job", "error", String.valueOf(e.getMessage()));
                finish(ch, Json.error("storage_error", "cannot store the job"));
            } else {
                LOG.info("job submitted", "job", id, "host", call.host(), "procedure", call.procedure(),
                        "client", clientName, "client_address", peer.getHostString(), "client_port", peer.getPort());
                finish(ch, Json.object().put("harpcaller", 1).put("job_id", id));
            }
        });
    }

    private void status(Channel ch, String id, String clientName) {
        dispatcher.store().job(id, clientName).whenComplete((job, e) -> {
            if (e != null) {
                LOG.error("cannot read a job record", "job", id, "error", String.valueOf(e.getCause()));
                finish(ch, Json.error("storage_error", "cannot read the job record"));
            } else if (job == null) {
                finish(ch, Json.error("invalid_jobid", "no such job"));
            } else {
                finish(ch, statusOf(job));
            }
        });
    }

    /** {@code get_status}'s reply (and {@code list}'s call and times). */
    static ObjectNode statusOf(JobStore.JobRecord job) {
        ObjectNode s = Json.object();
        ObjectNode call = s.putObject("call");
        call.put("host", job.host()).put("procedure", job.procedure())
                .set("arguments", Json.parseStored(job.arguments()));
        ObjectNode time = s.putObject("time");
        time.put("submit", job.submitMs() / 1000);
        if (job.startMs() == null) {
            time.putNull("start");
        } else {
            time.put("start", job.startMs() / 1000);
        }
        if (job.endMs() == null) {
            time.putNull("end");
        } else {
            time.put("end", job.endMs() / 1000);
        }
        s.set("info", Json.parseStored(job.info()));
        return s;
    }

    static void finish(Channel ch, JsonNode reply) {
        ch.writeAndFlush(RequestReader.line(reply)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * get_result, follow_stream and read_stream: reads the job's row, then its packets, from the store. The job's
     * row is read first: a job's packets are stored before its end, so an end seen means every packet is there.
     * Followers and waiters are woken by this dispatcher's stores, and on a shared PostgreSQL store by the
     * notifications of the other dispatchers' (LISTEN/NOTIFY, see {@link JobStore#listen}).
     */
    private final class Follower implements Runnable {
        enum Mode { RESULT_NOW, WAIT_RESULT, FOLLOW, READ }

        private final Channel ch;
        private final String id;
        private final String clientName;
        private final Mode mode;
        private long next;
        private final long recent;
        private final Object lock = new Object();
        private boolean reading;
        private boolean again;
        private boolean done;
        private boolean watching;

        Follower(Channel ch, String id, String clientName, Mode mode, long since, long recent) {
            this.ch = ch;
            this.id = id;
            this.clientName = clientName;
            this.mode = mode;
            this.next = since;
            this.recent = recent;
        }

        void start() {
            ch.closeFuture().addListener(f -> stop());
            if (mode == Mode.WAIT_RESULT || mode == Mode.FOLLOW) {
                watching = true;
                dispatcher.watch(id, this);
            }
            run();
        }

        private void stop() {
            synchronized (lock) {
                done = true;
            }
            if (watching) {
                dispatcher.unwatch(id, this);
            }
        }

        /** A wake-up: reads now, or once more after the read in progress. */
        @Override
        public void run() {
            synchronized (lock) {
                if (done) {
                    return;
                }
                if (reading) {
                    again = true;
                    return;
                }
                reading = true;
            }
            dispatcher.store().progress(id, clientName, next, recent,
                    mode == Mode.RESULT_NOW || mode == Mode.WAIT_RESULT ? 0 : PAGE).whenComplete((progress, e) -> {
                if (e != null) {
                    LOG.error("cannot read a job record", "job", id, "error", String.valueOf(e.getCause()));
                    finish(ch, Json.error("storage_error", "cannot read the job record"));
                    stop();
                    return;
                }
                boolean more = send(progress);
                boolean repeat;
                synchronized (lock) {
                    reading = false;
                    repeat = !done && (again || more);
                    again = false;
                }
                if (repeat) {
                    run();
                }
            });
        }

        /** Sends what a look at the store found. @return true when more is to be read at once */
        private boolean send(JobStore.Progress progress) {
            if (progress == null) {
                finish(ch, Json.error("invalid_jobid", "no such job"));
                stop();
                return false;
            }
            if (mode == Mode.RESULT_NOW || mode == Mode.WAIT_RESULT) {
                if (progress.ended()) {
                    finishText(progress.outcome());
                } else if (mode == Mode.RESULT_NOW) {
                    finish(ch, Json.object().put("no_result", true));
                    stop();
                } else {
                    pollIfElsewhere(progress.owner());
                }
                return false;
            }
            next = progress.from();
            for (JobStore.Packet p : progress.packets()) {
                ch.write(RequestReader.line("{\"packet\":" + p.n() + ",\"data\":" + p.data() + "}"));
                next = p.n() + 1;
            }
            ch.flush();
            if (progress.packets().size() == PAGE) {
                return true;
            }
            if (progress.ended()) {
                finishText(progress.outcome());
            } else if (mode == Mode.READ) {
                finish(ch, Json.object().put("continue", true));
                stop();
            } else {
                pollIfElsewhere(progress.owner());
            }
            return false;
        }

        private void finishText(String outcome) {
            ch.writeAndFlush(RequestReader.line(outcome)).addListener(ChannelFutureListener.CLOSE);
            stop();
        }

        /**
         * A job another instance holds, on SQLite (a file left by a dispatcher under another {@code instance}
         * name): nothing here or in the store tells of its changes. On PostgreSQL notifications do.
         */
        private void pollIfElsewhere(String owner) {
            if (!dispatcher.store().postgres() && !owner.equals(dispatcher.config().instance())) {
                dispatcher.later(this, SHARED_POLL_MS);
            }
        }
    }
}
