package io.gantry.engine.placement;

import static java.util.Objects.requireNonNull;

/** A node taint: pods that do not tolerate it stay off the node (for the effects that filter). */
public record Taint(String key, String value, Effect effect) {

    /** The taint kube-scheduler treats a cordoned node as carrying. */
    public static final String UNSCHEDULABLE_KEY = "node.kubernetes.io/unschedulable";

    public enum Effect {
        NO_SCHEDULE("NoSchedule"),
        PREFER_NO_SCHEDULE("PreferNoSchedule"),
        NO_EXECUTE("NoExecute");

        private final String apiName;

        Effect(String apiName) {
            this.apiName = apiName;
        }

        public String apiName() {
            return apiName;
        }

        /** Parses Kubernetes' spelling ({@code NoSchedule}, ...). */
        public static Effect parse(String name) {
            for (Effect e : values()) {
                if (e.apiName.equals(name)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown taint effect '" + name
                    + "'; expected NoSchedule, PreferNoSchedule or NoExecute");
        }
    }

    public Taint {
        requireNonNull(key, "key");
        value = value == null ? "" : value;
        requireNonNull(effect, "effect");
    }

    /** Whether scheduling must respect it; PreferNoSchedule is only a preference. */
    public boolean filters() {
        return effect != Effect.PREFER_NO_SCHEDULE;
    }

    @Override
    public String toString() {
        return key + "=" + value + ":" + effect.apiName();
    }
}
