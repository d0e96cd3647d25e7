package io.gantry.engine;

import static java.util.Objects.requireNonNull;

/** The outcome of one scheduling cycle. */
public sealed interface ScheduleResult {

    /** The pod was placed and its resources are taken. */
    record Scheduled(GpuAllocation allocation) implements ScheduleResult {
        public Scheduled {
            requireNonNull(allocation, "allocation");
        }
    }

    /** The pod fits on no node. */
    record Unschedulable(String podName, Explanation explanation) implements ScheduleResult {
        public Unschedulable {
            requireNonNull(podName, "podName");
            requireNonNull(explanation, "explanation");
        }
    }

    default boolean isScheduled() {
        return this instanceof Scheduled;
    }
}
