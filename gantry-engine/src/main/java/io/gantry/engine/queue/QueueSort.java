package io.gantry.engine.queue;

import java.util.Comparator;

/**
 * Extension point "queue sort": which pending pod is tried first. It must be a total order on pods in the queue
 * (end with the sequence) so that the order does not depend on the heap's history.
 */
@FunctionalInterface
public interface QueueSort extends Comparator<QueuedPod> {

    /** kube-scheduler's PrioritySort: higher priority first, then the pod that entered the queue first. */
    QueueSort PRIORITY = (a, b) -> {
        int byPriority = Integer.compare(b.pod().priority(), a.pod().priority());
        if (byPriority != 0) {
            return byPriority;
        }
        int byTime = Long.compare(a.firstEnqueued(), b.firstEnqueued());
        return byTime != 0 ? byTime : Long.compare(a.sequence(), b.sequence());
    };
}
