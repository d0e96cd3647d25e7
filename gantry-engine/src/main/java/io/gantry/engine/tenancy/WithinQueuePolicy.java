package io.gantry.engine.tenancy;

/** Whether a pod preempts pods of lower priority in its own queue (Kueue's withinClusterQueue). */
public enum WithinQueuePolicy {
    LOWER_PRIORITY("LowerPriority"),
    NEVER("Never");

    private final String wire;

    WithinQueuePolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public boolean allows(int preemptor, int victim) {
        return this == LOWER_PRIORITY && victim < preemptor;
    }
}
