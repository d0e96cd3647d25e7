package io.gantry.contract;

import static io.gantry.contract.GpuAnnotations.GPU_UNHEALTHY;
import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * The text of {@code gantry.io/gpu-unhealthy} on a node, as clusters carry it today: the indices of the GPUs the
 * node's agent reports Unhealthy, ascending, comma-separated, no spaces ({@code 1,3}); the empty string when all are
 * healthy (the annotation is then still present: it marks the node as managed by the agent). The agent writes it,
 * the scheduler reads it.
 */
public final class UnhealthyGpusCodec {

    private UnhealthyGpusCodec() {
    }

    /** {@code {3, 1}} as {@code "1,3"}; the empty set as {@code ""}. */
    public static String encode(Set<Integer> unhealthy) {
        requireNonNull(unhealthy, "unhealthy");
        StringJoiner text = new StringJoiner(",");
        for (int id : new TreeSet<>(unhealthy)) {
            if (id < 0) {
                throw new IllegalArgumentException("GPU indices are not negative, got " + new TreeSet<>(unhealthy));
            }
            text.add(Integer.toString(id));
        }
        return text.toString();
    }

    /**
     * Parses the annotation's value: distinct, non-negative indices; empty (or blank) means none. Throws
     * {@link IllegalArgumentException} naming the annotation, the value and its expected shape when malformed.
     */
    public static SortedSet<Integer> decode(String value) {
        requireNonNull(value, "value");
        TreeSet<Integer> ids = new TreeSet<>();
        if (value.isBlank()) {
            return Collections.unmodifiableSortedSet(ids);
        }
        for (String part : value.split(",", -1)) {
            String p = part.trim();
            int id;
            try {
                id = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw malformed(value, "'" + p + "' is not a GPU index", e);
            }
            if (id < 0) {
                throw malformed(value, "GPU index " + id + " is negative", null);
            }
            if (!ids.add(id)) {
                throw malformed(value, "GPU " + id + " is listed twice", null);
            }
        }
        return Collections.unmodifiableSortedSet(ids);
    }

    private static IllegalArgumentException malformed(String value, String problem, Throwable cause) {
        return new IllegalArgumentException("annotation " + GPU_UNHEALTHY + "='" + value + "': " + problem
                + "; expected the indices of the node's Unhealthy GPUs, comma-separated, such as 1,3 (empty when none). "
                + "Gantry's node agent writes it: remove the annotation and restart the node's agent to write it again",
                cause);
    }
}
