package io.gantry.kube.model;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The names Gantry reads and writes on Kubernetes objects, and the format of the decision written on a pod: the
 * contract between the scheduler and the node agent that hands the container exactly those GPUs.
 */
public final class GpuAnnotations {

    /** Extended resource (container limits) for whole GPUs, as NVIDIA's device plugin advertises it. */
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** Extended resource (container limits) for a share of one GPU, in thousandths; advertised by Gantry's agent. */
    public static final String GPU_MILLI_RESOURCE = "gantry.io/gpu-milli";
    /** Pod annotation: accepted GPU models, {@code |}-separated, matched against {@link #GPU_PRODUCT_LABEL}. */
    public static final String GPU_MODEL = "gantry.io/gpu-model";
    /** Pod annotation written by the scheduler: GPU indices on the node, comma-separated. */
    public static final String GPU_IDS = "gantry.io/gpu-ids";
    /** Pod annotation written by the scheduler: thousandths of each chosen GPU the pod may use. */
    public static final String GPU_MILLI = "gantry.io/gpu-milli";
    /**
     * Node annotation written by Gantry's node agent: the indices of the node's GPUs it reports Unhealthy,
     * comma-separated, empty when none. Its presence says the agent manages the node: GPU indices then count over the
     * node's capacity (an Unhealthy GPU leaves allocatable but keeps its index), and the listed GPUs are not used.
     */
    public static final String GPU_UNHEALTHY = "gantry.io/gpu-unhealthy";
    /** Node label with the GPU model, as GPU Feature Discovery sets it. */
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

    private GpuAnnotations() {
    }

    public static String formatIds(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Parses {@code "0,3"}; throws with a message naming the annotation and value when malformed. */
    public static List<Integer> parseIds(String value) {
        List<Integer> ids = new ArrayList<>();
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("annotation " + GPU_IDS + " is empty; expected GPU indices such as 0,3");
        }
        for (String part : value.split(",", -1)) {
            String p = part.trim();
            int id;
            try {
                id = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("annotation " + GPU_IDS + "='" + value + "': '" + p
                        + "' is not a GPU index; expected comma-separated integers such as 0,3", e);
            }
            if (id < 0 || ids.contains(id)) {
                throw new IllegalArgumentException("annotation " + GPU_IDS + "='" + value
                        + "': indices must be distinct and not negative");
            }
            ids.add(id);
        }
        return ids;
    }

    /** Parses the per-GPU milli annotation, 1..1000. */
    public static int parseMilli(String value) {
        int milli;
        try {
            milli = Integer.parseInt(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("annotation " + GPU_MILLI + "='" + value
                    + "' is not an integer; expected 1..1000", e);
        }
        if (milli < 1 || milli > 1000) {
            throw new IllegalArgumentException("annotation " + GPU_MILLI + "='" + value + "' is out of range 1..1000");
        }
        return milli;
    }
}
