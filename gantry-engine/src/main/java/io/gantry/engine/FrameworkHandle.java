package io.gantry.engine;

import java.util.Collection;
import java.util.List;

/**
 * What plugins may ask of the framework running them, as kube-scheduler's framework handle: the pods Permit holds
 * (gang scheduling allows or rejects a whole group from one member's cycle), and "would the pod fit here if these
 * pods were gone" (preemption). Reached through {@link CycleContext#framework()}.
 */
public interface FrameworkHandle {

    /** The pods Permit holds, oldest first. */
    List<String> waitingPods();

    /**
     * One waiting plugin allows a held pod; once no plugin holds it, it is ready to bind and the host collects it
     * with {@link Scheduler#takeAllowed()}. False if the pod was not waiting.
     */
    boolean allowWaiting(String podName, String plugin);

    /** Rejects a held pod: unreserved and given back. False if it was not waiting. */
    boolean rejectWaiting(String podName);

    /**
     * Whether the cycle's pod would pass every pre-filter, and every filter on the node at {@code slot} (none when
     * the slot is negative), if the given placed pods were gone. The cluster (and every listener) sees them gone only
     * for the duration of the call and exactly as before afterwards.
     */
    boolean fitsWithout(CycleContext cycle, int slot, Collection<String> removed);

    /** The framework's clock, in nanoseconds (the simulator's simulated time). */
    long nowNanos();
}
