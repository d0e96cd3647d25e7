package io.gantry.contract;

import static io.gantry.contract.GpuAnnotations.MILLI_PER_GPU;
import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The scheduler's GPU decision for one pod, as {@code gantry.io/gpu-ids} and {@code gantry.io/gpu-milli} carry it:
 * which of the node's GPUs (by index, in the order the containers' slices are cut from, see {@link ContainerSlices})
 * and how many thousandths of each the pod may use.
 *
 * @param gpuIds GPU indices on the node: at least one, distinct, not negative
 * @param milliPerGpu thousandths of each GPU, 1..1000; below 1000 (a share) the pod has exactly one GPU
 */
public record GpuAssignment(List<Integer> gpuIds, int milliPerGpu) {

    public GpuAssignment {
        gpuIds = List.copyOf(requireNonNull(gpuIds, "gpuIds"));
        if (gpuIds.isEmpty()) {
            throw new IllegalArgumentException("a GPU assignment names at least one GPU");
        }
        Set<Integer> seen = new HashSet<>();
        for (int id : gpuIds) {
            if (id < 0 || !seen.add(id)) {
                throw new IllegalArgumentException("GPU indices must be distinct and not negative, got " + gpuIds);
            }
        }
        if (milliPerGpu < 1 || milliPerGpu > MILLI_PER_GPU) {
            throw new IllegalArgumentException("thousandths per GPU must be 1.." + MILLI_PER_GPU + ", got "
                    + milliPerGpu);
        }
        if (milliPerGpu < MILLI_PER_GPU && gpuIds.size() != 1) {
            throw new IllegalArgumentException(gpuIds.size() + " GPUs " + gpuIds + " with " + milliPerGpu
                    + " thousandths each, but a share is of exactly one GPU");
        }
    }

    /** Whole GPUs: all of each listed GPU. */
    public static GpuAssignment whole(List<Integer> gpuIds) {
        return new GpuAssignment(gpuIds, MILLI_PER_GPU);
    }

    /** A share of one GPU. */
    public static GpuAssignment share(int gpuId, int milli) {
        return new GpuAssignment(List.of(gpuId), milli);
    }
}
