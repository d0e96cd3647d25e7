package io.gantry.engine.tenancy;

/**
 * Whether a queue below its guarantee preempts pods of queues that borrow, by their priority relative to the
 * preemptor's (Kueue's reclaimWithinCohort). A pod never preempts a pod of higher priority.
 */
public enum ReclaimPolicy {
    LOWER_OR_EQUAL_PRIORITY("LowerOrEqualPriority"),
    LOWER_PRIORITY("LowerPriority"),
    NEVER("Never");

    private final String wire;

    ReclaimPolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Whether a pod of {@code preemptor} priority may reclaim from one of {@code victim} priority. */
    public boolean allows(int preemptor, int victim) {
        return switch (this) {
            case LOWER_OR_EQUAL_PRIORITY -> victim <= preemptor;
            case LOWER_PRIORITY -> victim < preemptor;
            case NEVER -> false;
        };
    }
}
