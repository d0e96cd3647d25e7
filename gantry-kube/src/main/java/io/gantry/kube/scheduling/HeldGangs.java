package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Gang members Permit holds: reserved on a node (assumed in the mirror, in flight in the queue) until their gang is
 * complete, then bound together; or released, and pending again. Not thread-safe: the loop thread owns it.
 */
final class HeldGangs {

    /** One held member: its queue entry, what it asked, where it is reserved, and until when (engine clock). */
    record Held(Entry entry, PodRequest request, GpuAllocation allocation, long deadlineNanos) {
        Held {
            requireNonNull(entry, "entry");
            requireNonNull(request, "request");
            requireNonNull(allocation, "allocation");
        }
    }

    private final Map<String, Held> held = new LinkedHashMap<>();

    void hold(Held h) {
        held.put(h.entry().key, h);
    }

    Optional<Held> get(String key) {
        return Optional.ofNullable(held.get(key));
    }

    Optional<Held> remove(String key) {
        return Optional.ofNullable(held.remove(key));
    }

    boolean contains(String key) {
        return held.containsKey(key);
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    /** The held members, oldest first (a copy). */
    List<Held> all() {
        return List.copyOf(held.values());
    }

    Collection<String> keys() {
        return List.copyOf(held.keySet());
    }

    /** The earliest Permit deadline, if any member is held. */
    OptionalLong nextDeadline() {
        return held.values().stream().mapToLong(Held::deadlineNanos).min();
    }
}
