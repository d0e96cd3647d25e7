package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.engine.plugins.QueueSortPlugin;
import io.gantry.engine.queue.QueueConfig;
import io.gantry.engine.queue.QueuedPod;
import io.gantry.kube.model.PodDemand;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Pending pods of this scheduler. The engine's queue ({@link io.gantry.engine.queue.SchedulingQueue}: active heap by
 * the profile's queue sort, backoff, unschedulable until a cluster change or {@link #UNSCHEDULABLE_MAX_WAIT}, in
 * flight) holds every pod that can be tried; this keeps, beside it, what Kubernetes adds: the pod object, what it
 * asks, the last message written on it, and the pods the pod itself holds back, which never enter the engine's
 * queue until they change: gated ones ({@code spec.schedulingGates}, as kube-scheduler's SchedulingGates PreEnqueue
 * keeps them out), invalid ones, and those asking constraints Gantry does not check.
 *
 * <p>Not thread-safe: the loop thread owns it.
 */
final class SchedulingQueue {

    /** As kube-scheduler's podMaxInUnschedulablePodsDuration. */
    static final Duration UNSCHEDULABLE_MAX_WAIT = Duration.ofMinutes(5);

    /** Where a pending pod is; BINDING is the engine queue's "in flight": being decided or bound. */
    enum State { ACTIVE, BACKOFF, UNSCHEDULABLE, INVALID, GATED, BINDING }

    /** One pending pod. Mutable, owned by the queue and the loop thread. */
    final class Entry {
        final String key;
        Pod pod;
        PodDemand demand;
        /** Required constraints the pod asks that Gantry does not check: it waits, as an invalid pod does. */
        List<String> unsupported;
        /** INVALID or GATED while the pod itself holds it back; null while the engine's queue has it. */
        private State held;
        String lastMessage;

        private Entry(String key, Pod pod, PodDemand demand, List<String> unsupported) {
            this.key = key;
            this.pod = pod;
            this.demand = demand;
            this.unsupported = List.copyOf(unsupported);
        }

        State state() {
            if (held != null) {
                return held;
            }
            return switch (waiting.where(key).orElseThrow()) {
                case ACTIVE -> State.ACTIVE;
                case BACKOFF -> State.BACKOFF;
                case UNSCHEDULABLE -> State.UNSCHEDULABLE;
                case IN_FLIGHT -> State.BINDING;
            };
        }

        /** Failed attempts so far. */
        int attempts() {
            return waiting.get(key).map(QueuedPod::attempts).orElse(0);
        }

        String uid() {
            return pod.getMetadata().getUid();
        }
    }

    private final io.gantry.engine.queue.SchedulingQueue waiting;
    private final Map<String, Entry> entries = new HashMap<>();
    private long lastNow = Long.MIN_VALUE;

    SchedulingQueue(Duration backoffInitial, Duration backoffMax, QueueSortPlugin sort) {
        this.waiting = new io.gantry.engine.queue.SchedulingQueue(requireNonNull(sort, "sort"), new QueueConfig(
                requireNonNull(backoffInitial, "backoffInitial").toNanos(),
                requireNonNull(backoffMax, "backoffMax").toNanos(), UNSCHEDULABLE_MAX_WAIT.toNanos()));
    }

    /** The engine's queue wants time that never goes backwards; callers' clocks are read at slightly different times. */
    private long now(long now) {
        lastNow = Math.max(lastNow, now);
        return lastNow;
    }

    private static State held(PodDemand demand, boolean gated, List<String> unsupported) {
        return gated ? State.GATED : demand instanceof PodDemand.Invalid || !unsupported.isEmpty() ? State.INVALID
                : null;
    }

    /**
     * Adds a pending pod, or refreshes one. A pod whose demand changed (e.g. a fixed annotation), or whose gates were
     * removed or added, gets a fresh start; otherwise its place and backoff are kept. A pod being decided or bound
     * only gets the newer pod object.
     */
    Entry upsert(String key, Pod pod, PodDemand demand, boolean gated, List<String> unsupported, long now) {
        State held = held(demand, gated, unsupported);
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry(key, pod, demand, unsupported);
            e.held = held;
            entries.put(key, e);
            if (held == null) {
                waiting.add(((PodDemand.Valid) demand).request(), now(now));
            }
            return e;
        }
        e.pod = pod;
        if (e.state() == State.BINDING) {
            return e;
        }
        if (!e.demand.equals(demand) || !e.unsupported.equals(unsupported) || e.held != held) {
            e.demand = demand;
            e.unsupported = List.copyOf(unsupported);
            e.lastMessage = null;
            waiting.delete(key);
            e.held = held;
            if (held == null) {
                waiting.add(((PodDemand.Valid) demand).request(), now(now));
            }
        }
        return e;
    }

    Optional<Entry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    Optional<Entry> remove(String key) {
        waiting.delete(key);
        return Optional.ofNullable(entries.remove(key));
    }

    /** The next pod to try, if one is ready; it is in flight ({@link State#BINDING}) until the caller reports. */
    Optional<Entry> pop(long now) {
        waiting.flush(now(now));
        return waiting.pop().map(q -> entries.get(q.name()));
    }

    /**
     * This pod next, out of turn (a held gang member's siblings, before anything takes the room its gang counted on),
     * if it waits in the engine's queue; it is in flight then, as after {@link #pop}.
     */
    Optional<Entry> take(String key) {
        return waiting.take(key).map(q -> entries.get(q.name()));
    }

    /** The attempt failed for lack of room: wait for a cluster change, or the maximum wait. */
    void unschedulable(Entry e, long now) {
        if (e.state() == State.BINDING) {
            waiting.requeueUnschedulable(e.key, now(now));
        }
    }

    /** The attempt failed for a transient reason (an API error): retry after the backoff. */
    void backoff(Entry e, long now) {
        if (e.state() == State.BINDING) {
            waiting.requeueBackoff(e.key, now(now));
        }
    }

    /** A popped pod turned out not schedulable as it is: it waits until the pod changes. */
    void invalid(Entry e, long now) {
        waiting.delete(e.key);
        e.held = State.INVALID;
    }

    /**
     * Something in the cluster changed that may let waiting pods fit: unschedulable pods move on (to active, or
     * backoff until theirs has passed).
     */
    void clusterChanged(long now) {
        waiting.onClusterChange(now(now));
    }

    /** When the earliest waiting pod becomes ready by itself, if one waits on time. */
    OptionalLong nextWakeNanos() {
        return waiting.nextWake();
    }

    boolean hasReady(long now) {
        waiting.flush(now(now));
        return waiting.activeCount() > 0;
    }

    /** Pods not yet bound: queued, waiting, held or binding. */
    int size() {
        return entries.size();
    }

    Collection<Entry> entries() {
        return List.copyOf(entries.values());
    }
}
