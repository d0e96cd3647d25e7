package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one placement took: the node, the GPUs (indices on that node) and the amounts. Releasing it returns
 * exactly this.
 */
public record GpuAllocation(
        String podName,
        String nodeName,
        long cpuMilli,
        long memoryMib,
        List<Integer> gpuIndices,
        int gpuMilliPerGpu) {

    public GpuAllocation {
        requireNonNull(podName, "podName");
        requireNonNull(nodeName, "nodeName");
        gpuIndices = List.copyOf(requireNonNull(gpuIndices, "gpuIndices"));
    }

    public long totalGpuMilli() {
        return (long) gpuIndices.size() * gpuMilliPerGpu;
    }
}
