package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.placement.NodePlacement;
import java.util.List;
import java.util.Map;

/**
 * What a pod asks of the scheduler.
 *
 * <p>{@code gpuMilliPerGpu} is per GPU: a pod with {@code gpuCount = 2} and {@code gpuMilliPerGpu = 1000} takes two
 * whole GPUs. A share (below 1000) is allowed only with {@code gpuCount = 1}. {@code allowedGpuModels} is an OR list
 * of exact model names; empty accepts every model. Its order and duplicates are kept, because the FGD target
 * workload keys pod types by the list as written.
 *
 * <p>{@code priority} orders the scheduling queue (higher first). {@code labels} are the pod's labels, which
 * inter-pod constraints match against. {@code placement} says which nodes the pod may use at all (selectors, node
 * affinity, tolerations); {@code attributes} carries what single plugins need (see {@link PodAttributes}).
 */
public record PodRequest(
        String name,
        long cpuMilli,
        long memoryMib,
        int gpuCount,
        int gpuMilliPerGpu,
        List<String> allowedGpuModels,
        int priority,
        Map<String, String> labels,
        NodePlacement placement,
        PodAttributes attributes) {

    public PodRequest {
        requireNonNull(placement, "placement");
        requireNonNull(name, "name");
        allowedGpuModels = List.copyOf(requireNonNull(allowedGpuModels, "allowedGpuModels"));
        labels = Map.copyOf(requireNonNull(labels, "labels"));
        requireNonNull(attributes, "attributes");
        if (cpuMilli < 0 || memoryMib < 0) {
            throw new IllegalArgumentException("pod " + name + ": negative CPU or memory request (cpuMilli="
                    + cpuMilli + ", memoryMib=" + memoryMib + ")");
        }
        if (gpuCount < 0) {
            throw new IllegalArgumentException("pod " + name + ": negative GPU count " + gpuCount);
        }
        if (gpuCount == 0 && gpuMilliPerGpu != 0) {
            throw new IllegalArgumentException("pod " + name + ": GPU milli " + gpuMilliPerGpu
                    + " without a GPU count; set gpuCount >= 1 or gpuMilliPerGpu = 0");
        }
        if (gpuCount > 0 && (gpuMilliPerGpu < 1 || gpuMilliPerGpu > NodeSpec.MILLI_PER_GPU)) {
            throw new IllegalArgumentException("pod " + name + ": GPU milli per GPU must be 1.." + NodeSpec.MILLI_PER_GPU
                    + ", got " + gpuMilliPerGpu);
        }
        if (gpuCount > 1 && gpuMilliPerGpu != NodeSpec.MILLI_PER_GPU) {
            throw new IllegalArgumentException("pod " + name + ": a GPU share (" + gpuMilliPerGpu
                    + " milli) needs gpuCount 1, got " + gpuCount + "; ask for whole GPUs or for one shared GPU");
        }
    }

    /** A pod without labels, placement rules or plugin attributes. */
    public PodRequest(String name, long cpuMilli, long memoryMib, int gpuCount, int gpuMilliPerGpu,
            List<String> allowedGpuModels, int priority) {
        this(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority, Map.of(),
                NodePlacement.NONE, PodAttributes.NONE);
    }

    /** A plain pod: no model constraint, priority 0. */
    public static PodRequest of(String name, long cpuMilli, long memoryMib, int gpuCount, int gpuMilliPerGpu) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, List.of(), 0);
    }

    public PodRequest withAllowedGpuModels(List<String> models) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, models, priority, labels,
                placement, attributes);
    }

    public PodRequest withPlacement(NodePlacement rules) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority, labels,
                rules, attributes);
    }

    public PodRequest withPriority(int newPriority) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, newPriority,
                labels, placement, attributes);
    }

    public PodRequest withName(String newName) {
        return new PodRequest(newName, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority,
                labels, placement, attributes);
    }

    public PodRequest withLabels(Map<String, String> newLabels) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority,
                newLabels, placement, attributes);
    }

    public <T> PodRequest withAttribute(PodAttributes.Key<T> key, T value) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority,
                labels, placement, attributes.with(key, value));
    }

    /** The same pod without this attribute. */
    public PodRequest withoutAttribute(PodAttributes.Key<?> key) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority,
                labels, placement, attributes.without(key));
    }

    /** The same pod asking for these GPUs (count and milli per GPU), e.g. as recorded on a bound pod. */
    public PodRequest withGpus(int newGpuCount, int newGpuMilliPerGpu) {
        return new PodRequest(name, cpuMilli, memoryMib, newGpuCount, newGpuMilliPerGpu, allowedGpuModels, priority,
                labels, placement, attributes);
    }

    public boolean needsGpu() {
        return gpuCount > 0;
    }

    /** One GPU, less than all of it. */
    public boolean isGpuShare() {
        return gpuCount == 1 && gpuMilliPerGpu < NodeSpec.MILLI_PER_GPU;
    }

    public long totalGpuMilli() {
        return (long) gpuCount * gpuMilliPerGpu;
    }

    /** The model list as one string, {@code |}-separated, as Kubernetes annotations and the openb trace write it. */
    public String gpuModelSpec() {
        return String.join("|", allowedGpuModels);
    }
}
