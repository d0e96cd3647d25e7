package io.gantry.kube.scheduling;

import io.gantry.contract.GpuAnnotations;
import io.gantry.engine.Explanation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The engine's reasons in kube-scheduler's words for this pod. Most are already (they carry NodeResourcesFit's,
 * TaintToleration's, NodeAffinity's and NodeUnschedulable's messages); GPUs are a Kubernetes resource here, so too
 * few GPUs, and no GPU at all, read as NodeResourcesFit words them for the resource the pod asks:
 * {@code Insufficient nvidia.com/gpu} for whole GPUs, {@code Insufficient gantry.io/gpu-milli} for a share.
 */
public final class KubeWording {

    private KubeWording() {
    }

    public static Function<Reason, String> forPod(PodRequest pod) {
        String insufficient = "Insufficient " + (pod.gpuMilliPerGpu() > 0 && pod.gpuMilliPerGpu() < 1000
                ? GpuAnnotations.GPU_MILLI_RESOURCE : GpuAnnotations.GPU_RESOURCE);
        Function<Reason, String> single = r -> switch (r.code()) {
            case "InsufficientGPU", "NoGPU" -> insufficient;
            default -> r.message();
        };
        // a node with several faults (NodeResourcesFit's insufficient resources) in their order
        return r -> r.parts().isEmpty() ? single.apply(r)
                : r.parts().stream().map(single).collect(java.util.stream.Collectors.joining(", "));
    }

    /** {@code 0/N nodes are available: ...}, kube-scheduler's FitError message. */
    public static String message(Explanation why, PodRequest pod) {
        return why.message(forPod(pod));
    }

    /** Nodes per reason in the same words, most first (ties by words), for JSON. */
    static Map<String, Integer> counts(Explanation why, PodRequest pod) {
        Function<Reason, String> wording = forPod(pod);
        Map<String, Integer> merged = new LinkedHashMap<>();
        why.nodesByReason().forEach((r, n) -> merged.merge(wording.apply(r), n, Integer::sum));
        Map<String, Integer> sorted = new LinkedHashMap<>();
        merged.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}
