package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

/**
 * The gang a pod belongs to, as a scheduler-plugins PodGroup declares it: its name (unique in the cluster, e.g.
 * {@code namespace/name}), how many members must be placed together, and how long reserved members wait at Permit
 * for the rest before all of them are released.
 */
public record GangSpec(String name, int minMember, long timeoutSeconds) {

    /** scheduler-plugins' default permit wait when the PodGroup sets no scheduleTimeoutSeconds. */
    public static final long DEFAULT_TIMEOUT_SECONDS = 60;

    public GangSpec {
        requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a pod group needs a name");
        }
        if (minMember < 1) {
            throw new IllegalArgumentException("pod group " + name + ": minMember must be at least 1, got "
                    + minMember);
        }
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("pod group " + name + ": scheduleTimeoutSeconds must be at least 1, got "
                    + timeoutSeconds);
        }
    }
}
