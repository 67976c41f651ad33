package org.harpd.caller;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.harpd.logging.EventLog;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The job database. Writes go through one thread that takes every write waiting and commits them in one
 * transaction (group commit), so each write's future completes only once it is durable; replies are sent from
 * those completions. Reads run on a small pool, each thread with its own connection.
 *
 * <p>SQLite runs in WAL mode, by default with {@code synchronous=FULL}: a commit is on disk when it returns
 * (with {@code synchronous = "normal"} it is in the operating system's hands, which survives a crash of the
 * dispatcher but not of the machine), and readers do not block the writer. The schema is created and upgraded by Flyway from {@code db/migration}.
 */
public final class JobStore implements AutoCloseable {
    /** A unit of work inside the writer's transaction. */
    @FunctionalInterface
    public interface Write<T> {
        T run(Connection c) throws SQLException;
    }

    /** A read on one of the reader connections. */
    @FunctionalInterface
    public interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private record Pending<T>(Write<T> write, CompletableFuture<T> done) {
        void runIn(Connection c, List<Runnable> completions) throws SQLException {
            T value = write.run(c);
            completions.add(() -> done.complete(value));
        }
    }

    private static final EventLog LOG = EventLog.get("harpcallerd.store");
    private static final int MAX_BATCH = 2000;
    private static final Pending<Void> STOP = new Pending<>(c -> null, new CompletableFuture<>());

    private final String url;
    private final Properties properties;
    private final boolean postgres;
    private final BlockingQueue<Pending<?>> writes = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final ExecutorService readers;
    private final ThreadLocal<Connection> readConnection = new ThreadLocal<>();
    private final List<Connection> readConnections = new ArrayList<>();
    private final Connection writeConnection;
    private volatile boolean closed;
    private volatile long usedBytes;
    private volatile Thread listener;
    /** Job ids whose change the writer's current transaction announces; writer thread only. */
    private final java.util.Set<String> notices = new java.util.LinkedHashSet<>();

    /** The PostgreSQL channel on which every change to a job (a packet, its end) is announced to all dispatchers. */
    static final String CHANNEL = "harpcallerd_jobs";

    private JobStore(String url, Properties properties, boolean postgres) throws SQLException {
        this.url = url;
        this.properties = properties;
        this.postgres = postgres;
        this.writeConnection = open();
        writeConnection.setAutoCommit(false);
        this.readers = Executors.newFixedThreadPool(postgres ? 4 : 2, r -> {
            Thread t = new Thread(r, "store-reader");
            t.setDaemon(true);
            return t;
        });
        this.writer = new Thread(this::writeLoop, "store-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens the store and brings its schema up to date.
     *
     * @param privateDir a directory only root can write, for SQLite's native library (instead of /tmp)
     */
    public static JobStore open(CallerConfig config, Path privateDir) throws SQLException, IOException {
        Properties p = new Properties();
        if (config.databaseUser() != null) {
            p.setProperty("user", config.databaseUser());
        }
        if (config.databasePassword() != null) {
            p.setProperty("password", config.databasePassword());
        }
        if (!config.postgres()) {
            Files.createDirectories(privateDir);
            Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
            System.setProperty("org.sqlite.tmpdir", privateDir.toString());
            p.setProperty("journal_mode", "WAL");
            p.setProperty("synchronous", config.syncEveryCommit() ? "FULL" : "NORMAL");
            p.setProperty("busy_timeout", "10000");
            p.setProperty("foreign_keys", "false");
        }
        Flyway.configure(JobStore.class.getClassLoader())
                .dataSource(config.databaseUrl(), config.databaseUser(), config.databasePassword())
                .locations("classpath:db/migration")
                .loggers("slf4j")
                .load()
                .migrate();
        return new JobStore(config.databaseUrl(), p, config.postgres());
    }

    public boolean postgres() {
        return postgres;
    }

    /** The store's size as last {@link #measure measured}; 0 before the first measurement. */
    public long usedBytes() {
        return usedBytes;
    }

    /**
     * Measures the space the jobs take, for {@code limits.max_store_bytes}: for SQLite the pages in use (the file
     * does not shrink when jobs are pruned; freed pages are reused), for PostgreSQL the database's size.
     */
    public CompletableFuture<Long> measure() {
        return read(c -> {
            long bytes;
            if (postgres) {
                bytes = count(c, "SELECT pg_database_size(current_database())");
            } else {
                bytes = (pragma(c, "page_count") - pragma(c, "freelist_count")) * pragma(c, "page_size");
            }
            usedBytes = bytes;
            return bytes;
        });
    }

    private static long pragma(Connection c, String name) throws SQLException {
        try (java.sql.Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA " + name)) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    private Connection open() throws SQLException {
        return DriverManager.getConnection(url, properties);
    }

    /** Queues a write; the future completes once it is committed (or fails with the cause). */
    public <T> CompletableFuture<T> write(Write<T> write) {
        CompletableFuture<T> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new SQLException("job store closed"));
            return done;
        }
        writes.add(new Pending<>(write, done));
        return done;
    }

    /** Runs a read on a reader thread. */
    public <T> CompletableFuture<T> read(Read<T> read) {
        CompletableFuture<T> done = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                try {
                    done.complete(read.run(readerConnection()));
                } catch (Throwable e) {
                    dropReaderConnection();
                    done.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new SQLException("job store closed"));
        }
        return done;
    }

    /** A read on the calling thread (start-up, administration). */
    public <T> T readNow(Read<T> read) throws SQLException {
        try (Connection c = open()) {
            return read.run(c);
        }
    }

    private Connection readerConnection() throws SQLException {
        Connection c = readConnection.get();
        if (c == null || c.isClosed()) {
            c = open();
            c.setAutoCommit(true);
            synchronized (readConnections) {
                readConnections.add(c);
            }
            readConnection.set(c);
        }
        return c;
    }

    private void dropReaderConnection() {
        Connection c = readConnection.get();
        try {
            if (c != null && !c.isValid(2)) {
                c.close();
                readConnection.remove();
            }
        } catch (SQLException ignored) {
            readConnection.remove();
        }
    }

    private void writeLoop() {
        List<Pending<?>> batch = new ArrayList<>();
        while (true) {
            batch.clear();
            try {
                batch.add(writes.take());
            } catch (InterruptedException e) {
                return;
            }
            writes.drainTo(batch, MAX_BATCH - 1);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                commit(batch);
            }
            if (stop) {
                // later writes fail: nothing may be reported as stored that is not
                List<Pending<?>> rest = new ArrayList<>();
                writes.drainTo(rest);
                rest.forEach(p -> p.done().completeExceptionally(new SQLException("job store closed")));
                return;
            }
        }
    }

    private void commit(List<Pending<?>> batch) {
        List<Runnable> completions = new ArrayList<>(batch.size());
        try {
            for (Pending<?> p : batch) {
                p.runIn(writeConnection, completions);
            }
            sendNotices();
            writeConnection.commit();
            completions.forEach(Runnable::run);
            return;
        } catch (SQLException | RuntimeException e) {
            notices.clear();
            rollback();
            if (batch.size() == 1) {
                LOG.error("store write failed", "error", e.getMessage());
                batch.get(0).done().completeExceptionally(e);
                return;
            }
        }
        // One write spoiled the batch (or the store is failing): each on its own, so only the bad one fails.
        for (Pending<?> p : batch) {
            commit(List.of(p));
        }
    }

    private void rollback() {
        try {
            writeConnection.rollback();
        } catch (SQLException e) {
            LOG.error("store rollback failed", "error", e.getMessage());
        }
    }

    /** Locks a queue for the rest of the writer's transaction, across every dispatcher on a shared store. */
    void lockQueue(Connection c, String queueKey) throws SQLException {
        if (!postgres) {
            return; // one writer connection per SQLite file: the transaction is already exclusive
        }
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            s.setString(1, queueKey);
            s.executeQuery().close();
        }
    }

    /**
     * Inside a {@link Write} only: announces a change to a job (a packet stored, its end) to every dispatcher on a
     * shared PostgreSQL store. The job ids of a batch are sent in one statement just before its commit, and
     * PostgreSQL delivers a transaction's notifications when it commits, and only then. Nothing for SQLite: one
     * dispatcher per file.
     */
    void notifyChanged(String jobId) {
        if (postgres) {
            notices.add(jobId);
        }
    }

    /** Writer thread: the batch's notifications, inside its transaction. */
    private void sendNotices() throws SQLException {
        if (notices.isEmpty()) {
            return;
        }
        try (PreparedStatement s = writeConnection.prepareStatement(
                "SELECT pg_notify('" + CHANNEL + "', id) FROM unnest(?) AS t(id)")) {
            s.setArray(1, writeConnection.createArrayOf("text", notices.toArray()));
            s.executeQuery().close();
        } finally {
            notices.clear();
        }
    }

    /**
     * PostgreSQL only: listens for other dispatchers' {@link #notifyChanged} on a connection of its own, on a
     * thread of its own. {@code onNotice} gets the job id of each notification another dispatcher sent (this
     * one's own writes wake its waiters directly). {@code onListening} runs each time listening starts, the
     * first time and after a lost connection (reconnected every second): notifications sent meanwhile are lost,
     * so it must look again at whatever it waits for.
     */
    public void listen(Consumer<String> onNotice, Runnable onListening) throws SQLException {
        if (!postgres) {
            return;
        }
        int ownPid = writeConnection.unwrap(PGConnection.class).getBackendPID();
        listener = new Thread(() -> listenLoop(ownPid, onNotice, onListening), "store-listener");
        listener.setDaemon(true);
        listener.start();
    }

    private void listenLoop(int ownPid, Consumer<String> onNotice, Runnable onListening) {
        boolean lost = false;
        while (!closed) {
            try (Connection c = open(); Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute("LISTEN " + CHANNEL);
                if (lost) {
                    LOG.info("store notifications: listening again");
                }
                onListening.run();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notices = pg.getNotifications(1000);
                    if (notices == null) {
                        continue;
                    }
                    for (PGNotification n : notices) {
                        if (n.getPID() != ownPid) {
                            onNotice.accept(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("store notifications: connection lost, reconnecting", "error", String.valueOf(e.getMessage()));
                lost = true;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, values);
            return s.executeUpdate();
        }
    }

    static void bind(PreparedStatement s, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
                s.setNull(i + 1, java.sql.Types.VARCHAR);
            } else if (v instanceof Long l) {
                s.setLong(i + 1, l);
            } else if (v instanceof Integer n) {
                s.setInt(i + 1, n);
            } else {
                s.setString(i + 1, v.toString());
            }
        }
    }

    static Long nullableLong(ResultSet r, int column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    static long count(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, values);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (listener != null) {
            listener.interrupt(); // it sees closed within a second
        }
        writes.add(STOP);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readers.shutdown();
        try {
            readers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (readConnections) {
            for (Connection c : readConnections) {
                closeQuietly(c);
            }
        }
        closeQuietly(writeConnection);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing left to do with it
        }
    }
}
