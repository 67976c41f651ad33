package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoopGroup;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.harpd.logging.EventLog;

/**
 * Jobs from submission to their end: stores them, keeps queues in submission order, starts them within their
 * queue's concurrency, and records what harpd sends.
 *
 * <p>Queued and running jobs are held in memory and touched only on the dispatcher thread; a queued job costs
 * an object, not a thread. A queue's limit is checked in the store, inside the writer's transaction (and under a
 * PostgreSQL advisory lock on the queue), so it holds across every dispatcher sharing the store.
 */
public final class Dispatcher implements JobEvents, AutoCloseable {
    private static final EventLog LOG = EventLog.get("harpcallerd");
    /**
     * On a shared store, how often a queue whose limit is held by other dispatchers' jobs is asked again. Their
     * ends are announced ({@link #queueFreed}), so this only covers an announcement missed.
     */
    private static final long SHARED_QUEUE_RETRY_MS = 5000;
    /** How long a scrape waits for the dispatcher thread to count its jobs. */
    private static final long JOB_COUNT_WAIT_SECONDS = 5;

    private final JobStore store;
    private final HostRegistry hosts;
    private final EventLoopGroup group;
    private final CallerMetrics metrics;
    private volatile CallerConfig config;
    private volatile TrustPolicy trust;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dispatcher");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Job> active = new HashMap<>();
    private final Map<String, LocalQueue> queues = new LinkedHashMap<>();
    private final Map<String, Set<Runnable>> watchers = new ConcurrentHashMap<>();
    private final AtomicLong lastSeq = new AtomicLong();
    /** Set at shutdown: no job starts any more (queued ones stay queued in the store for the next start). */
    private volatile boolean closing;

    /** A queue's waiting jobs in this dispatcher, in submission order. */
    private static final class LocalQueue {
        final WaitingJobs waiting = new WaitingJobs();
        int running;
        boolean claiming;
        /** A slot was announced free elsewhere while the store was being asked: ask again if refused. */
        boolean recheck;
        boolean retryScheduled;
        /** The store refused the head a slot; no use asking again until a job of the queue ends or a retry. */
        boolean full;
    }

    public Dispatcher(CallerConfig config, JobStore store, HostRegistry hosts, TrustPolicy trust, EventLoopGroup group) {
        this(config, store, hosts, trust, group, CallerMetrics.NONE);
    }

    public Dispatcher(CallerConfig config, JobStore store, HostRegistry hosts, TrustPolicy trust, EventLoopGroup group,
                      CallerMetrics metrics) {
        this.config = config;
        this.store = store;
        this.hosts = hosts;
        this.trust = trust;
        this.group = group;
        this.metrics = metrics;
        metrics.watchJobs(this::jobCounts);
    }

    /**
     * The jobs held now by queue and host, counted on the dispatcher thread (a scrape's thread waits for it, a
     * moment); nothing when the thread does not answer (shutting down, or stuck: the scrape must not hang).
     */
    private List<CallerMetrics.JobCount> jobCounts() {
        try {
            return CompletableFuture.supplyAsync(() -> {
                Map<List<String>, int[]> counts = new LinkedHashMap<>();
                for (Job job : active.values()) {
                    if (job.ended()) {
                        continue; // its end is being stored
                    }
                    int[] n = counts.computeIfAbsent(java.util.Arrays.asList(job.queueKey, job.host),
                            k -> new int[2]);
                    n[job.started ? 1 : 0]++;
                }
                List<CallerMetrics.JobCount> list = new ArrayList<>();
                counts.forEach((k, n) -> list.add(new CallerMetrics.JobCount(k.get(0), k.get(1), n[0], n[1])));
                return list;
            }, thread).get(JOB_COUNT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            return List.of();
        }
    }

    public JobStore store() {
        return store;
    }

    public HostRegistry hosts() {
        return hosts;
    }

    public CallerConfig config() {
        return config;
    }

    /** For {@code reload}: timeouts, certificates and registry settings; listeners and store stay. */
    public void reconfigure(CallerConfig next, TrustPolicy nextTrust) {
        this.config = next;
        this.trust = nextTrust;
    }

    /**
     * After a start: jobs this instance was running when it stopped (or was killed) end as errors that say so;
     * its queued jobs are queued again in their order.
     */
    public void recover() throws SQLException {
        String owner = config.instance();
        int interrupted = store.endRunning(owner, interruptedOutcome().toString()).join();
        List<Job> queued = store.queuedJobs(owner);
        if (interrupted > 0 || !queued.isEmpty()) {
            LOG.info("recovered jobs", "interrupted", interrupted, "requeued", queued.size());
        }
        for (Job job : queued) {
            lastSeq.accumulateAndGet(job.seq, Math::max);
            thread.execute(() -> enqueue(job));
        }
    }

    /**
     * A parsed call request; the future gives the job id once the job is stored.
     *
     * @param client the submitting client's name with client authentication, else null
     */
    public CompletableFuture<String> submit(ClientRequest.Submit call, String client, String clientAddress) {
        CallerConfig c = config;
        int timeoutS = call.timeout() == null ? c.defaultTimeout() : call.timeout();
        int maxExecS = call.maxExec() == null ? c.maxExecTime() : Math.min(call.maxExec(), c.maxExecTime());
        long now = System.currentTimeMillis();
        long seq = lastSeq.updateAndGet(last -> Math.max(last + 1, now * 1000));
        Job job = new Job(UUID.randomUUID().toString(), seq, call.host(), call.procedure(), call.arguments(),
                timeoutS, maxExecS, call.queueKey(), call.concurrency(), now, client);
        String info = call.infoText() == null ? "null" : call.infoText();
        return store.insertJob(job, c.instance(), call.argumentsText(), info, clientAddress)
                .thenApply(x -> {
                    metrics.jobSubmitted(job.queueKey, job.host);
                    thread.execute(() -> enqueue(job));
                    return job.id;
                });
    }

    private void enqueue(Job job) {
        active.put(job.id, job);
        LocalQueue q = queues.computeIfAbsent(queueOf(job), k -> new LocalQueue());
        q.waiting.add(job);
        pump(queueOf(job));
    }

    /** Jobs without a queue share one pseudo-queue with no limit (key ""). */
    private static String queueOf(Job job) {
        return job.queueKey == null ? "" : job.queueKey;
    }

    /** Starts the queue's next job if its limit allows. Dispatcher thread only. */
    private void pump(String key) {
        LocalQueue q = queues.get(key);
        if (q == null || closing) {
            return;
        }
        if (key.isEmpty()) {
            while (!q.waiting.isEmpty()) {
                Job job = q.waiting.poll();
                claim(job, q, key);
            }
            return;
        }
        if (q.claiming || q.full || q.waiting.isEmpty()) {
            dropIfIdle(key, q);
            return;
        }
        Job head = q.waiting.peek();
        q.claiming = true;
        q.recheck = false;
        store.startInQueue(key, head.id, head.concurrency).whenCompleteAsync((granted, failure) -> {
            q.claiming = false;
            if (failure != null) {
                LOG.error("cannot start job", "job", head.id, "error", failure.getMessage());
                retryLater(key, q);
                return;
            }
            if (granted && closing) {
                unclaim(head); // shutting down: it runs after the next start
            } else if (granted) {
                if (q.waiting.peek() == head) {
                    q.waiting.poll();
                    q.running++;
                    head.started = true;
                    run(head);
                }
                pump(key);
            } else if (q.waiting.peek() != head) {
                pump(key); // the head was cancelled meanwhile
            } else if (q.recheck) {
                q.recheck = false;
                pump(key); // a slot was freed elsewhere after the store counted the running jobs
            } else {
                q.full = true;
                if (store.postgres()) {
                    retryLater(key, q); // the slots are held by other dispatchers: their ends are announced
                }
                // else the queue is full of this dispatcher's own jobs: the end of one of them pumps it again
            }
        }, thread);
    }

    private void unclaim(Job job) {
        store.unstart(job.id);
    }

    private void claim(Job job, LocalQueue q, String key) {
        q.running++;
        job.started = true;
        store.start(job.id).whenCompleteAsync((started, failure) -> {
            if (failure == null && started && closing) {
                unclaim(job);
                return;
            }
            if (failure != null || !started) {
                if (failure != null) {
                    end(job, Json.error("storage_error", "cannot record the job's start: " + failure.getMessage()));
                }
                return;
            }
            run(job);
        }, thread);
    }

    private void retryLater(String key, LocalQueue q) {
        if (!q.retryScheduled) {
            q.retryScheduled = true;
            thread.schedule(() -> {
                q.retryScheduled = false;
                q.full = false;
                pump(key);
            }, SHARED_QUEUE_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void dropIfIdle(String key, LocalQueue q) {
        if (q.waiting.isEmpty() && q.running == 0 && !q.claiming && !q.retryScheduled) {
            queues.remove(key);
        }
    }

    private void run(Job job) {
        if (job.ended()) {
            return; // cancelled while its start was being recorded
        }
        job.startNanos = System.nanoTime();
        metrics.jobStarted(job.queueKey, job.host, System.currentTimeMillis() - job.submitMs);
        HostRegistry.Host host = hosts.lookup(job.host);
        if (host == null) {
            end(job, Json.error("unknown_host", "host not found: " + job.host));
            return;
        }
        job.call = HarpdCall.start(this, job, host, trust, group);
    }

    /** Records a streamed value. Any thread; a job's packets are recorded in order. */
    @Override
    public void packet(Job job, JsonNode data) {
        synchronized (job) {
            String text = data.toString();
            long limit = config.limits().maxJobBytes();
            if (job.addStored(text.length()) > limit) {
                HarpdCall call = job.call;
                end(job, tooLarge(limit));
                if (call != null) {
                    call.close(); // harpd stops the procedure when its connection goes
                }
                return;
            }
            int n = job.nextPacket();
            if (n < 0) {
                return;
            }
            store.addPacket(job.id, n, text).whenComplete((x, failure) -> {
                if (failure != null) {
                    LOG.error("cannot record a stream packet", "job", job.id, "error", failure.getMessage());
                }
                wake(job.id);
            });
        }
    }

    /**
     * Ends the job with the message get_result will reply. Any thread; only the first end counts.
     *
     * @return true once this end is stored, false if the job had already ended (here, or in the store: another
     *     dispatcher on a shared store cancelled it first)
     */
    @Override
    public CompletableFuture<Boolean> end(Job job, ObjectNode outcome) {
        synchronized (job) {
            if (!job.markEnded()) {
                return CompletableFuture.completedFuture(false);
            }
            long limit = config.limits().maxJobBytes();
            String full = outcome.toString();
            ObjectNode stored = job.addStored(full.length()) > limit ? tooLarge(limit) : outcome;
            // counted as this dispatcher ended it, before anyone can read the end from the store
            ended(job, CallerMetrics.outcomeOf(stored), System.nanoTime());
            return store.end(job.id, stored == outcome ? full : stored.toString()).handleAsync((n, failure) -> {
                if (failure != null) {
                    LOG.error("cannot record a job's end", "job", job.id, "error", failure.getMessage());
                }
                forget(job);
                return failure == null && n;
            }, thread);
        }
    }

    private void ended(Job job, String outcome, long endNanos) {
        long started = job.startNanos;
        metrics.jobEnded(job.queueKey, job.host, outcome, started == Job.NOT_STARTED ? -1 : endNanos - started);
    }

    /** After a job's end: out of memory and of its queue, the queue's next job started, waiters woken. */
    private void forget(Job job) {
        active.remove(job.id);
        String key = queueOf(job);
        LocalQueue q = queues.get(key);
        if (q != null) {
            q.full = false;
            if (job.started) {
                q.running--;
            } else {
                q.waiting.remove(job);
            }
            pump(key);
        }
        wake(job.id);
    }

    private static ObjectNode tooLarge(long limit) {
        return Json.error("too_large", "the job's stream and result exceed limits.max_job_bytes (" + limit + " bytes)");
    }

    /**
     * Cancels a job this dispatcher holds; on a shared PostgreSQL store, also one another dispatcher holds (or
     * held, if it is down): the job is ended in the store, and the notification of that end makes its dispatcher
     * close its harpd call and free its queue slot ({@link #noticed}).
     *
     * @param client the cancelling client's name with client authentication (it may cancel only its own jobs),
     *     or null
     * @return true if the job was queued or running and is now stopped
     */
    public CompletableFuture<Boolean> cancel(String jobId, String client) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        thread.execute(() -> {
            Job job = active.get(jobId);
            if (job == null && store.postgres()) {
                cancelElsewhere(jobId, client, done);
                return;
            }
            if (job == null || (client != null && !client.equals(job.client))) {
                done.complete(false);
                return;
            }
            ObjectNode cancelled = Json.object().put("cancelled", true);
            HarpdCall call = job.call;
            CompletableFuture<Boolean> ended = end(job, cancelled);
            if (call != null) {
                call.close(); // harpd cancels the call when its connection goes
            }
            ended.whenComplete((v, e) -> done.complete(e == null && v));
        });
        return done;
    }

    /**
     * A job not held here, on a shared store: ended in the store if another dispatcher's and not ended yet. This
     * dispatcher's own jobs are left to the path above (one not in {@link #active} has ended, or is being
     * submitted and must not be ended under {@link #enqueue}).
     */
    private void cancelElsewhere(String jobId, String client, CompletableFuture<Boolean> done) {
        String outcome = Json.object().put("cancelled", true).toString();
        store.endElsewhere(jobId, config.instance(), client, outcome).whenComplete((cancelled, failure) -> {
            if (failure != null) {
                LOG.error("cannot cancel a job", "job", jobId, "error", failure.getMessage());
            } else if (cancelled) {
                LOG.info("job cancelled in the store; its dispatcher stops it", "job", jobId);
                wake(jobId);
            }
            done.complete(failure == null && cancelled);
        });
    }

    /**
     * A notification from another dispatcher on a shared store: a packet or the end of job {@code jobId}. Wakes
     * this dispatcher's waiters; if the job is one of this dispatcher's, it was cancelled elsewhere: once the
     * store confirms it ended, its harpd call is closed and its queue moves on. Store-listener thread.
     */
    void noticed(String jobId) {
        wake(jobId);
        onThread(() -> {
            Job job = active.get(jobId);
            if (job != null && !job.ended()) {
                stopIfEndedInStore(List.of(job));
            }
        });
    }

    /**
     * A notification from another dispatcher on a shared store: a job of queue {@code queueKey} ended there (or went
     * back to queued), so a slot may be free for this dispatcher's next job of the queue. Store-listener thread.
     */
    void queueFreed(String queueKey) {
        onThread(() -> {
            LocalQueue q = queues.get(queueKey);
            if (q == null) {
                return;
            }
            if (q.claiming) {
                q.recheck = true;
            } else if (q.full) {
                q.full = false;
                pump(queueKey);
            }
        });
    }

    /**
     * Each time the store's notifications are (again) listened to: those sent while not listening are lost, so
     * every waiter reads again and every job held here is checked against the store. Store-listener thread.
     */
    void resync() {
        for (String id : new ArrayList<>(watchers.keySet())) {
            wake(id);
        }
        onThread(() -> {
            if (!active.isEmpty()) {
                stopIfEndedInStore(new ArrayList<>(active.values()));
            }
            for (String key : new ArrayList<>(queues.keySet())) {
                queueFreed(key); // slots freed while not listening
            }
        });
    }

    /** From another thread: a task for the dispatcher thread, dropped once it has shut down. */
    private void onThread(Runnable task) {
        try {
            thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the jobs held here are being ended anyway
        }
    }

    /** Dispatcher thread. */
    private void stopIfEndedInStore(List<Job> jobs) {
        store.ended(jobs.stream().map(j -> j.id).toList()).whenCompleteAsync((ended, failure) -> {
            if (failure != null) {
                LOG.error("cannot read jobs' states", "error", String.valueOf(failure.getMessage()));
                return;
            }
            for (Job job : jobs) {
                if (ended.contains(job.id) && job.markEnded()) {
                    LOG.info("job ended by another dispatcher (cancelled); stopping it here", "job", job.id);
                    ended(job, CallerMetrics.CANCELLED, System.nanoTime());
                    HarpdCall call = job.call;
                    if (call != null) {
                        call.close(); // harpd cancels the call when its connection goes
                    }
                    forget(job);
                }
            }
        }, thread);
    }

    /**
     * Job ids in a queue (by its canonical key), queued and running: here, or on a shared PostgreSQL store in every
     * dispatcher (latest first, so that cancelling them in this order starts none of them).
     */
    public CompletableFuture<List<String>> jobsInQueue(String queueKey) {
        if (store.postgres()) {
            return store.unfinishedInQueue(queueKey);
        }
        return CompletableFuture.supplyAsync(() -> {
            List<String> ids = new ArrayList<>();
            for (Job job : active.values()) {
                if (queueKey.equals(job.queueKey)) {
                    ids.add(job.id);
                }
            }
            return ids;
        }, thread);
    }

    /** Calls {@code wakeup} after each stored packet or end of the job, until {@link #unwatch}. */
    void watch(String jobId, Runnable wakeup) {
        watchers.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(wakeup);
    }

    void unwatch(String jobId, Runnable wakeup) {
        watchers.computeIfPresent(jobId, (k, set) -> {
            set.remove(wakeup);
            return set.isEmpty() ? null : set;
        });
    }

    private void wake(String jobId) {
        Set<Runnable> set = watchers.get(jobId);
        if (set != null) {
            for (Runnable r : set) {
                r.run();
            }
        }
    }

    /** Schedules a poll for jobs run by another dispatcher on a shared store. */
    void later(Runnable r, long millis) {
        thread.schedule(r, millis, TimeUnit.MILLISECONDS);
    }

    /** At shutdown: running jobs end as errors that say so, queued jobs stay queued for the next start. */
    @Override
    public void close() {
        closing = true;
        try {
            // every start already asked of the store is decided, and its callback queued on the dispatcher thread
            store.flush().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("job store did not answer at shutdown", "error", String.valueOf(e.getMessage()));
        }
        CompletableFuture<Void> done = CompletableFuture.supplyAsync(() -> {
            List<CompletableFuture<Boolean>> ends = new ArrayList<>();
            for (Job job : new ArrayList<>(active.values())) {
                if (job.started) {
                    HarpdCall call = job.call;
                    ends.add(end(job, interruptedOutcome()));
                    if (call != null) {
                        call.close();
                    }
                }
            }
            return CompletableFuture.allOf(ends.toArray(new CompletableFuture<?>[0]));
        }, thread).thenCompose(f -> f);
        try {
            done.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("running jobs were not all recorded as interrupted", "error", String.valueOf(e.getMessage()));
        }
        thread.shutdownNow();
    }

    /** A job's end when the dispatcher stops while it runs (or stopped, found at the next start). */
    private static ObjectNode interruptedOutcome() {
        return Json.error("dispatcher_restarted",
                "the dispatcher stopped while the job was running; its result is unknown");
    }
}
