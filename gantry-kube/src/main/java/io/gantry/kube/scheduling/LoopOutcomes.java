package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.kube.metrics.SchedulerMetrics;
import java.util.function.Consumer;

/**
 * What a worker's outcome is applied to once it is back on the loop thread: the inbox that takes it there, and the
 * mirror, queue, recorder and metrics it changes. Shared by the jobs that run requests off the loop (binding,
 * preemption).
 */
record LoopOutcomes(Consumer<Runnable> inbox, ClusterMirror mirror, SchedulingQueue queue, PodRecorder recorder,
        SchedulerMetrics metrics) {

    LoopOutcomes {
        requireNonNull(inbox, "inbox");
        requireNonNull(mirror, "mirror");
        requireNonNull(queue, "queue");
        requireNonNull(recorder, "recorder");
        requireNonNull(metrics, "metrics");
    }
}
