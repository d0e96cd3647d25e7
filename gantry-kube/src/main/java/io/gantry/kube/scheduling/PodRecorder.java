package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the scheduler tells people through the API: events and the {@code PodScheduled} condition on pods, and
 * warnings on nodes. Writes go to a small pool so the loop never waits on the API server; a message already written
 * for a pod (or node) is not written again, as kube-scheduler's recorder aggregates repeats.
 *
 * <p>The report methods run on the loop thread; the writes on the pool.
 */
final class PodRecorder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PodRecorder.class);

    /** As kube-scheduler's (and the API server's, on create) condition for a pod held by its scheduling gates. */
    static final String GATED_MESSAGE = "Scheduling is blocked due to non-empty scheduling gates";

    private final KubeApi api;
    private final ExecutorService writers;
    /** What each over-committed node was last reported with, so a Warning goes out once per change. */
    private final Map<String, String> overcommitReported = new HashMap<>();

    PodRecorder(KubeApi api, ExecutorService writers) {
        this.api = requireNonNull(api, "api");
        this.writers = requireNonNull(writers, "writers");
    }

    /** {@code Normal Scheduled}, as kube-scheduler words it, with the GPUs chosen. */
    void scheduled(Pod pod, GpuAllocation allocation) {
        write(PodKeys.key(pod), () -> api.event(pod, "Normal", "Scheduled", "Binding", "Successfully assigned "
                + PodKeys.key(pod) + " to " + allocation.nodeName() + gpuNote(allocation)));
    }

    private static String gpuNote(GpuAllocation a) {
        if (a.gpuIndices().isEmpty()) {
            return "";
        }
        return a.gpuMilliPerGpu() < NodeSpec.MILLI_PER_GPU
                ? " (GPU " + a.gpuIndices().get(0) + ", " + a.gpuMilliPerGpu() + "/1000)"
                : " (GPUs " + GpuAssignmentCodec.encodeIds(a.gpuIndices()) + ")";
    }

    /** The pod condition that says a bound pod's preferences were not all honoured. */
    static final String PREFERENCES_CONDITION = "gantry.io/PreferencesHonoured";

    /**
     * A pod bound without preferences Gantry does not honour yet: a {@code Warning} event and the condition
     * {@link #PREFERENCES_CONDITION}{@code =False}, reason {@code Unsupported}.
     */
    void ignoredPreferences(Pod pod, String message) {
        write(PodKeys.key(pod), () -> {
            api.event(pod, "Warning", "UnsupportedConstraints", "Scheduling", message);
            api.condition(pod, PREFERENCES_CONDITION, "False", "Unsupported", message);
        });
    }

    /** A preemptor whose victims were evicted: {@code Normal Preempting} on it, naming them and why. */
    void preempting(Entry e, String message) {
        Pod pod = e.pod;
        write(PodKeys.key(pod), () -> api.event(pod, "Normal", "Preempting", "Preempting", message));
    }

    /** A bind that failed and will be retried. */
    void bindFailed(Pod pod, String message) {
        write(PodKeys.key(pod), () -> api.event(pod, "Warning", "FailedScheduling", "Scheduling", message));
    }

    /**
     * Fits nowhere, or asks something Gantry cannot place as written: {@code FailedScheduling} and
     * {@code PodScheduled=False}, reason {@code Unschedulable}. False when this message was already written.
     */
    boolean unschedulable(Entry e, String message) {
        return failed(e, "Unschedulable", message);
    }

    private boolean failed(Entry e, String reason, String message) {
        if (message.equals(e.lastMessage)) {
            return false;
        }
        e.lastMessage = message;
        Pod pod = e.pod;
        write(PodKeys.key(pod), () -> {
            api.event(pod, "Warning", "FailedScheduling", "Scheduling", message);
            api.condition(pod, "False", reason, message);
        });
        return true;
    }

    /**
     * A gated pod gets {@code PodScheduled=False}, reason {@code SchedulingGated}, unless it already has it (the API
     * server sets it when a pod is created with gates). No event: kube-scheduler records none for gated pods.
     */
    void gated(Entry e) {
        if (GATED_MESSAGE.equals(e.lastMessage)) {
            return;
        }
        e.lastMessage = GATED_MESSAGE;
        Pod pod = e.pod;
        boolean present = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                        && "False".equals(c.getStatus()) && "SchedulingGated".equals(c.getReason()));
        if (!present) {
            write(PodKeys.key(pod), () -> api.condition(pod, "False", "SchedulingGated", GATED_MESSAGE));
        }
    }

    /**
     * A {@code Warning GPUOvercommitted} on each over-committed node whose state changed since it was last
     * reported; {@code write} false (not leading) only keeps track.
     */
    void overcommitted(Map<String, GpuOvercommit> over, boolean write) {
        overcommitReported.keySet().retainAll(over.keySet());
        if (!write) {
            return;
        }
        for (GpuOvercommit o : over.values()) {
            String message = o.message();
            if (!message.equals(overcommitReported.put(o.node(), message))) {
                LOG.warn("{}", message);
                write("node " + o.node(), () -> api.nodeEvent(o.node(), "Warning", "GPUOvercommitted", "Scheduling",
                        message));
            }
        }
    }

    private void write(String what, Runnable call) {
        try {
            writers.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException ex) {
                    LOG.warn("could not record an event for {}: {}", what, ex.getMessage());
                }
            });
        } catch (RejectedExecutionException ex) {
            LOG.debug("shutting down; event for {} dropped", what);
        }
    }

    /** Lets queued writes finish for a few seconds, then drops the rest. */
    @Override
    public void close() {
        writers.shutdown();
        try {
            if (!writers.awaitTermination(5, TimeUnit.SECONDS)) {
                int dropped = writers.shutdownNow().size();
                LOG.info("stopping: {} events not yet written were dropped", dropped);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
