package org.harpd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.IntFunction;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.pool.PlacementPolicy.Assignment;
import org.harpd.pool.PlacementPolicy.Outcome;
import org.harpd.pool.PlacementPolicy.Placement;
import org.harpd.pool.PlacementPolicy.Plan;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.junit.jupiter.api.Test;

/** The pool's decisions, with workers and calls as names and time as a number: no JVM, no clock. */
class PlacementPolicyTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final WorkerBinding ALICE = binding("alice", Isolation.SHARED);
    private static final WorkerBinding BOB = binding("bob", Isolation.SHARED);

    private final Set<String> ended = new HashSet<>();
    private PlacementPolicy<String, String> policy;

    private static WorkerBinding binding(String user, Isolation isolation) {
        return new WorkerBinding(new Identity(IdRef.ofName(user), List.of()), isolation);
    }

    private PlacementPolicy<String, String> policy(int spare, int max, long idleTimeout, int bootsInFlight) {
        policy = new PlacementPolicy<>(new PlacementPolicy.Limits(spare, max, 1_000, idleTimeout, bootsInFlight,
                level -> level == Isolation.PROCESS ? 1 : 1_000), (call, worker) -> !ended.contains(call));
        return policy;
    }

    /** A worker spawned at {@code at} and ready {@code bootTime} later (which measures the boot). */
    private void boot(String worker, long at, long bootTime) {
        policy.spawned(worker, at);
        assertNull(policy.ready(worker, at + bootTime));
    }

    private Assignment<String, String> run(String call, WorkerBinding binding, long now) {
        Placement<String, String> placement = policy.submit(call, binding, now);
        assertEquals(Outcome.RUN, placement.outcome(), call);
        return placement.assignment();
    }

    /** {@code worker}, given a call at {@code from}, answers and is ready again at {@code to}. */
    private void serve(String worker, String call, WorkerBinding binding, long from, long to) {
        assertEquals(worker, run(call, binding, from).worker());
        policy.answered(worker, true);
        assertNull(policy.ready(worker, to));
    }

    @Test
    void anIdleWorkerOfTheCallsBindingTakesItTheMostRecentlyUsedFirst() {
        policy(1, 8, 0, 1);
        boot("a1", 0, S);
        boot("a2", 0, S);
        boot("spare", 0, S);
        assertEquals("a1", run("c1", ALICE, 2 * S).worker(), "the spare idle longest");
        // a1 has not answered for 2 s, longer than a boot: the next alice call takes a spare
        assertEquals("a2", run("c2", ALICE, 4 * S).worker());
        policy.answered("a1", true);
        assertNull(policy.ready("a1", 4 * S + 100 * MS));
        policy.answered("a2", true);
        assertNull(policy.ready("a2", 4 * S + 200 * MS));

        assertEquals("a2", run("c3", ALICE, 5 * S).worker(), "a2 was used last");
        assertEquals("a1", run("c4", ALICE, 4 * S).worker());
        assertEquals("spare", run("c5", BOB, 4 * S).worker(), "bob takes no alice worker");
    }

    @Test
    void aCallWaitsForItsBindingsWorkerWhenThatIsCheaperThanABootElseTakesASpare() {
        policy(1, 8, 0, 1);
        boot("a", 0, 1500 * MS);
        boot("spare", 0, 1500 * MS); // the boot cost: 1.5 s
        serve("a", "c0", ALICE, 2 * S, 2 * S + 10 * MS); // alice's call cycle: 10 ms
        policy.spawned("refill", 2 * S); // the pool replaced the spare "a" was
        assertNull(policy.ready("refill", 2 * S + 1500 * MS));

        long now = 4 * S + MS;
        run("c1", ALICE, 4 * S);
        assertEquals(Outcome.QUEUED, policy.submit("c2", ALICE, now).outcome(), "a is back in 9 ms");
        for (int i = 3; i <= 151; i++) {
            // i - 2 calls ahead, 10 ms each, after 9 ms: up to 1.499 s, shorter than a boot
            assertEquals(Outcome.QUEUED, policy.submit("c" + i, ALICE, now).outcome(), "c" + i);
        }
        // with 150 calls ahead its wait, 1.509 s, is longer than a boot: a spare is cheaper
        assertEquals("spare", run("c152", ALICE, now).worker());
    }

    @Test
    void aWorkerWithSlowCallsSendsTheNextCallToASpare() {
        policy(1, 8, 0, 1);
        boot("a", 0, 1500 * MS);
        boot("spare", 0, 1500 * MS);
        serve("a", "c0", ALICE, 2 * S, 5 * S); // alice's calls take 3 s
        policy.spawned("refill", 2 * S);
        policy.ready("refill", 3500 * MS);

        run("c1", ALICE, 6 * S);
        assertEquals("spare", run("c2", ALICE, 6 * S + MS).worker());
    }

    @Test
    void aQueuedCallWhoseWorkerRunsLateGoesToASpareOnceTheWaitReachesABoot() {
        policy(1, 8, 0, 1);
        boot("a", 0, S);
        boot("spare", 0, S); // boots take 1 s
        serve("a", "c0", ALICE, 2 * S, 2 * S + 10 * MS);
        policy.spawned("refill", 2 * S);
        policy.ready("refill", 3 * S);

        long dispatched = 4 * S;
        run("c1", ALICE, dispatched);
        policy.answered("a", true); // answered; its reset runs long
        assertEquals(Outcome.QUEUED, policy.submit("c2", ALICE, dispatched + 2 * MS).outcome());
        assertTrue(policy.nextReview(dispatched + 2 * MS) <= dispatched + 2 * MS + PlacementPolicy.REVIEW_NANOS);

        assertTrue(policy.review(dispatched + 500 * MS).isEmpty(), "late by 0.49 s: still cheaper than a boot");
        List<Assignment<String, String>> handed = policy.review(dispatched + 10 * MS + S);
        assertEquals(1, handed.size(), "late by a boot's time");
        assertEquals("c2", handed.get(0).call());
        assertEquals("spare", handed.get(0).worker(), "the spare idle longest");
    }

    @Test
    void aQueuedCallWhoseWorkerExitsGoesToASpare() {
        policy(1, 8, 0, 1);
        boot("a", 0, S);
        boot("spare", 0, S);
        serve("a", "c0", ALICE, 2 * S, 2 * S + 10 * MS);
        run("c1", ALICE, 3 * S);
        policy.answered("a", true);
        assertEquals(Outcome.QUEUED, policy.submit("c2", ALICE, 3 * S + 2 * MS).outcome());

        List<Assignment<String, String>> handed = policy.exited("a", 3 * S + 3 * MS);
        assertEquals(List.of("c2"), handed.stream().map(Assignment::call).toList());
        assertEquals("spare", handed.get(0).worker());
    }

    @Test
    void aBindingWithoutWorkersTakesASpareAndAProcessCallAlwaysDoes() {
        policy(2, 8, 0, 1);
        boot("s1", 0, S);
        boot("s2", 0, S);
        Assignment<String, String> first = run("p1", binding("carol", Isolation.PROCESS), 2 * S);
        assertTrue(first.lastCall(), "a process worker serves one call");
        assertEquals("s2", run("p2", binding("carol", Isolation.PROCESS), 2 * S).worker());
    }

    @Test
    void aWorkerIsStartedOnlyWhenItsQueueWouldWaitLongerThanABoot() {
        policy(0, 8, 0, 1);
        policy.spawned("a", 0);
        long now = S;
        policy.submit("c0", ALICE, now);
        assertEquals(0, policy.plan(now).boots(), "c0 waits for the worker that is booting");
        Assignment<String, String> first = policy.ready("a", 1500 * MS); // boot: 1.5 s
        assertEquals("c0", first.call());
        policy.answered("a", true);
        assertNull(policy.ready("a", 1510 * MS)); // cycle: 10 ms
        run("c1", ALICE, 2 * S);

        for (int i = 2; i < 140; i++) {
            assertEquals(Outcome.QUEUED, policy.submit("c" + i, ALICE, 2 * S).outcome());
        }
        assertEquals(0, policy.plan(2 * S).boots(), "138 queued, drained in 1.39 s: shorter than a boot");
        for (int i = 140; i < 200; i++) {
            policy.submit("c" + i, ALICE, 2 * S);
        }
        assertEquals(1, policy.plan(2 * S).boots(), "198 queued: the last would wait 1.98 s");
    }

    @Test
    void atMostTheBootLimitOfWorkersBootAtOnceSpareRefillsIncluded() {
        assertEquals(1, PlacementPolicy.bootsInFlight(1));
        assertEquals(1, PlacementPolicy.bootsInFlight(2));
        assertEquals(2, PlacementPolicy.bootsInFlight(4));

        policy(3, 32, 0, 1);
        assertEquals(1, policy.plan(0).boots(), "3 spares wanted, one at a time");
        policy.spawned("s1", 0);
        for (int i = 0; i < 6; i++) {
            policy.submit("c" + i, binding("user" + i, Isolation.SHARED), MS);
        }
        assertEquals(0, policy.plan(MS).boots(), "6 calls with no worker, but one boot is in flight");
        assertEquals("c0", policy.ready("s1", S).call());
        assertEquals(1, policy.plan(S).boots());

        policy(3, 32, 0, 2);
        assertEquals(2, policy.plan(0).boots());
    }

    @Test
    void idleSwitchedWorkersRetireAfterTheIdleTimeoutAndSparesStay() {
        policy(2, 8, 10 * S, 1);
        boot("s1", 0, S);
        boot("s2", 0, S);
        boot("s3", 0, S);
        boot("s4", 0, S);
        boot("s5", 0, S);
        serve("s1", "c1", ALICE, 2 * S, 2 * S + 5 * MS); // alice's worker, idle from 2.005 s
        serve("s2", "c2", BOB, 3 * S, 3 * S + 5 * MS); // bob's, idle from 3.005 s

        assertEquals(1 * S + 10 * S, policy.nextReview(2 * S), "the extra spare s3, idle since 1 s");
        Plan<String> early = policy.plan(10 * S);
        assertEquals(List.of(), early.idleTooLong());
        assertEquals(0, early.boots());

        Plan<String> plan = policy.plan(12 * S + 5 * MS);
        assertEquals(List.of("s3", "s1"), plan.idleTooLong(), "the extra spare and alice's worker");
        assertEquals(13 * S + 5 * MS, policy.nextReview(12 * S + 5 * MS), "next: bob's worker, idle since 3.005 s");
        assertEquals(List.of("s2"), policy.plan(13 * S + 5 * MS).idleTooLong());
        assertEquals(List.of(), policy.plan(1_000 * S).idleTooLong(), "never below 2 spares");
        assertEquals(Long.MAX_VALUE, policy.nextReview(1_000 * S));
        assertEquals(2, policy.stats().ready());
    }

    /** Two spares while calls come, one once none has come (and no boot has finished) for 30 s. */
    private void restingPolicy() {
        policy = new PlacementPolicy<>(new PlacementPolicy.Limits(2, 8, 1_000, 10 * S, 1, level -> 1_000, 1,
                30 * S), (call, worker) -> !ended.contains(call));
    }

    @Test
    void atRestTheOldestIdleSpareRetiresDownToTheSparesAtRest() {
        restingPolicy();
        assertEquals(1, policy.plan(0).boots(), "two spares at start, one boot at a time");
        boot("s1", 0, S);
        boot("s2", S, S); // the last boot finished at 2 s: the rest starts at 32 s
        assertEquals(0, policy.plan(2 * S).boots());

        assertEquals(32 * S, policy.nextReview(2 * S), "when the pool comes to rest");
        assertEquals(List.of(), policy.plan(31 * S).idleTooLong(), "idle long enough, but not yet at rest");
        Plan<String> atRest = policy.plan(32 * S);
        assertEquals(List.of("s1"), atRest.idleTooLong(), "the spare idle longest");
        assertEquals(0, atRest.boots(), "not replaced");
        policy.exited("s1", 32 * S);
        assertEquals(List.of(), policy.plan(1_000 * S).idleTooLong(), "one spare stays");
        assertEquals(0, policy.plan(1_000 * S).boots());
        assertEquals(Long.MAX_VALUE, policy.nextReview(1_000 * S));
    }

    @Test
    void aCallAtRestTakesTheRemainingSpareAndTheSparesAreBootedAgain() {
        restingPolicy();
        boot("s1", 0, S);
        boot("s2", 0, S);
        assertEquals(List.of("s1"), policy.plan(100 * S).idleTooLong());
        policy.exited("s1", 100 * S);

        assertEquals("s2", run("c1", ALICE, 200 * S).worker(), "no wait for a boot");
        assertEquals(1, policy.plan(200 * S).boots(), "one boot at a time towards two spares");
        boot("s3", 200 * S, S);
        assertEquals(1, policy.plan(201 * S).boots());
        boot("s4", 201 * S, S);
        assertEquals(0, policy.plan(202 * S).boots());
        assertEquals(2, policy.stats().ready(), "two spares beside alice's busy worker");
    }

    @Test
    void withoutARestPeriodTheSparesStay() {
        policy(2, 8, 10 * S, 1);
        boot("s1", 0, S);
        boot("s2", 0, S);
        assertEquals(List.of(), policy.plan(1_000_000 * S).idleTooLong());
    }

    @Test
    void anIdleTimeoutOfZeroRetiresNothing() {
        policy(0, 8, 0, 1);
        boot("s1", 0, S);
        serve("s1", "c1", ALICE, 2 * S, 2 * S + 5 * MS);
        assertEquals(List.of(), policy.plan(1_000_000 * S).idleTooLong());
        assertEquals(Long.MAX_VALUE, policy.nextReview(1_000_000 * S));
    }

    @Test
    void atMaxTheLeastRecentlyUsedIdleWorkerOfAnotherBindingMakesRoom() {
        policy(0, 3, 0, 1);
        boot("w1", 0, S);
        boot("w2", 0, S);
        boot("w3", 0, S);
        serve("w1", "c1", BOB, 2 * S, 2 * S + 5 * MS); // bob's worker, idle first
        serve("w2", "c2", ALICE, 3 * S, 3 * S + 5 * MS);
        assertEquals("w3", run("c3", binding("dave", Isolation.SHARED), 4 * S).worker()); // the last spare

        assertEquals(Outcome.QUEUED, policy.submit("c4", binding("erin", Isolation.SHARED), 4 * S).outcome());
        Plan<String> plan = policy.plan(4 * S);
        assertEquals(List.of("w1"), plan.forRoom());
        assertEquals(0, plan.boots(), "w1 is still alive");
        assertEquals(0, policy.plan(4 * S).forRoom().size(), "its exit is awaited, not another retirement");
        policy.exited("w1", 4 * S + 10 * MS);
        assertEquals(1, policy.plan(4 * S + 10 * MS).boots());
    }

    @Test
    void aQueuedCallThatEndedIsSkipped() {
        policy(0, 8, 0, 1);
        policy.spawned("s1", 0);
        policy.submit("gone", ALICE, 0);
        policy.submit("next", BOB, 0);
        ended.add("gone");
        assertEquals("next", policy.ready("s1", S).call());
    }

    @Test
    void callsBeyondTheQueueAreRefused() {
        policy = new PlacementPolicy<>(new PlacementPolicy.Limits(0, 1, 1, 0, 1, level -> 1_000),
                (call, worker) -> true);
        boot("a", 0, S);
        run("c1", ALICE, S);
        assertEquals(Outcome.QUEUED, policy.submit("c2", ALICE, S).outcome());
        assertEquals(Outcome.REFUSED, policy.submit("c3", ALICE, S).outcome());
    }

    // ---- the policy under load, driven as the pool drives it

    /**
     * A pool and its clients in simulated time: each client calls, waits for the answer and calls again at
     * once; a call takes {@code callTime}, after which its worker is ready again at {@code cycle}; a boot takes
     * {@code bootTime}.
     */
    private static final class Simulation {
        private record Event(long at, long order, Runnable action) {
        }

        final PlacementPolicy<String, String> policy;
        final long bootTime;
        final long callTime;
        final long cycle;
        final IntFunction<WorkerBinding> clientBinding;
        final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at
                ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
        final List<Long> bootTimes = new ArrayList<>();
        final Map<Integer, Integer> callsByClient = new HashMap<>();
        final Map<WorkerBinding, Set<String>> workersByBinding = new HashMap<>();
        long thinkTime;
        int clients;
        long now;
        long order;
        long reviewAt = Long.MAX_VALUE;
        int workerNames;
        boolean stopping;

        Simulation(int spare, int max, long idleTimeout, long bootTime, long callTime, long cycle,
                   IntFunction<WorkerBinding> clientBinding) {
            this.policy = new PlacementPolicy<>(new PlacementPolicy.Limits(spare, max, 10_000, idleTimeout, 1,
                    level -> level == Isolation.PROCESS ? 1 : 1_000_000), (call, worker) -> true);
            this.bootTime = bootTime;
            this.callTime = callTime;
            this.cycle = cycle;
            this.clientBinding = clientBinding;
            rebalance();
        }

        void at(long time, Runnable action) {
            events.add(new Event(time, order++, action));
        }

        void addClients(int count) {
            for (int i = 0; i < count; i++) {
                int client = clients++;
                at(now, () -> call(client));
            }
        }

        void call(int client) {
            if (stopping) {
                return;
            }
            String call = client + ":" + callsByClient.merge(client, 1, Integer::sum);
            Placement<String, String> placement = policy.submit(call, clientBinding.apply(client), now);
            if (placement.outcome() == Outcome.RUN) {
                run(placement.assignment());
            }
            rebalance();
        }

        void run(Assignment<String, String> assignment) {
            String worker = assignment.worker();
            workersByBinding.computeIfAbsent(assignment.binding(), b -> new HashSet<>()).add(worker);
            int client = Integer.parseInt(assignment.call().substring(0, assignment.call().indexOf(':')));
            at(now + callTime, () -> {
                policy.answered(worker, !assignment.lastCall());
                if (thinkTime > 0) {
                    at(now + thinkTime, () -> call(client));
                } else {
                    call(client);
                }
            });
            at(now + cycle, () -> {
                if (assignment.lastCall()) {
                    exited(worker);
                } else {
                    Assignment<String, String> next = policy.ready(worker, now);
                    if (next != null) {
                        run(next);
                    }
                    rebalance();
                }
            });
        }

        void exited(String worker) {
            policy.exited(worker, now).forEach(this::run);
            rebalance();
        }

        void rebalance() {
            Plan<String> plan = policy.plan(now);
            for (String worker : plan.idleTooLong()) {
                at(now + 10 * MS, () -> exited(worker));
            }
            for (String worker : plan.forRoom()) {
                at(now + 10 * MS, () -> exited(worker));
            }
            for (int i = 0; i < plan.boots(); i++) {
                String worker = "w" + ++workerNames;
                policy.spawned(worker, now);
                bootTimes.add(now);
                at(now + bootTime, () -> {
                    Assignment<String, String> first = policy.ready(worker, now);
                    if (first != null) {
                        run(first);
                    }
                    rebalance();
                });
            }
            long review = policy.nextReview(now);
            if (review < reviewAt) {
                reviewAt = review;
                at(review, () -> {
                    if (reviewAt == now) {
                        reviewAt = Long.MAX_VALUE;
                        policy.review(now).forEach(this::run);
                        rebalance();
                    }
                });
            }
        }

        void runUntil(long end) {
            long budget = 10_000_000; // a policy that makes the pool spin fails the test rather than hang it
            while (!events.isEmpty() && events.peek().at <= end) {
                if (--budget == 0) {
                    throw new AssertionError("the pool spins at " + now);
                }
                Event event = events.poll();
                now = event.at;
                event.action.run();
            }
            now = end;
        }

        long bootsAfter(long time) {
            return bootTimes.stream().filter(t -> t > time).count();
        }

        int totalCalls() {
            return callsByClient.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    @Test
    void aSteadyLoadReachesASteadySetOfWorkersAndBootsNoMore() {
        for (int clients : new int[] {1, 8, 64}) {
            Simulation shared = new Simulation(2, 32, 10 * S, 1500 * MS, MS, 2 * MS, client -> ALICE);
            shared.addClients(clients);
            shared.runUntil(60 * S);
            assertEquals(0, shared.bootsAfter(5 * S), clients + " shared clients");
            assertEquals(1, shared.workersByBinding.get(ALICE).size(),
                    clients + " shared clients: one worker drains the queue well within a boot");
            assertEquals(3, shared.policy.stats().alive(), "it and the 2 spares");
        }

        // interpreter calls queued 64 deep behind one worker wait 64 x 40 ms, longer than a boot: the pool
        // grows, then stops growing
        WorkerBinding fresh = binding("alice", Isolation.INTERPRETER);
        Simulation interpreter = new Simulation(2, 32, 10 * S, 1500 * MS, 5 * MS, 40 * MS, client -> fresh);
        interpreter.addClients(64);
        interpreter.runUntil(120 * S);
        int grown = interpreter.workersByBinding.get(fresh).size();
        assertTrue(grown > 1 && grown <= 4, "workers for 64 clients: " + grown);
        assertEquals(0, interpreter.bootsAfter(30 * S));
    }

    @Test
    void aSequentialClientKeepsOneWorkerAndThePoolShrinksToItsSparesAtRest() {
        WorkerBinding fresh = binding("alice", Isolation.INTERPRETER);
        // the answer after 2 ms, the reset done 10 ms after the dispatch: each call waits for the reset
        Simulation sim = new Simulation(2, 32, 10 * S, 1500 * MS, 2 * MS, 10 * MS, client -> fresh);
        sim.addClients(1);
        sim.runUntil(30 * S);
        assertEquals(1, sim.workersByBinding.get(fresh).size());
        assertTrue(sim.totalCalls() > 2_000, "calls: " + sim.totalCalls());
        assertEquals(3, sim.bootTimes.size(), "2 spares and the refill of the one taken");

        sim.stopping = true;
        sim.runUntil(30 * S + 10 * S + 100 * MS);
        assertEquals(2, sim.policy.stats().alive(), "back to the spares");
        assertEquals(2, sim.policy.stats().ready());
    }

    @Test
    void manyIdentitiesEachGetAWorker() {
        Simulation sim = new Simulation(2, 32, 10 * S, 1500 * MS, MS, 3 * MS,
                client -> binding("user" + client, Isolation.SHARED));
        sim.addClients(12);
        sim.runUntil(60 * S);
        for (int client = 0; client < 12; client++) {
            assertTrue(sim.callsByClient.get(client) > 100, "client " + client + ": " + sim.callsByClient);
            assertEquals(1, sim.workersByBinding.get(binding("user" + client, Isolation.SHARED)).size());
        }
        assertEquals(0, sim.bootsAfter(40 * S), "12 workers and 2 spares, then no boot");
        assertEquals(14, sim.policy.stats().alive());

        // more identities than max, each calling every 0.1 s: idle workers make room for the others, by turns
        Simulation crowded = new Simulation(0, 4, 10 * S, 1500 * MS, MS, 3 * MS,
                client -> binding("user" + client, Isolation.SHARED));
        crowded.thinkTime = 100 * MS;
        crowded.addClients(6);
        crowded.runUntil(120 * S);
        for (int client = 0; client < 6; client++) {
            assertTrue(crowded.callsByClient.get(client) > 1, "client " + client + ": " + crowded.callsByClient);
        }
        assertTrue(crowded.policy.stats().alive() <= 4);
    }

    @Test
    void processCallsTakeSparesThatAreRefilledOneBootAtATime() {
        WorkerBinding once = binding("alice", Isolation.PROCESS);
        Simulation sim = new Simulation(2, 32, 10 * S, 1500 * MS, 10 * MS, 20 * MS, client -> once);
        sim.addClients(8);
        sim.runUntil(30 * S);
        assertFalse(sim.bootTimes.isEmpty());
        for (int i = 1; i < sim.bootTimes.size(); i++) {
            assertTrue(sim.bootTimes.get(i) - sim.bootTimes.get(i - 1) >= 1500 * MS, "boots overlap: " + sim.bootTimes);
        }
        assertTrue(sim.policy.stats().alive() <= 8);
    }
}
