package io.gantry.engine;

import static java.util.Objects.requireNonNull;

/**
 * What a node offers the scheduler: allocatable CPU, memory and pod slots, and its GPUs (all of one model,
 * each with {@link #MILLI_PER_GPU} milli of capacity).
 */
public record NodeSpec(String name, long cpuMilli, long memoryMib, int gpuCount, String gpuModel, int maxPods) {

    /** Capacity of one GPU in thousandths. */
    public static final int MILLI_PER_GPU = 1000;

    /** The most GPUs one node may have (the largest machines today have 16). */
    public static final int MAX_GPUS = 64;

    /** Kubernetes' default pod limit per node is 110; the openb replay uses 1001. */
    public static final int DEFAULT_MAX_PODS = 110;

    public NodeSpec {
        requireNonNull(name, "name");
        requireNonNull(gpuModel, "gpuModel");
        if (name.isBlank()) {
            throw new IllegalArgumentException("node name is blank");
        }
        if (cpuMilli < 0 || memoryMib < 0 || gpuCount < 0 || maxPods < 0) {
            throw new IllegalArgumentException("node " + name + ": negative capacity (cpuMilli=" + cpuMilli
                    + ", memoryMib=" + memoryMib + ", gpuCount=" + gpuCount + ", maxPods=" + maxPods + ")");
        }
        if (gpuCount > MAX_GPUS) {
            throw new IllegalArgumentException("node " + name + ": " + gpuCount + " GPUs; at most " + MAX_GPUS
                    + " per node are supported");
        }
    }

    public static NodeSpec of(String name, long cpuMilli, long memoryMib, int gpuCount, String gpuModel) {
        return new NodeSpec(name, cpuMilli, memoryMib, gpuCount, gpuModel, DEFAULT_MAX_PODS);
    }
}
