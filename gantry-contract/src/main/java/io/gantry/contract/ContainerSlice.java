package io.gantry.contract;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The GPUs one container gets of its pod's {@link GpuAssignment}.
 *
 * @param container container name
 * @param init whether it is an init container
 * @param gpuIds GPU indices on the node: as many as the container asks whole GPUs, the pod's one GPU for a
 *     share, none for a container that asks no GPU
 * @param milliPerGpu thousandths of each of those GPUs: 1000 for whole GPUs, the container's own share, 0 for none
 */
public record ContainerSlice(String container, boolean init, List<Integer> gpuIds, int milliPerGpu) {

    public ContainerSlice {
        requireNonNull(container, "container");
        gpuIds = List.copyOf(requireNonNull(gpuIds, "gpuIds"));
        if (gpuIds.isEmpty() != (milliPerGpu == 0)) {
            throw new IllegalArgumentException("container " + container + ": " + gpuIds.size() + " GPUs with "
                    + milliPerGpu + " thousandths each");
        }
    }
}
