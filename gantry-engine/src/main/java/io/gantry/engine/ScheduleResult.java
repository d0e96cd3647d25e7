package io.gantry.engine;

import static java.util.Objects.requireNonNull;

/** The outcome of one scheduling cycle. */
public sealed interface ScheduleResult {

    /** The pod was placed and its resources are taken; the host binds it next. */
    record Scheduled(GpuAllocation allocation) implements ScheduleResult {
        public Scheduled {
            requireNonNull(allocation, "allocation");
        }
    }

    /**
     * Permit holds the pod: its resources are reserved until every waiting plugin allows it
     * ({@link Scheduler#allow}), one rejects it, or {@code deadlineNanos} passes ({@link Scheduler#expireWaiting}).
     */
    record Waiting(GpuAllocation allocation, long deadlineNanos) implements ScheduleResult {
        public Waiting {
            requireNonNull(allocation, "allocation");
        }
    }

    /**
     * The pod was not placed: no node fits (the explanation counts why), or a plugin after filtering rejected it
     * ({@code status} names it). {@code nominatedNode} is where PostFilter (preemption) will make room, or empty;
     * {@code victims} are the placed pods the host must evict for it (the engine evicts nothing itself).
     */
    record Unschedulable(String podName, Explanation explanation, Status status, String nominatedNode,
            java.util.List<String> victims) implements ScheduleResult {
        public Unschedulable {
            requireNonNull(podName, "podName");
            requireNonNull(explanation, "explanation");
            requireNonNull(status, "status");
            requireNonNull(nominatedNode, "nominatedNode");
            victims = java.util.List.copyOf(requireNonNull(victims, "victims"));
        }

        public Unschedulable(String podName, Explanation explanation, Status status, String nominatedNode) {
            this(podName, explanation, status, nominatedNode, java.util.List.of());
        }

        /** No node fits. */
        public Unschedulable(String podName, Explanation explanation) {
            this(podName, explanation, new Status(Status.Code.UNSCHEDULABLE, "", java.util.List.of(), 0), "");
        }
    }

    default boolean isScheduled() {
        return this instanceof Scheduled;
    }
}
