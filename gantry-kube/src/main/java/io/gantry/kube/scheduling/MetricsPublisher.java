package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;
import io.gantry.kube.metrics.SchedulerMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    /** The over-committed nodes, kept up to date from the touched ones; sorted, as the warnings go out. */
    private final Map<String, GpuOvercommit> over = new TreeMap<>();
    /** The nodes whose GPU figures are published. */
    private final Set<String> published = new HashSet<>();

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
        // Only the nodes touched since the last period are looked at again: walking all 5,000 nodes and their pods
        // every period was a sixth of the loop thread's time in a burst.
        Set<String> touched = mirror.takeTouchedNodes();
        if (!touched.isEmpty()) {
            ClusterState state = engine.state();
            Map<String, SchedulerMetrics.NodeGpus> changed = new HashMap<>();
            List<String> gone = new ArrayList<>();
            for (String name : touched) {
                NodeSpec n = mirror.node(name).orElse(null);
                GpuOvercommit o = n == null ? null : GpuOvercommit.of(n, mirror.placedOn(name));
                if (o == null) {
                    over.remove(name);
                } else {
                    over.put(name, o);
                }
                int slot = n == null || !state.hasNode(name) ? -1 : state.slotOf(name);
                int total = slot < 0 ? 0 : state.gpuCount(slot);
                if (total == 0) {
                    if (published.remove(name)) {
                        gone.add(name);
                    }
                    continue;
                }
                double used = o != null ? Math.min(total, o.heldMilli() / (double) NodeSpec.MILLI_PER_GPU)
                        : total - state.gpuLeftTotal(slot) / (double) NodeSpec.MILLI_PER_GPU;
                changed.put(name, new SchedulerMetrics.NodeGpus(n.gpuModel(), total, used,
                        o == null ? 0 : o.overMilli() / (double) NodeSpec.MILLI_PER_GPU));
                published.add(name);
            }
            metrics.updateNodes(changed, gone);
        }
        recorder.overcommitted(over, leader);
    }
}
