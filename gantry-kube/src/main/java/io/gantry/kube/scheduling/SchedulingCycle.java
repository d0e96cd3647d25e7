package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ScheduleResult;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.metrics.SchedulerMetrics.Result;
import io.gantry.kube.model.PodDemand;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import java.util.Optional;

/**
 * The scheduling cycle, one pod at a time on the loop thread: the next ready pod from the queue, the engine's
 * decision, and then either the pod assumed on its node (the mirror holds it, the engine has reserved it) and handed
 * to the binding cycle, or {@code FailedScheduling} with the explanation and a wait for a cluster change.
 */
final class SchedulingCycle {

    private final SchedulingQueue queue;
    private final ClusterMirror mirror;
    private final DerivedEngine engine;
    private final BindingCycle binding;
    private final PodRecorder recorder;
    private final SchedulerMetrics metrics;

    SchedulingCycle(SchedulingQueue queue, ClusterMirror mirror, DerivedEngine engine, BindingCycle binding,
            PodRecorder recorder, SchedulerMetrics metrics) {
        this.queue = requireNonNull(queue, "queue");
        this.mirror = requireNonNull(mirror, "mirror");
        this.engine = requireNonNull(engine, "engine");
        this.binding = requireNonNull(binding, "binding");
        this.recorder = requireNonNull(recorder, "recorder");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Tries the next ready pod; false when none is ready. */
    boolean scheduleOne(long now) {
        Optional<Entry> next = queue.pop(now);
        if (next.isEmpty()) {
            return false;
        }
        Entry e = next.get();
        if (!(e.demand instanceof PodDemand.Valid valid) || !e.unsupported.isEmpty()) {
            queue.invalid(e, now);
            return true;
        }
        long t0 = System.nanoTime();
        ScheduleResult result = engine.schedule(valid.request());
        metrics.decision(System.nanoTime() - t0);
        if (result instanceof ScheduleResult.Scheduled s) {
            mirror.place(new PlacedPod(e.key, e.uid(), s.allocation().nodeName(), valid.request(),
                    s.allocation().gpuIndices(), true));
            binding.bind(e.pod, valid.request(), s.allocation());
        } else if (result instanceof ScheduleResult.Unschedulable u) {
            queue.unschedulable(e, System.nanoTime());
            metrics.attempt(Result.UNSCHEDULABLE);
            recorder.unschedulable(e, KubeWording.message(u.explanation(), valid.request()));
        } else if (result instanceof ScheduleResult.Waiting w) {
            // No shipped profile has a Permit plugin that waits; should one, say so rather than hold the pod.
            engine.reject(e.key);
            queue.backoff(e, System.nanoTime());
            metrics.attempt(Result.ERROR);
            recorder.unschedulable(e, "a Permit plugin asked to hold the pod on " + w.allocation().nodeName()
                    + ", which Gantry's Kubernetes scheduler does not support yet; will retry");
        }
        return true;
    }
}
