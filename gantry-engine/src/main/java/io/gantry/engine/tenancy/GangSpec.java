package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

/**
 * The gang a pod belongs to, as a scheduler-plugins PodGroup declares it: its name (unique in the cluster, e.g.
 * {@code namespace/name}), how many members must be placed together, and how long reserved members wait at Permit
 * for the rest before all of them are released; and, optionally, a node label whose value its members should share
 * (a rack, an NVLink domain, a zone), as Kueue's topology-aware scheduling asks it: {@code required} puts every
 * member in one domain, otherwise members are packed into as few domains as fit.
 */
public record GangSpec(String name, int minMember, long timeoutSeconds, String topologyKey,
        boolean topologyRequired) {

    /** scheduler-plugins' default permit wait when the PodGroup sets no scheduleTimeoutSeconds. */
    public static final long DEFAULT_TIMEOUT_SECONDS = 60;

    public GangSpec(String name, int minMember, long timeoutSeconds) {
        this(name, minMember, timeoutSeconds, "", false);
    }

    public GangSpec {
        requireNonNull(name, "name");
        requireNonNull(topologyKey, "topologyKey");
        if (topologyRequired && topologyKey.isEmpty()) {
            throw new IllegalArgumentException("pod group " + name + ": a required topology needs a node label key");
        }
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

    /** The same gang asking its members to share values of this node label (required: one value for all). */
    public GangSpec withTopology(String key, boolean required) {
        return new GangSpec(name, minMember, timeoutSeconds, key, required);
    }

    public boolean hasTopology() {
        return !topologyKey.isEmpty();
    }
}
