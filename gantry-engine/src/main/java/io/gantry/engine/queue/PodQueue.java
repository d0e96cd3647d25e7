package io.gantry.engine.queue;

import io.gantry.engine.PodRequest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The pending pods a host feeds the scheduling cycle from: one {@link SchedulingQueue}, or one per tenant queue
 * behind a fair-share pick ({@code io.gantry.engine.tenancy.FairShareQueue}). The life of a pod is the same in both:
 * added, popped (in flight), then done, requeued or deleted. Times are in the unit of the queue's
 * {@link QueueConfig}.
 */
public interface PodQueue {

    void add(PodRequest pod, long now);

    void update(PodRequest pod, long now);

    Optional<QueuedPod> pop();

    /** This pod next, out of turn (a gang's siblings), if it waits in the queue and is not in flight. */
    Optional<QueuedPod> take(String name);

    QueuedPod done(String name);

    void requeueUnschedulable(String name, long now);

    void requeueBackoff(String name, long now);

    Optional<QueuedPod> delete(String name);

    void onClusterChange(long now);

    void flush(long now);

    OptionalLong nextWake();

    boolean contains(String name);

    int size();

    int activeCount();

    int backoffCount();

    int unschedulableCount();

    List<QueuedPod> pods();
}
