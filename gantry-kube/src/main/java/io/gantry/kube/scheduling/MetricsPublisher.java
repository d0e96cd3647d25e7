package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;
import io.gantry.kube.metrics.SchedulerMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the loop's figures to {@link SchedulerMetrics} every {@link #PERIOD_NANOS}, on the loop thread, so a
 * scrape never touches the engine: pending pods, and per node its GPUs, how many are taken, and how many its bound
 * pods hold beyond what it has (which also goes out as a node warning).
 */
final class MetricsPublisher {

    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final SchedulerMetrics metrics;
    private final ClusterMirror mirror;
    private final DerivedEngine engine;
    private final SchedulingQueue queue;
    private final PodRecorder recorder;
    private long last;

    MetricsPublisher(SchedulerMetrics metrics, ClusterMirror mirror, DerivedEngine engine, SchedulingQueue queue,
            PodRecorder recorder) {
        this.metrics = requireNonNull(metrics, "metrics");
        this.mirror = requireNonNull(mirror, "mirror");
        this.engine = requireNonNull(engine, "engine");
        this.queue = requireNonNull(queue, "queue");
        this.recorder = requireNonNull(recorder, "recorder");
        this.last = System.nanoTime() - PERIOD_NANOS;
    }

    void publishIfDue(long now, boolean leader) {
        if (now - last <= PERIOD_NANOS) {
            return;
        }
        last = now;
        metrics.pending(queue.size());
        Map<String, GpuOvercommit> over = GpuOvercommit.find(mirror.nodes(), mirror.placedPods());
        Map<String, SchedulerMetrics.NodeGpus> gpus = new HashMap<>();
        ClusterState state = engine.state();
        for (NodeSpec n : mirror.nodes()) {
            int slot = state.slotOf(n.name());
            int total = state.gpuCount(slot);
            if (total > 0) {
                GpuOvercommit o = over.get(n.name());
                double used = o != null ? Math.min(total, o.heldMilli() / (double) NodeSpec.MILLI_PER_GPU)
                        : total - state.gpuLeftTotal(slot) / (double) NodeSpec.MILLI_PER_GPU;
                gpus.put(n.name(), new SchedulerMetrics.NodeGpus(n.gpuModel(), total, used,
                        o == null ? 0 : o.overMilli() / (double) NodeSpec.MILLI_PER_GPU));
            }
        }
        metrics.publishNodes(gpus);
        recorder.overcommitted(over, leader);
    }
}
