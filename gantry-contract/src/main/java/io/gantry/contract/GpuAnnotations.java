package io.gantry.contract;

/**
 * The names Gantry's scheduler and node agent read and write on Kubernetes objects. Their values are encoded and
 * decoded by {@link GpuAssignmentCodec} (the decision on a pod) and {@link UnhealthyGpusCodec} (the node's
 * Unhealthy GPUs); existing clusters carry these names and formats, so they never change.
 */
public final class GpuAnnotations {

    /** Extended resource (container limits) for whole GPUs, as NVIDIA's device plugin advertises it. */
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** Extended resource (container limits) for a share of one GPU, in thousandths; advertised by Gantry's agent. */
    public static final String GPU_MILLI_RESOURCE = "gantry.io/gpu-milli";
    /** Pod annotation: accepted GPU models, {@code |}-separated, matched against {@link #GPU_PRODUCT_LABEL}. */
    public static final String GPU_MODEL = "gantry.io/gpu-model";
    /** Pod annotation written by the scheduler: GPU indices on the node, comma-separated, in slice order. */
    public static final String GPU_IDS = "gantry.io/gpu-ids";
    /** Pod annotation written by the scheduler: thousandths of each chosen GPU the pod may use (1000: whole GPUs). */
    public static final String GPU_MILLI = "gantry.io/gpu-milli";
    /**
     * Node annotation written by Gantry's node agent: the indices of the node's GPUs it reports Unhealthy,
     * comma-separated, empty when none. Its presence says the agent manages the node: GPU indices then count over the
     * node's capacity (an Unhealthy GPU leaves allocatable but keeps its index), and the listed GPUs are not used.
     */
    public static final String GPU_UNHEALTHY = "gantry.io/gpu-unhealthy";
    /** Node label with the GPU model, as GPU Feature Discovery sets it. */
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
    /** Thousandths in one GPU: the {@code gantry.io/gpu-milli} of a whole GPU, and the agent's share devices per GPU. */
    public static final int MILLI_PER_GPU = 1000;

    private GpuAnnotations() {
    }
}
