package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.NodeSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node whose bound pods hold more GPU than it has: pods bound by another scheduler or by hand, a GPU index past the
 * node's count, or a node that shrank under its pods. The engine still charges them all (the node then fits nothing
 * more); this says so out loud instead of a silent "9 of 8".
 *
 * @param node the node
 * @param gpus the GPUs the node has
 * @param heldMilli GPU thousandths its pods hold in all
 * @param overMilli thousandths held beyond what the node has (beyond 1000 on a GPU, or on a GPU it does not have)
 * @param detail which GPUs are over and by whom, for the event
 */
public record GpuOvercommit(String node, int gpus, long heldMilli, long overMilli, String detail) {

    public GpuOvercommit {
        requireNonNull(node, "node");
        requireNonNull(detail, "detail");
    }

    /** The event's message. */
    public String message() {
        return "GPUs over-committed: pods bound to " + node + " hold " + gpus(heldMilli) + " GPUs of its " + gpus
                + " (" + detail + "); Gantry places nothing more on these GPUs until enough is released";
    }

    private static String gpus(long milli) {
        return milli % NodeSpec.MILLI_PER_GPU == 0 ? Long.toString(milli / NodeSpec.MILLI_PER_GPU)
                : String.format(java.util.Locale.ROOT, "%.2f", milli / (double) NodeSpec.MILLI_PER_GPU);
    }

    /**
     * The over-committed nodes among these, from the pods holding resources there: pods with recorded GPU indices
     * count on those GPUs; pods without (bound by another scheduler) count on the node as a whole.
     */
    static Map<String, GpuOvercommit> find(Collection<NodeSpec> nodes, Collection<PlacedPod> pods) {
        Map<String, List<PlacedPod>> byNode = new TreeMap<>();
        for (PlacedPod p : pods) {
            if (p.request().needsGpu()) {
                byNode.computeIfAbsent(p.nodeName(), k -> new ArrayList<>()).add(p);
            }
        }
        Map<String, GpuOvercommit> over = new TreeMap<>();
        for (NodeSpec node : nodes) {
            List<PlacedPod> on = byNode.get(node.name());
            if (on == null) {
                continue;
            }
            GpuOvercommit o = check(node, on);
            if (o != null) {
                over.put(node.name(), o);
            }
        }
        return over;
    }

    /** The node's over-commitment from the pods holding resources there (any node's pods are skipped), or null. */
    static GpuOvercommit of(NodeSpec node, Collection<PlacedPod> pods) {
        List<PlacedPod> gpuPods = new ArrayList<>();
        for (PlacedPod p : pods) {
            if (p.request().needsGpu() && p.nodeName().equals(node.name())) {
                gpuPods.add(p);
            }
        }
        return gpuPods.isEmpty() ? null : check(node, gpuPods);
    }

    private static GpuOvercommit check(NodeSpec node, List<PlacedPod> pods) {
        Map<Integer, Long> perGpu = new TreeMap<>();
        Map<Integer, List<String>> holders = new TreeMap<>();
        long held = 0;
        List<String> unknown = new ArrayList<>();
        for (PlacedPod p : pods) {
            long milli = (long) p.request().gpuCount() * p.request().gpuMilliPerGpu();
            held += milli;
            if (p.gpuIds() == null) {
                unknown.add(p.key());
                continue;
            }
            for (int g : p.gpuIds()) {
                perGpu.merge(g, (long) p.request().gpuMilliPerGpu(), Long::sum);
                holders.computeIfAbsent(g, k -> new ArrayList<>()).add(p.key());
            }
        }
        long capacity = (long) node.gpuCount() * NodeSpec.MILLI_PER_GPU;
        long overOnGpus = 0;
        List<String> details = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : perGpu.entrySet()) {
            int g = e.getKey();
            long extra = g >= node.gpuCount() ? e.getValue() : e.getValue() - NodeSpec.MILLI_PER_GPU;
            if (extra > 0) {
                overOnGpus += extra;
                details.add("GPU " + g + (g >= node.gpuCount() ? " does not exist" : " held " + e.getValue()
                        + "/1000") + " by " + String.join(", ", holders.get(g)));
            }
        }
        long over = Math.max(overOnGpus, held - capacity);
        if (over <= 0) {
            return null;
        }
        if (!unknown.isEmpty()) {
            details.add("GPUs not recorded for " + String.join(", ", unknown));
        }
        return new GpuOvercommit(node.name(), node.gpuCount(), held, over, String.join("; ", details));
    }
}
