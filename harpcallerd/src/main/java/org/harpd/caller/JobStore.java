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
    private interface Write<T> {
        T run(Connection c) throws SQLException;
    }

    /** A read on one of the reader connections. */
    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * @param operation its name for the metrics
     * @param asked     {@link System#nanoTime()} when it was asked for
     */
    private record Pending<T>(String operation, long asked, Write<T> write, CompletableFuture<T> done) {
        void runIn(Connection c, List<Runnable> completions) throws SQLException {
            T value = write.run(c);
            completions.add(() -> done.complete(value));
        }
    }

    private static final EventLog LOG = EventLog.get("harpcallerd.store");
    private static final int MAX_BATCH = 2000;
    private static final Pending<Void> STOP = new Pending<>("stop", 0, c -> null, new CompletableFuture<>());

    private final String url;
    private final CallerMetrics metrics;
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
    /** The writer connection's prepared statements by their SQL; writer thread only. */
    private final java.util.Map<String, PreparedStatement> writeStatements = new java.util.HashMap<>();
    /** Job ids whose change the writer's current transaction announces; writer thread only. */
    private final java.util.Set<String> notices = new java.util.LinkedHashSet<>();

    /** The PostgreSQL channel on which every change to a job (a packet, its end) is announced to all dispatchers. */
    static final String CHANNEL = "harpcallerd_jobs";
    /** The channel on which the queue of a job that ended (or went back to queued) is announced: a slot may be free. */
    static final String QUEUE_CHANNEL = "harpcallerd_queues";
    /** Queue keys the writer's current transaction announces on {@link #QUEUE_CHANNEL}; writer thread only. */
    private final java.util.Set<String> freedQueues = new java.util.LinkedHashSet<>();

    private JobStore(String url, Properties properties, boolean postgres, CallerMetrics metrics) throws SQLException {
        this.metrics = metrics;
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
        return open(config, privateDir, CallerMetrics.NONE);
    }

    /**
     * As {@link #open(CallerConfig, Path)}, reporting every write's latency to {@code metrics}.
     */
    public static JobStore open(CallerConfig config, Path privateDir, CallerMetrics metrics)
            throws SQLException, IOException {
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
        return new JobStore(config.databaseUrl(), p, config.postgres(), metrics);
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

    /**
     * Queues a write; the future completes once it is committed (or fails with the cause).
     *
     * @param operation its name for the metrics (from the request to the commit, the writer's queue included)
     */
    private <T> CompletableFuture<T> write(String operation, Write<T> write) {
        CompletableFuture<T> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new SQLException("job store closed"));
            return done;
        }
        writes.add(new Pending<>(operation, System.nanoTime(), write, done));
        return done;
    }

    /** Runs a read on a reader thread. */
    private <T> CompletableFuture<T> read(Read<T> read) {
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
    private <T> T readNow(Read<T> read) throws SQLException {
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
            // before the futures complete: whoever learns of a write from them finds it counted
            long now = System.nanoTime();
            batch.forEach(p -> metrics.storeWrite(p.operation(), now - p.asked(), true));
            completions.forEach(Runnable::run);
            return;
        } catch (SQLException | RuntimeException e) {
            notices.clear();
            freedQueues.clear();
            rollback();
            if (batch.size() == 1) {
                LOG.error("store write failed", "error", e.getMessage());
                Pending<?> p = batch.get(0);
                metrics.storeWrite(p.operation(), System.nanoTime() - p.asked(), false);
                p.done().completeExceptionally(e);
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
    private void lockQueue(Connection c, String queueKey) throws SQLException {
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
    private void notifyChanged(String jobId) {
        if (postgres) {
            notices.add(jobId);
        }
    }

    /**
     * Inside a {@link Write} only, PostgreSQL only: the job left {@code running} (or never ran), so its queue, if it
     * has one, may have a slot for another dispatcher's waiting job; announced with the batch's commit.
     */
    private void queueFreed(String jobId) throws SQLException {
        if (!postgres) {
            return;
        }
        PreparedStatement s = writeStatement("SELECT queue_key FROM jobs WHERE id = ?");
        s.setString(1, jobId);
        try (ResultSet r = s.executeQuery()) {
            if (r.next() && r.getString(1) != null) {
                freedQueues.add(r.getString(1));
            }
        }
    }

    /** Writer thread: the batch's notifications, inside its transaction. */
    private void sendNotices() throws SQLException {
        try {
            send(CHANNEL, notices);
            send(QUEUE_CHANNEL, freedQueues);
        } finally {
            notices.clear();
            freedQueues.clear();
        }
    }

    private void send(String channel, java.util.Set<String> payloads) throws SQLException {
        if (payloads.isEmpty()) {
            return;
        }
        try (PreparedStatement s = writeConnection.prepareStatement("SELECT pg_notify(?, p) FROM unnest(?) AS t(p)")) {
            s.setString(1, channel);
            s.setArray(2, writeConnection.createArrayOf("text", payloads.toArray()));
            s.executeQuery().close();
        }
    }

    /**
     * PostgreSQL only: listens for other dispatchers' {@link #notifyChanged} on a connection of its own, on a
     * thread of its own. {@code onQueueFreed} gets the queue key of each job another dispatcher ended (or put back
     * in its queue). {@code onNotice} gets the job id of each notification another dispatcher sent (this
     * one's own writes wake its waiters directly). {@code onListening} runs each time listening starts, the
     * first time and after a lost connection (reconnected every second): notifications sent meanwhile are lost,
     * so it must look again at whatever it waits for.
     */
    public void listen(Consumer<String> onNotice, Consumer<String> onQueueFreed, Runnable onListening)
            throws SQLException {
        if (!postgres) {
            return;
        }
        int ownPid = writeConnection.unwrap(PGConnection.class).getBackendPID();
        listener = new Thread(() -> listenLoop(ownPid, onNotice, onQueueFreed, onListening), "store-listener");
        listener.setDaemon(true);
        listener.start();
    }

    private void listenLoop(int ownPid, Consumer<String> onNotice, Consumer<String> onQueueFreed,
                            Runnable onListening) {
        boolean lost = false;
        while (!closed) {
            try (Connection c = open(); Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute("LISTEN " + CHANNEL);
                s.execute("LISTEN " + QUEUE_CHANNEL);
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
                        if (n.getPID() == ownPid) {
                            continue; // this dispatcher's own writes act on it directly
                        }
                        if (QUEUE_CHANNEL.equals(n.getName())) {
                            onQueueFreed.accept(n.getParameter());
                        } else {
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

    private int update(Connection c, String sql, Object... values) throws SQLException {
        if (c == writeConnection) {
            PreparedStatement s = writeStatement(sql);
            bind(s, values);
            return s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, values);
            return s.executeUpdate();
        }
    }

    /**
     * The writer's statements are prepared once and kept: the writer runs the same few for every job, and
     * preparing one costs SQLite as much as running it. Writer thread only.
     */
    private PreparedStatement writeStatement(String sql) throws SQLException {
        PreparedStatement s = writeStatements.get(sql);
        if (s == null) {
            s = writeConnection.prepareStatement(sql);
            writeStatements.put(sql, s);
        }
        return s;
    }

    private static void bind(PreparedStatement s, Object... values) throws SQLException {
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

    private static Long nullableLong(ResultSet r, int column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    private long count(Connection c, String sql, Object... values) throws SQLException {
        if (c == writeConnection) {
            PreparedStatement s = writeStatement(sql);
            bind(s, values);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, values);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    // ---- The named operations: every statement the dispatcher runs on its jobs is below. ----

    /** A finished-or-not job as {@code get_status} and {@code list} show it; times in milliseconds, null if not yet. */
    record JobRecord(String id, String host, String procedure, String arguments, long submitMs, Long startMs,
                     Long endMs, String info, String queueKey, String outcome) {
    }

    /** A stream packet as stored: its number and its JSON. */
    record Packet(long n, String data) {
    }

    /**
     * What a reader of a job's result or stream sees in one look: the job's row, then (if asked) a page of its
     * packets. The row is read first: a job's packets are stored before its end, so an end seen means every packet
     * is there.
     *
     * @param from the first packet number asked for (when {@code recent} was given, the one it came to)
     */
    record Progress(boolean ended, String outcome, String owner, long from, List<Packet> packets) {
    }

    /** Stores a new job, queued. The future completes once it is durable. */
    CompletableFuture<Void> insertJob(Job job, String owner, String argumentsText, String infoText,
                                      String clientAddress) {
        return write("insert_job", c -> {
            update(c, "INSERT INTO jobs (id, seq, owner, state, host, procedure_name, arguments, timeout_s, "
                            + "max_exec_s, queue_key, concurrency, info, submit_ms, client, client_address) "
                            + "VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    job.id, job.seq, owner, job.host, job.procedure, argumentsText, job.timeoutSeconds,
                    job.maxExecSeconds, job.queueKey, job.concurrency, infoText, job.submitMs, job.client,
                    clientAddress);
            return null;
        });
    }

    /**
     * Starts a queued job of a queue if fewer than {@code concurrency} of the queue's jobs run, counted over every
     * dispatcher sharing the store.
     *
     * @return true if the job is now running
     */
    CompletableFuture<Boolean> startInQueue(String queueKey, String jobId, int concurrency) {
        return write("start_in_queue", c -> {
            lockQueue(c, queueKey);
            long running = count(c, "SELECT COUNT(*) FROM jobs WHERE queue_key = ? AND state = 'running'", queueKey);
            if (running >= concurrency) {
                return false;
            }
            return markRunning(c, jobId);
        });
    }

    /** Starts a queued job without a queue. @return true if it was queued and is now running */
    CompletableFuture<Boolean> start(String jobId) {
        return write("start", c -> markRunning(c, jobId));
    }

    private boolean markRunning(Connection c, String jobId) throws SQLException {
        return update(c, "UPDATE jobs SET state = 'running', start_ms = ? WHERE id = ? AND state = 'queued'",
                System.currentTimeMillis(), jobId) == 1;
    }

    /** A start undone (at shutdown): the job is queued again for the next start. */
    CompletableFuture<Void> unstart(String jobId) {
        return write("unstart", c -> {
            if (update(c, "UPDATE jobs SET state = 'queued', start_ms = NULL WHERE id = ? AND state = 'running'",
                    jobId) == 1) {
                queueFreed(jobId);
            }
            return null;
        });
    }

    /** Stores packet {@code n} of a job's stream, announced to the other dispatchers. */
    CompletableFuture<Void> addPacket(String jobId, int n, String data) {
        return write("add_packet", c -> {
            update(c, "INSERT INTO packets (job_id, n, data) VALUES (?, ?, ?)", jobId, n, data);
            notifyChanged(jobId);
            return null;
        });
    }

    /**
     * Ends a job with the message {@code get_result} will send, unless it has ended already (another dispatcher on
     * a shared store may have cancelled it meanwhile): the first end stored counts.
     *
     * @return true if this end was stored
     */
    CompletableFuture<Boolean> end(String jobId, String outcome) {
        long now = System.currentTimeMillis();
        return write("end", c -> {
            boolean ended = update(c, "UPDATE jobs SET state = 'done', end_ms = ?, outcome = ? "
                    + "WHERE id = ? AND state <> 'done'", now, outcome, jobId) == 1;
            if (ended) {
                notifyChanged(jobId);
                queueFreed(jobId);
            }
            return ended;
        });
    }

    /**
     * Ends a job another dispatcher holds (or held, if it is down), unless it has ended.
     *
     * @param ownOwner this dispatcher's instance name: its own jobs are not ended here
     * @param client with client authentication, only this client's job; else null
     * @return true if this end was stored
     */
    CompletableFuture<Boolean> endElsewhere(String jobId, String ownOwner, String client, String outcome) {
        long now = System.currentTimeMillis();
        return write("end_elsewhere", c -> {
            String sql = "UPDATE jobs SET state = 'done', end_ms = ?, outcome = ? "
                    + "WHERE id = ? AND state <> 'done' AND owner <> ?";
            int n = client == null ? update(c, sql, now, outcome, jobId, ownOwner)
                    : update(c, sql + " AND client = ?", now, outcome, jobId, ownOwner, client);
            if (n == 1) {
                notifyChanged(jobId);
                queueFreed(jobId);
            }
            return n == 1;
        });
    }

    /** After a start: the jobs an instance was running when it stopped end with {@code outcome}. @return how many */
    CompletableFuture<Integer> endRunning(String owner, String outcome) {
        long now = System.currentTimeMillis();
        return write("end_running", c -> {
            List<String> ids = new ArrayList<>();
            if (postgres) { // waiters on other dispatchers are told
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT id FROM jobs WHERE state = 'running' AND owner = ?")) {
                    s.setString(1, owner);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            ids.add(r.getString(1));
                        }
                    }
                }
            }
            int n = update(c, "UPDATE jobs SET state = 'done', end_ms = ?, outcome = ? "
                    + "WHERE state = 'running' AND owner = ?", now, outcome, owner);
            for (String id : ids) {
                notifyChanged(id);
                queueFreed(id);
            }
            return n;
        });
    }

    /** An instance's queued jobs, in submission order (start-up, on the calling thread). */
    List<Job> queuedJobs(String owner) throws SQLException {
        return readNow(c -> {
            List<Job> jobs = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, seq, host, procedure_name, arguments, "
                    + "timeout_s, max_exec_s, queue_key, concurrency, submit_ms, client FROM jobs "
                    + "WHERE state = 'queued' AND owner = ? ORDER BY seq")) {
                s.setString(1, owner);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        jobs.add(new Job(r.getString(1), r.getLong(2), r.getString(3), r.getString(4),
                                Json.parseStored(r.getString(5)), r.getInt(6), r.getInt(7), r.getString(8),
                                r.getInt(9), r.getLong(10), r.getString(11)));
                    }
                }
            }
            return jobs;
        });
    }

    /** Which of these jobs have ended in the store. */
    CompletableFuture<java.util.Set<String>> ended(List<String> jobIds) {
        return read(c -> {
            java.util.Set<String> ended = new java.util.HashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT state FROM jobs WHERE id = ?")) {
                for (String id : jobIds) {
                    s.setString(1, id);
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next() && "done".equals(r.getString(1))) {
                            ended.add(id);
                        }
                    }
                }
            }
            return ended;
        });
    }

    /** A queue's jobs not ended, of every dispatcher, latest first. */
    CompletableFuture<List<String>> unfinishedInQueue(String queueKey) {
        return read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id FROM jobs WHERE queue_key = ? AND state <> 'done' ORDER BY seq DESC")) {
                s.setString(1, queueKey);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getString(1));
                    }
                }
            }
            return ids;
        });
    }

    /**
     * A job's record, or null if there is none.
     *
     * @param visibleTo with client authentication, the asking client: another client's job is as if absent
     */
    CompletableFuture<JobRecord> job(String jobId, String visibleTo) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, host, procedure_name, arguments, submit_ms, "
                    + "start_ms, end_ms, info, queue_key, outcome, client FROM jobs WHERE id = ?")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next() || !visible(visibleTo, r.getString(11))) {
                        return null;
                    }
                    return record(r);
                }
            }
        });
    }

    private static JobRecord record(ResultSet r) throws SQLException {
        return new JobRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
                nullableLong(r, 6), nullableLong(r, 7), r.getString(8), r.getString(9), r.getString(10));
    }

    private static boolean visible(String visibleTo, String jobClient) {
        return visibleTo == null || visibleTo.equals(jobClient);
    }

    /**
     * A look at a job for {@code get_result} and the stream readers; null if there is no such job.
     *
     * @param visibleTo as for {@link #job}
     * @param from the first packet wanted, or -1 to start at the {@code recent} last ones
     * @param page at most this many packets; 0 reads only the job's row
     */
    CompletableFuture<Progress> progress(String jobId, String visibleTo, long from, long recent, int page) {
        return read(c -> {
            boolean ended;
            String outcome;
            String owner;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT state, outcome, owner, client FROM jobs WHERE id = ?")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next() || !visible(visibleTo, r.getString(4))) {
                        return null;
                    }
                    ended = "done".equals(r.getString(1));
                    outcome = r.getString(2);
                    owner = r.getString(3);
                }
            }
            if (page == 0) {
                return new Progress(ended, outcome, owner, from, List.of());
            }
            long start = from;
            if (start < 0) {
                long total = count(c, "SELECT COUNT(*) FROM packets WHERE job_id = ?", jobId);
                start = Math.max(0, total - Math.max(0, recent));
            }
            List<Packet> packets = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT n, data FROM packets WHERE job_id = ? AND n >= ? ORDER BY n LIMIT " + page)) {
                s.setString(1, jobId);
                s.setLong(2, start);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        packets.add(new Packet(r.getLong(1), r.getString(2)));
                    }
                }
            }
            return new Progress(ended, outcome, owner, start, packets);
        });
    }

    /**
     * Jobs for {@code list}, in submission order (on the calling thread).
     *
     * @param all finished jobs too
     * @param onlyId just this job, or null
     */
    List<JobRecord> list(boolean all, String onlyId) throws SQLException {
        String sql = "SELECT id, host, procedure_name, arguments, submit_ms, start_ms, end_ms, info, queue_key, "
                + "outcome FROM jobs"
                + (onlyId != null ? " WHERE id = ?" : all ? "" : " WHERE state <> 'done'") + " ORDER BY seq";
        return readNow(c -> {
            List<JobRecord> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                if (onlyId != null) {
                    s.setString(1, onlyId);
                }
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(record(r));
                    }
                }
            }
            return out;
        });
    }

    /** A queue's job not ended, for {@code queue-list}. */
    record QueuedJob(String id, boolean running) {
    }

    /** A queue's jobs not ended, in submission order (on the calling thread). */
    List<QueuedJob> queueJobs(String queueKey) throws SQLException {
        return readNow(c -> {
            List<QueuedJob> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, state FROM jobs WHERE queue_key = ? "
                    + "AND state <> 'done' ORDER BY seq")) {
                s.setString(1, queueKey);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new QueuedJob(r.getString(1), "running".equals(r.getString(2))));
                    }
                }
            }
            return out;
        });
    }

    /** A queue with jobs not ended: how many run and how many wait. */
    record QueueCount(String queueKey, long running, long queued) {
    }

    /** Every queue with jobs not ended, by key (on the calling thread). */
    List<QueueCount> queueCounts() throws SQLException {
        return readNow(c -> {
            List<QueueCount> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT queue_key, "
                    + "SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), "
                    + "SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END) "
                    + "FROM jobs WHERE queue_key IS NOT NULL AND state <> 'done' GROUP BY queue_key ORDER BY queue_key");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new QueueCount(r.getString(1), r.getLong(2), r.getLong(3)));
                }
            }
            return out;
        });
    }

    /** Removes finished jobs, with their stream packets, that ended before a moment. @return how many */
    int prune(long endedBeforeMs) throws SQLException {
        try {
            return write("prune", c -> {
                update(c, "DELETE FROM packets WHERE job_id IN "
                        + "(SELECT id FROM jobs WHERE state = 'done' AND end_ms < ?)", endedBeforeMs);
                return update(c, "DELETE FROM jobs WHERE state = 'done' AND end_ms < ?", endedBeforeMs);
            }).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof SQLException s ? s : new SQLException(e.getCause());
        }
    }

    /** Completes once every write queued before it is committed (or failed). */
    CompletableFuture<Void> flush() {
        return write("flush", c -> null);
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
