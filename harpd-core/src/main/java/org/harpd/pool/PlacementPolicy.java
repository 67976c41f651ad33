package org.harpd.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.ToIntFunction;
import org.harpd.config.WorkersConfig.Isolation;

/**
 * Where calls go and how many workers there are, decided by what things cost: the pool's bookkeeping of its
 * workers and waiting calls, and its decisions, without threads, processes or a clock (every event comes with
 * its time in nanoseconds). {@link WorkerPool} spawns, reaps, times and talks to the workers, tells this class
 * what happened and does what it answers. Not thread-safe: the pool calls it under its lock.
 *
 * <p>Two costs are measured, each as an exponentially weighted moving average whose first sample replaces the
 * initial estimate: a worker's <em>boot</em> (spawn to ready, {@link #INITIAL_BOOT_NANOS} until measured) and,
 * per {@link WorkerBinding}, a <em>call cycle</em> (dispatch to ready again, call and reset together; an
 * unmeasured binding uses its level's average, else {@link #INITIAL_CALL_NANOS}).
 *
 * <p>Which worker takes a call:
 * <ol>
 * <li>an idle worker of the call's binding, the most recently used (so the others stay idle and retire);</li>
 * <li>else, when the binding has workers that come back (busy, or answered and resetting), the call waits for
 *     them if its expected wait is shorter than a boot: taking a spare instead makes the pool boot its
 *     replacement, a JVM start whose CPU the running calls pay for. The expected wait, for a call with
 *     {@code k} calls of its binding ahead of it and {@code n} such workers, is the {@code (k mod n)}-th soonest
 *     worker's remaining time plus {@code floor(k / n)} call cycles. A worker's remaining time is
 *     {@code |dispatch + cycle - now|}: it shrinks until the worker is due, and then grows by as much as the
 *     worker runs late, so a call does not wait without bound for a worker that is stuck;</li>
 * <li>else an unswitched spare (the one idle longest); a binding with no worker that comes back always takes
 *     one, so every identity gets service however busy the others are;</li>
 * <li>else it waits in the queue (refused beyond {@code queue} plus the calls workers booting, exiting or
 *     still startable will take).</li>
 * </ol>
 * A queued call whose expected wait has grown to a boot's (its worker runs late or exited) is handed to an
 * idle spare by {@link #review}; the pool reviews every {@link #REVIEW_NANOS} while calls wait.
 *
 * <p>When to start a worker ({@link #plan}): to keep {@code spare} unswitched workers idle or booting, plus one
 * for each queued call that would wait longer than a boot for the workers of its binding (the same test as
 * above, so a queue those workers drain within a boot's time starts nothing); never more than
 * {@link #bootsInFlight(int)} boots at once, spare refills included, since boots run on the cores the calls
 * need; never more than {@code max} workers: the least recently used idle switched worker is retired to make
 * room (its binding has no call waiting, else that call would have taken it).
 *
 * <p>When to retire one: an idle switched worker idle for {@code idleTimeout}, and an idle unswitched one idle
 * as long while more than {@code spare} of them are idle, so that after load the pool shrinks back to its
 * spares; after {@code maxCalls} calls of its level (the pool tells the worker to exit after that call).
 *
 * <p>At rest: once no call has come and no worker has finished booting for {@code restNanos}, the pool keeps
 * {@code spareAtRest} spares instead of {@code spare} (an idle spare retires as above, after {@code idleTimeout}
 * idle), so a daemon nobody calls holds fewer idle JVMs; the next call takes a remaining spare at once and
 * brings the target back to {@code spare}, the refills booting behind it.
 *
 * @param <C> a call, as the pool knows it
 * @param <W> a worker, as the pool knows it (compared by identity)
 */
final class PlacementPolicy<C, W> {
    static final long INITIAL_BOOT_NANOS = Duration.ofMillis(1_500).toNanos();
    static final long INITIAL_CALL_NANOS = Duration.ofMillis(20).toNanos();
    /**
     * How often queued calls are looked at again: a call moves to a spare once its wait reaches a boot's
     * (over a second), so a twentieth of a second late is a small error.
     */
    static final long REVIEW_NANOS = Duration.ofMillis(50).toNanos();
    /** A new sample's share of a moving average: a quarter, so one odd sample does not swing a decision. */
    private static final int SAMPLE_SHARE_DIVISOR = 4;

    /** Boots at once: a boot takes more than one core for most of its time, so one at a time on two cores. */
    static int bootsInFlight(int processors) {
        return processors <= 2 ? 1 : 2;
    }

    /**
     * @param spare            unswitched workers to keep idle or booting
     * @param max              workers alive at most
     * @param queue            calls allowed to wait beyond those that booting, exiting and startable workers take
     * @param idleTimeoutNanos how long a worker may stay idle before it is retired; 0: never
     * @param bootsInFlight    boots at once, at most
     * @param maxCalls         calls one worker of a level serves
     * @param spareAtRest      unswitched workers to keep at rest, at most {@code spare}
     * @param restNanos        how long without a call or a finished boot puts the pool at rest; 0: never
     */
    record Limits(int spare, int max, int queue, long idleTimeoutNanos, int bootsInFlight,
                  ToIntFunction<Isolation> maxCalls, int spareAtRest, long restNanos) {
        Limits {
            if (max < 1 || spare < 0 || spare > max || queue < 0 || idleTimeoutNanos < 0 || bootsInFlight < 1
                    || spareAtRest < 0 || spareAtRest > spare || restNanos < 0) {
                throw new IllegalArgumentException("inconsistent pool limits");
            }
        }

        /** Never at rest: {@code spare} spares always. */
        Limits(int spare, int max, int queue, long idleTimeoutNanos, int bootsInFlight,
               ToIntFunction<Isolation> maxCalls) {
            this(spare, max, queue, idleTimeoutNanos, bootsInFlight, maxCalls, spare, 0);
        }
    }

    /** {@code call} goes to {@code worker}, bound as {@code binding}; {@code lastCall}: the worker exits after. */
    record Assignment<C, W>(C call, W worker, WorkerBinding binding, boolean lastCall) {
    }

    enum Outcome {
        /** {@link Placement#assignment()} says where. */
        RUN,
        QUEUED,
        /** the queue is full */
        REFUSED,
        /** the call had ended before it could be given to a worker */
        ENDED
    }

    record Placement<C, W>(Outcome outcome, Assignment<C, W> assignment) {
    }

    /**
     * What to do now: start {@code boots} workers; retire {@code idleTooLong} (idle for the idle timeout) and
     * {@code forRoom} (to make room under {@code max}) by letting them exit. Retired workers count as leaving
     * from now on.
     */
    record Plan<W>(int boots, List<W> idleTooLong, List<W> forRoom) {
    }

    private enum State { BOOTING, IDLE, BUSY, RETURNING, LEAVING }

    private static final class Slot<W> {
        final W worker;
        State state = State.BOOTING;
        WorkerBinding binding;
        /** Spawn time while booting, dispatch time while busy or returning, idle-since time while idle. */
        long since;
        int calls;
        boolean lastCall;

        Slot(W worker, long now) {
            this.worker = worker;
            this.since = now;
        }

        boolean comesBack() {
            return (state == State.BUSY || state == State.RETURNING) && !lastCall;
        }
    }

    private record Waiting<C>(C call, WorkerBinding binding) {
    }

    private final Limits limits;
    private final BiPredicate<C, W> attach;
    private final Map<W, Slot<W>> slots = new IdentityHashMap<>();
    /** Idle workers, in the order they became idle: least recently used first. */
    private final ArrayDeque<Slot<W>> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiting<C>> queue = new ArrayDeque<>();
    private final Map<WorkerBinding, Long> cycleNanos = new HashMap<>();
    private final Map<Isolation, Long> levelCycleNanos = new EnumMap<>(Isolation.class);
    private long bootNanos = INITIAL_BOOT_NANOS;
    private boolean bootMeasured;
    /** The last call submitted or boot finished, or the pool's first event; the rest is counted from it. */
    private long lastActivityNanos;
    private boolean started;

    /**
     * @param attach gives a call to a worker; false when the call has ended meanwhile (cancelled, timed out),
     *               and the worker is then offered to the next call
     */
    PlacementPolicy(Limits limits, BiPredicate<C, W> attach) {
        this.limits = limits;
        this.attach = attach;
    }

    // ---- calls

    /** A new call of {@code binding}: run it now, queue it, or refuse it. */
    Placement<C, W> submit(C call, WorkerBinding binding, long now) {
        activity(now);
        Slot<W> worker = mostRecentlyUsedIdle(binding);
        if (worker == null) {
            Slot<W> spare = oldestIdleSpare();
            if (spare != null && (queue.size() >= queueLimit()
                    || takesSpare(binding, queuedFor(binding), remainingTimes(now)))) {
                worker = spare; // a spare rather than a refusal, even when waiting would have been cheaper
            }
        }
        if (worker != null) {
            Assignment<C, W> assignment = give(call, binding, worker, now);
            return assignment != null ? new Placement<>(Outcome.RUN, assignment) : new Placement<>(Outcome.ENDED, null);
        }
        if (queue.size() >= queueLimit()) {
            return new Placement<>(Outcome.REFUSED, null);
        }
        queue.add(new Waiting<>(call, binding));
        return new Placement<>(Outcome.QUEUED, null);
    }

    /** The queued {@code call} has ended (cancelled, timed out): forget it. @return whether it was queued */
    boolean withdraw(C call) {
        for (Iterator<Waiting<C>> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().call() == call) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /** Every queued call, taken out of the queue (to be failed). */
    List<C> drainQueue() {
        List<C> calls = new ArrayList<>(queue.size());
        queue.forEach(waiting -> calls.add(waiting.call()));
        queue.clear();
        return calls;
    }

    /**
     * Queued calls whose wait for the workers of their binding has grown to a boot's (a worker runs late,
     * or exited) go to idle spares.
     */
    List<Assignment<C, W>> review(long now) {
        List<Assignment<C, W>> handed = new ArrayList<>();
        if (queue.isEmpty() || oldestIdleSpare() == null) {
            return handed;
        }
        Map<WorkerBinding, long[]> remaining = remainingTimes(now);
        Map<WorkerBinding, Integer> ahead = new HashMap<>();
        for (Iterator<Waiting<C>> it = queue.iterator(); it.hasNext(); ) {
            Waiting<C> waiting = it.next();
            int before = ahead.getOrDefault(waiting.binding(), 0);
            if (!takesSpare(waiting.binding(), before, remaining)) {
                ahead.put(waiting.binding(), before + 1);
                continue;
            }
            Slot<W> spare = oldestIdleSpare();
            if (spare == null) {
                break;
            }
            it.remove();
            Assignment<C, W> assignment = give(waiting.call(), waiting.binding(), spare, now);
            if (assignment != null) {
                handed.add(assignment);
            }
        }
        return handed;
    }

    // ---- workers

    /** The pool started {@code worker}. */
    void spawned(W worker, long now) {
        if (!started) {
            activity(now);
        }
        slots.put(worker, new Slot<>(worker, now));
    }

    /**
     * {@code worker} reports ready: booted, or back from a call. @return the queued call it takes now, or null
     * when it stays idle
     */
    Assignment<C, W> ready(W worker, long now) {
        Slot<W> slot = slots.get(worker);
        if (slot == null || slot.state == State.IDLE) {
            return null;
        }
        if (slot.state == State.BOOTING) {
            bootNanos = bootMeasured ? average(bootNanos, now - slot.since) : now - slot.since;
            bootMeasured = true;
            activity(now);
        } else if (slot.state == State.RETURNING) {
            measureCycle(slot.binding, now - slot.since);
        }
        Map<WorkerBinding, long[]> remaining = slot.binding == null ? remainingTimes(now) : null;
        Map<WorkerBinding, Integer> ahead = new HashMap<>();
        for (Iterator<Waiting<C>> it = queue.iterator(); it.hasNext(); ) {
            Waiting<C> waiting = it.next();
            boolean takes;
            if (slot.binding != null) {
                takes = slot.binding.equals(waiting.binding());
            } else {
                int before = ahead.getOrDefault(waiting.binding(), 0);
                takes = takesSpare(waiting.binding(), before, remaining);
                if (!takes) {
                    ahead.put(waiting.binding(), before + 1);
                }
            }
            if (takes) {
                it.remove();
                Assignment<C, W> assignment = give(waiting.call(), waiting.binding(), slot, now);
                if (assignment != null) {
                    return assignment;
                }
            }
        }
        slot.state = State.IDLE;
        slot.since = now;
        idle.addLast(slot);
        return null;
    }

    /** {@code worker} answered its call; {@code comesBack}: it will report ready again, else it exits. */
    void answered(W worker, boolean comesBack) {
        Slot<W> slot = slots.get(worker);
        if (slot != null && (slot.state == State.BUSY || slot.state == State.LEAVING)) {
            slot.state = comesBack && !slot.lastCall ? State.RETURNING : State.LEAVING;
        }
    }

    /**
     * {@code worker}, booting or on a call, is being killed: it will not come back, and its place is about to be
     * free. An idle worker is left as it is: a timer that lost a race with the call's end must not take it out
     * of circulation (idle workers are retired by {@link #plan} only).
     */
    void leaving(W worker) {
        Slot<W> slot = slots.get(worker);
        if (slot != null && slot.state != State.IDLE) {
            slot.state = State.LEAVING;
        }
    }

    /** {@code worker} failed to boot (it exits, if it has not already). */
    void bootFailed(W worker) {
        leaving(worker);
    }

    /**
     * {@code worker}'s process is gone. @return queued calls that were waiting for it and now go to idle spares
     */
    List<Assignment<C, W>> exited(W worker, long now) {
        Slot<W> slot = slots.remove(worker);
        if (slot == null) {
            return List.of();
        }
        idle.remove(slot);
        if (slot.binding != null && slots.values().stream().noneMatch(s -> slot.binding.equals(s.binding))) {
            cycleNanos.remove(slot.binding); // many identities come and go; their level's average stays
        }
        return review(now);
    }

    // ---- sizing

    /** Workers to start and to retire now. */
    Plan<W> plan(long now) {
        if (!started) {
            activity(now);
        }
        int spareTarget = spareTarget(now);
        List<W> idleTooLong = new ArrayList<>();
        if (limits.idleTimeoutNanos() > 0) {
            int sparesLeft = countIdleSpares();
            for (Iterator<Slot<W>> it = idle.iterator(); it.hasNext(); ) {
                Slot<W> slot = it.next();
                if (now - slot.since < limits.idleTimeoutNanos()) {
                    break; // the rest became idle later
                }
                if (slot.binding == null) {
                    if (sparesLeft <= spareTarget) {
                        continue;
                    }
                    sparesLeft--;
                }
                it.remove();
                slot.state = State.LEAVING;
                idleTooLong.add(slot.worker);
            }
        }
        int booting = count(State.BOOTING);
        int needed = spareTarget + uncoveredQueuedCalls(now) - booting - countIdleSpares();
        int boots = Math.min(needed, limits.bootsInFlight() - booting);
        List<W> forRoom = new ArrayList<>();
        if (boots > 0) {
            int room = limits.max() - slots.size() + count(State.LEAVING);
            for (Iterator<Slot<W>> it = idle.iterator(); boots > room && it.hasNext(); ) {
                Slot<W> slot = it.next();
                if (slot.binding != null) {
                    it.remove();
                    slot.state = State.LEAVING;
                    forRoom.add(slot.worker);
                    room++; // its exit brings another plan, which then starts the worker
                }
            }
            boots = Math.min(boots, limits.max() - slots.size());
        }
        return new Plan<>(Math.max(0, boots), idleTooLong, forRoom);
    }

    /**
     * When the decisions above may change without any event: while calls wait, {@link #REVIEW_NANOS} from now;
     * when an idle worker may retire, then, but not sooner than that (a decision due already was taken by the
     * {@link #plan} before, and one that was not must not make the pool spin). {@link Long#MAX_VALUE}: no review
     * needed.
     */
    long nextReview(long now) {
        long at = queue.isEmpty() ? Long.MAX_VALUE : now + REVIEW_NANOS;
        if (limits.idleTimeoutNanos() > 0) {
            int spares = countIdleSpares();
            int spareTarget = spareTarget(now);
            for (Slot<W> slot : idle) {
                if (slot.binding != null || spares > spareTarget) {
                    at = Math.min(at, slot.since + limits.idleTimeoutNanos());
                    break; // the first such in idle order is the soonest
                }
            }
            if (spares > limits.spareAtRest() && spareTarget > limits.spareAtRest()) {
                // the oldest idle spare retires when the pool comes to rest, if it has been idle long enough
                Slot<W> oldest = oldestIdleSpare();
                at = Math.min(at, Math.max(oldest.since + limits.idleTimeoutNanos(),
                        lastActivityNanos + limits.restNanos()));
            }
        }
        return at == Long.MAX_VALUE ? at : Math.max(at, now + REVIEW_NANOS);
    }

    // ---- what the pool reports

    /** How many calls may be queued: {@code queue} beyond those booting, exiting and startable workers take. */
    int queueLimit() {
        int comingFree = count(State.BOOTING) + count(State.RETURNING) + count(State.LEAVING);
        return limits.queue() + comingFree + Math.max(0, limits.max() - slots.size());
    }

    PoolStats stats() {
        return new PoolStats(slots.size(), count(State.BOOTING), idle.size(),
                count(State.BUSY) + count(State.RETURNING) + count(State.LEAVING), queue.size());
    }

    int idleCount() {
        return idle.size();
    }

    boolean isIdle(W worker) {
        Slot<W> slot = slots.get(worker);
        return slot != null && slot.state == State.IDLE;
    }

    /** No worker booting or idle: queued calls have none in sight but busy ones. */
    boolean nothingInSight() {
        return idle.isEmpty() && count(State.BOOTING) == 0;
    }

    long bootNanos() {
        return bootNanos;
    }

    long cycleNanos(WorkerBinding binding) {
        Long measured = cycleNanos.get(binding);
        if (measured != null) {
            return measured;
        }
        return levelCycleNanos.getOrDefault(binding.isolation(), INITIAL_CALL_NANOS);
    }

    // ---- internals

    private void activity(long now) {
        lastActivityNanos = now;
        started = true;
    }

    /** Spares to keep now: {@code spareAtRest} once the pool is at rest, else {@code spare}. */
    private int spareTarget(long now) {
        boolean atRest = limits.restNanos() > 0 && started && now - lastActivityNanos >= limits.restNanos();
        return atRest ? limits.spareAtRest() : limits.spare();
    }

    private Assignment<C, W> give(C call, WorkerBinding binding, Slot<W> slot, long now) {
        if (!attach.test(call, slot.worker)) {
            return null;
        }
        if (slot.state == State.IDLE) {
            idle.remove(slot);
        }
        slot.binding = binding;
        slot.state = State.BUSY;
        slot.since = now;
        slot.calls++;
        slot.lastCall = slot.calls >= limits.maxCalls().applyAsInt(binding.isolation());
        return new Assignment<>(call, slot.worker, binding, slot.lastCall);
    }

    private Slot<W> mostRecentlyUsedIdle(WorkerBinding binding) {
        for (Iterator<Slot<W>> it = idle.descendingIterator(); it.hasNext(); ) {
            Slot<W> slot = it.next();
            if (binding.equals(slot.binding)) {
                return slot;
            }
        }
        return null;
    }

    private Slot<W> oldestIdleSpare() {
        for (Slot<W> slot : idle) {
            if (slot.binding == null) {
                return slot;
            }
        }
        return null;
    }

    /**
     * Whether a call of {@code binding} with {@code ahead} calls of that binding before it should take a spare
     * (or a new worker) rather than wait for the binding's own workers; {@code remaining} as
     * {@link #remainingTimes} gives it.
     */
    private boolean takesSpare(WorkerBinding binding, int ahead, Map<WorkerBinding, long[]> remaining) {
        long[] times = remaining.get(binding);
        if (times == null) {
            return true;
        }
        int n = times.length;
        long wait = times[ahead % n] + (long) (ahead / n) * cycleNanos(binding);
        return wait >= bootNanos;
    }

    /**
     * For each binding with workers that come back, how long until each is back, soonest first: the distance
     * to its dispatch plus its binding's cycle, in either direction (a worker late by some time is expected to
     * take about as long again).
     */
    private Map<WorkerBinding, long[]> remainingTimes(long now) {
        Map<WorkerBinding, long[]> remaining = new HashMap<>();
        for (Slot<W> slot : slots.values()) {
            if (slot.comesBack()) {
                long time = Math.abs(slot.since + cycleNanos(slot.binding) - now);
                remaining.merge(slot.binding, new long[] {time}, (a, b) -> {
                    long[] both = Arrays.copyOf(a, a.length + 1);
                    both[a.length] = b[0];
                    return both;
                });
            }
        }
        remaining.values().forEach(Arrays::sort);
        return remaining;
    }

    /** Queued calls that would wait longer than a boot for the workers of their binding. */
    private int uncoveredQueuedCalls(long now) {
        if (queue.isEmpty()) {
            return 0;
        }
        Map<WorkerBinding, long[]> remaining = remainingTimes(now);
        Map<WorkerBinding, Integer> ahead = new HashMap<>();
        int uncovered = 0;
        for (Waiting<C> waiting : queue) {
            int before = ahead.getOrDefault(waiting.binding(), 0);
            if (takesSpare(waiting.binding(), before, remaining)) {
                uncovered++;
            } else {
                ahead.put(waiting.binding(), before + 1);
            }
        }
        return uncovered;
    }

    private int queuedFor(WorkerBinding binding) {
        int count = 0;
        for (Waiting<C> waiting : queue) {
            if (binding.equals(waiting.binding())) {
                count++;
            }
        }
        return count;
    }

    private void measureCycle(WorkerBinding binding, long sample) {
        cycleNanos.merge(binding, sample, PlacementPolicy::average);
        levelCycleNanos.merge(binding.isolation(), sample, PlacementPolicy::average);
    }

    private static long average(long average, long sample) {
        return average + (sample - average) / SAMPLE_SHARE_DIVISOR;
    }

    private int countIdleSpares() {
        int count = 0;
        for (Slot<W> slot : idle) {
            if (slot.binding == null) {
                count++;
            }
        }
        return count;
    }

    private int count(State state) {
        int count = 0;
        for (Slot<W> slot : slots.values()) {
            if (slot.state == state) {
                count++;
            }
        }
        return count;
    }
}
