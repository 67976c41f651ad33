package org.harpd.server;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import org.harpd.pool.CallExecutor;
import org.harpd.pool.CallHandle;
import org.harpd.pool.CallJob;
import org.harpd.pool.CallSink;
import org.harpd.procedure.ProcedureCatalog;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;

/** In-memory stand-ins for the procedure catalog and the worker pool. */
final class FakeCalls {
    private FakeCalls() {
    }

    static ProcedureInfo procedure(String name, boolean streaming, String... parameters) {
        return new ProcedureInfo(name, streaming, new Signature(List.of(parameters), 0, null, null),
                Duration.ofSeconds(5), null, List.of());
    }

    static ProcedureCatalog catalog(ProcedureInfo... procedures) {
        return new ProcedureCatalog() {
            @Override
            public Optional<ProcedureInfo> find(String name) {
                for (ProcedureInfo p : procedures) {
                    if (p.name().equals(name)) {
                        return Optional.of(p);
                    }
                }
                return Optional.empty();
            }

            @Override
            public Collection<ProcedureInfo> all() {
                return List.of(procedures);
            }
        };
    }

    /** A submitted call, with what happened to it. */
    static final class Submitted implements CallHandle {
        final CallJob job;
        final CallSink sink;
        final CountDownLatch cancelled = new CountDownLatch(1);

        Submitted(CallJob job, CallSink sink) {
            this.job = job;
            this.sink = sink;
        }

        @Override
        public boolean cancel() {
            boolean first = cancelled.getCount() > 0;
            cancelled.countDown();
            return first;
        }

        boolean isCancelled() {
            return cancelled.getCount() == 0;
        }
    }

    /** Records every call; {@code behaviour} (by procedure name) plays the worker, on the caller's thread. */
    static final class Executor implements CallExecutor {
        final List<Submitted> submitted = new CopyOnWriteArrayList<>();
        private final Map<String, BiConsumer<CallJob, CallSink>> behaviour;

        Executor(Map<String, BiConsumer<CallJob, CallSink>> behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        public CallHandle submit(CallJob job, CallSink sink) {
            Submitted call = new Submitted(job, sink);
            submitted.add(call);
            BiConsumer<CallJob, CallSink> worker = behaviour.get(job.procedure().name());
            if (worker != null) {
                worker.accept(job, sink);
            }
            return call;
        }

        Submitted last() {
            return submitted.get(submitted.size() - 1);
        }

        @Override
        public void close() {
        }
    }
}
