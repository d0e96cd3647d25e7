package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.placement.NodePlacement;
import java.util.List;

/**
 * What a pod asks of the scheduler.
 *
 * <p>{@code gpuMilliPerGpu} is per GPU: a pod with {@code gpuCount = 2} and {@code gpuMilliPerGpu = 1000} takes two
 * whole GPUs. A share (below 1000) is allowed only with {@code gpuCount = 1}. {@code allowedGpuModels} is an OR list
 * of exact model names; empty accepts every model. Its order and duplicates are kept, because the FGD target
 * workload keys pod types by the list as written.
 *
 * <p>{@code priority}, {@code queue} and {@code gangGroup} are carried for queueing, quota and gang scheduling.
 * {@code placement} says which nodes the pod may use at all (selectors, affinity, tolerations).
 */
public record PodRequest(
        String name,
        long cpuMilli,
        long memoryMib,
        int gpuCount,
        int gpuMilliPerGpu,
        List<String> allowedGpuModels,
        int priority,
        String queue,
        String gangGroup,
        NodePlacement placement) {

    public PodRequest {
        requireNonNull(placement, "placement");
        requireNonNull(name, "name");
        allowedGpuModels = List.copyOf(requireNonNull(allowedGpuModels, "allowedGpuModels"));
        requireNonNull(queue, "queue");
        requireNonNull(gangGroup, "gangGroup");
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

    /** A pod without placement rules. */
    public PodRequest(String name, long cpuMilli, long memoryMib, int gpuCount, int gpuMilliPerGpu,
            List<String> allowedGpuModels, int priority, String queue, String gangGroup) {
        this(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority, queue, gangGroup,
                NodePlacement.NONE);
    }

    /** A plain pod: no model constraint, priority 0, default queue, no gang. */
    public static PodRequest of(String name, long cpuMilli, long memoryMib, int gpuCount, int gpuMilliPerGpu) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, List.of(), 0, "default", "");
    }

    public PodRequest withAllowedGpuModels(List<String> models) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, models, priority, queue, gangGroup,
                placement);
    }

    public PodRequest withPlacement(NodePlacement rules) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority, queue,
                gangGroup, rules);
    }

    public PodRequest withPriority(int newPriority) {
        return new PodRequest(name, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, newPriority,
                queue, gangGroup, placement);
    }

    public PodRequest withName(String newName) {
        return new PodRequest(newName, cpuMilli, memoryMib, gpuCount, gpuMilliPerGpu, allowedGpuModels, priority,
                queue, gangGroup, placement);
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
