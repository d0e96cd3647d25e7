package io.gantry.contract;

import static io.gantry.contract.GpuAnnotations.GPU_IDS;
import static io.gantry.contract.GpuAnnotations.GPU_MILLI;
import static io.gantry.contract.GpuAnnotations.MILLI_PER_GPU;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The text of a {@link GpuAssignment} on a pod, as clusters carry it today:
 * <ul>
 *   <li>{@code gantry.io/gpu-ids}: GPU indices, comma-separated, no spaces, in slice order: {@code 3,0,7}
 *       (spaces around an index are accepted when read);</li>
 *   <li>{@code gantry.io/gpu-milli}: thousandths of each GPU, an integer 1..1000: {@code 1000} for whole GPUs,
 *       {@code 250} for a quarter of one GPU. Absent next to {@code gantry.io/gpu-ids}, it means whole GPUs.</li>
 * </ul>
 * Both are written by the scheduler only, so a malformed value names the annotation, the value and its expected
 * shape, and says how to recover.
 */
public final class GpuAssignmentCodec {

    private static final String RECOVER = "Gantry's scheduler writes this annotation: remove a hand-made value, or "
            + "delete the pod so that it is scheduled again";

    private GpuAssignmentCodec() {
    }

    /** The two annotations of the assignment: {@code gantry.io/gpu-ids}, then {@code gantry.io/gpu-milli}. */
    public static Map<String, String> encode(GpuAssignment assignment) {
        requireNonNull(assignment, "assignment");
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(GPU_IDS, encodeIds(assignment.gpuIds()));
        annotations.put(GPU_MILLI, encodeMilli(assignment.milliPerGpu()));
        return Collections.unmodifiableMap(annotations);
    }

    /**
     * The assignment a pod's annotations carry, or empty when the pod has no {@code gantry.io/gpu-ids}; throws
     * {@link IllegalArgumentException} with the reason when the annotations are malformed or contradict each other.
     */
    public static Optional<GpuAssignment> decode(Map<String, String> annotations) {
        requireNonNull(annotations, "annotations");
        String ids = annotations.get(GPU_IDS);
        String milli = annotations.get(GPU_MILLI);
        if (ids == null) {
            if (milli != null) {
                throw new IllegalArgumentException("annotation " + GPU_MILLI + "='" + milli + "' is set without "
                        + GPU_IDS + "; the two are written together. " + RECOVER);
            }
            return Optional.empty();
        }
        List<Integer> gpuIds = decodeIds(ids);
        int milliPerGpu = milli == null ? MILLI_PER_GPU : decodeMilli(milli);
        try {
            return Optional.of(new GpuAssignment(gpuIds, milliPerGpu));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("annotations " + GPU_IDS + "='" + ids + "', " + GPU_MILLI + "='"
                    + (milli == null ? "' (absent: whole GPUs)" : milli + "'") + ": " + e.getMessage() + ". "
                    + RECOVER, e);
        }
    }

    /** {@code [3, 0, 7]} as {@code "3,0,7"}. */
    public static String encodeIds(List<Integer> gpuIds) {
        requireNonNull(gpuIds, "gpuIds");
        StringJoiner text = new StringJoiner(",");
        for (Integer id : gpuIds) {
            text.add(Integer.toString(requireNonNull(id, "GPU index")));
        }
        return text.toString();
    }

    /** Parses {@code "3,0,7"}: at least one index, distinct, not negative, order kept. */
    public static List<Integer> decodeIds(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("annotation " + GPU_IDS + " is empty; expected GPU indices, "
                    + "comma-separated, such as 0,3. " + RECOVER);
        }
        List<Integer> ids = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (String part : value.split(",", -1)) {
            String p = part.trim();
            int id;
            try {
                id = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("annotation " + GPU_IDS + "='" + value + "': '" + p
                        + "' is not a GPU index; expected GPU indices, comma-separated, such as 0,3. " + RECOVER, e);
            }
            if (id < 0 || !seen.add(id)) {
                throw new IllegalArgumentException("annotation " + GPU_IDS + "='" + value
                        + "': GPU indices must be distinct and not negative, such as 0,3. " + RECOVER);
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }

    /** {@code 250} as {@code "250"}. */
    public static String encodeMilli(int milliPerGpu) {
        if (milliPerGpu < 1 || milliPerGpu > MILLI_PER_GPU) {
            throw new IllegalArgumentException("thousandths per GPU must be 1.." + MILLI_PER_GPU + ", got "
                    + milliPerGpu);
        }
        return Integer.toString(milliPerGpu);
    }

    /** Parses the thousandths of each GPU, 1..1000. */
    public static int decodeMilli(String value) {
        int milli;
        try {
            milli = Integer.parseInt(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("annotation " + GPU_MILLI + "='" + value + "' is not an integer; "
                    + "expected thousandths of each GPU, 1..1000 (1000: whole GPUs). " + RECOVER, e);
        }
        if (milli < 1 || milli > MILLI_PER_GPU) {
            throw new IllegalArgumentException("annotation " + GPU_MILLI + "='" + value + "' is out of range 1..1000; "
                    + "expected thousandths of each GPU (1000: whole GPUs). " + RECOVER);
        }
        return milli;
    }
}
