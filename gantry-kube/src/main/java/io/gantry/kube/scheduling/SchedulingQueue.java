package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.kube.model.PodDemand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Pending pods, as kube-scheduler's queue keeps them: an active heap (higher priority first, then older first);
 * pods in backoff after a failed attempt (1 s doubling up to the maximum); pods found unschedulable, which wait
 * for a cluster change (a node added or changed, a pod gone) or at most {@link #UNSCHEDULABLE_MAX_WAIT}; invalid
 * pods and pods asking constraints Gantry does not check, which wait until the pod itself changes; gated pods ({@code spec.schedulingGates} not empty), which wait
 * until their gates are removed, as kube-scheduler's SchedulingGates PreEnqueue keeps them out of its active queue;
 * pods whose bind is in flight.
 */
final class SchedulingQueue {

    /** As kube-scheduler's podMaxInUnschedulablePodsDuration. */
    static final Duration UNSCHEDULABLE_MAX_WAIT = Duration.ofMinutes(5);

    enum State { ACTIVE, BACKOFF, UNSCHEDULABLE, INVALID, GATED, BINDING }

    /** One pending pod. Mutable, owned by the queue and the loop thread. */
    static final class Entry {
        final String key;
        Pod pod;
        PodDemand demand;
        /** Required constraints the pod asks that Gantry does not check: it waits, as an invalid pod does. */
        List<String> unsupported = List.of();
        State state;
        int attempts;
        long readyAtNanos;
        long enqueuedNanos;
        String lastMessage;
        long sequence;

        Entry(String key, Pod pod, PodDemand demand) {
            this.key = key;
            this.pod = pod;
            this.demand = demand;
        }

        int priority() {
            Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
            return p == null ? 0 : p;
        }

        String creation() {
            String c = pod.getMetadata().getCreationTimestamp();
            return c == null ? "" : c;
        }

        String uid() {
            return pod.getMetadata().getUid();
        }
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::priority).reversed()
            .thenComparing(Entry::creation).thenComparingLong(e -> e.sequence);

    private final Map<String, Entry> entries = new HashMap<>();
    private final PriorityQueue<Entry> active = new PriorityQueue<>(ORDER);
    private final long backoffInitialNanos;
    private final long backoffMaxNanos;
    private long sequence;

    SchedulingQueue(Duration backoffInitial, Duration backoffMax) {
        this.backoffInitialNanos = requireNonNull(backoffInitial, "backoffInitial").toNanos();
        this.backoffMaxNanos = requireNonNull(backoffMax, "backoffMax").toNanos();
    }

    /**
     * Adds a pending pod, or refreshes one. A pod whose demand changed (e.g. a fixed annotation) or whose scheduling
     * gates were removed gets a fresh start; otherwise its place and backoff are kept. A gated pod waits, whatever
     * it asks.
     */
    Entry upsert(String key, Pod pod, PodDemand demand, boolean gated, List<String> unsupported, long now) {
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry(key, pod, demand);
            e.unsupported = List.copyOf(unsupported);
            e.sequence = sequence++;
            e.enqueuedNanos = now;
            entries.put(key, e);
            enter(e, initialState(e, gated), now);
            return e;
        }
        e.pod = pod;
        if (e.state == State.BINDING) {
            return e;
        }
        boolean changed = !e.demand.equals(demand) || !e.unsupported.equals(unsupported);
        boolean gateChanged = gated != (e.state == State.GATED);
        if (changed || gateChanged) {
            e.demand = demand;
            e.unsupported = List.copyOf(unsupported);
            e.attempts = 0;
            e.lastMessage = null;
            active.remove(e);
            enter(e, initialState(e, gated), now);
        }
        return e;
    }

    private static State initialState(Entry e, boolean gated) {
        return gated ? State.GATED : e.demand instanceof PodDemand.Invalid || !e.unsupported.isEmpty()
                ? State.INVALID : State.ACTIVE;
    }

    Optional<Entry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    Optional<Entry> remove(String key) {
        Entry e = entries.remove(key);
        if (e != null && e.state == State.ACTIVE) {
            active.remove(e);
        }
        return Optional.ofNullable(e);
    }

    /** The next pod to try, if one is ready; it leaves the active heap (the caller sets its next state). */
    Optional<Entry> pop(long now) {
        promote(now);
        Entry e = active.poll();
        if (e != null) {
            e.state = State.BINDING; // provisional, until the caller decides
        }
        return Optional.ofNullable(e);
    }

    /** The attempt failed for lack of room: wait for a cluster change, or the maximum wait. */
    void unschedulable(Entry e, long now) {
        e.attempts++;
        e.readyAtNanos = now + UNSCHEDULABLE_MAX_WAIT.toNanos();
        enter(e, State.UNSCHEDULABLE, now);
    }

    /** The attempt failed for a transient reason (an API error): retry after the backoff. */
    void backoff(Entry e, long now) {
        e.attempts++;
        e.readyAtNanos = now + backoffNanos(e.attempts);
        enter(e, State.BACKOFF, now);
    }

    void invalid(Entry e, long now) {
        enter(e, State.INVALID, now);
    }

    void binding(Entry e) {
        e.state = State.BINDING;
    }

    /**
     * Something in the cluster changed that may let waiting pods fit: unschedulable pods go to backoff (and on to
     * active once their backoff has passed).
     */
    void clusterChanged(long now) {
        for (Entry e : entries.values()) {
            if (e.state == State.UNSCHEDULABLE) {
                e.state = State.BACKOFF;
                e.readyAtNanos = Math.min(e.readyAtNanos, lastFailure(e) + backoffNanos(e.attempts));
            }
        }
        promote(now);
    }

    /** When the earliest waiting pod becomes ready, or -1 if none waits on time. */
    long nextWakeNanos() {
        long next = -1;
        for (Entry e : entries.values()) {
            if (e.state == State.BACKOFF || e.state == State.UNSCHEDULABLE) {
                next = next < 0 ? e.readyAtNanos : Math.min(next, e.readyAtNanos);
            }
        }
        return next;
    }

    boolean hasReady(long now) {
        promote(now);
        return !active.isEmpty();
    }

    /** Pods not yet bound: active, waiting, invalid or binding. */
    int size() {
        return entries.size();
    }

    int count(State state) {
        int n = 0;
        for (Entry e : entries.values()) {
            if (e.state == state) {
                n++;
            }
        }
        return n;
    }

    Collection<Entry> entries() {
        return List.copyOf(entries.values());
    }

    long backoffNanos(int attempts) {
        long d = backoffInitialNanos;
        for (int i = 1; i < attempts && d < backoffMaxNanos; i++) {
            d *= 2;
        }
        return Math.min(d, backoffMaxNanos);
    }

    private long lastFailure(Entry e) {
        return e.readyAtNanos - UNSCHEDULABLE_MAX_WAIT.toNanos();
    }

    private void enter(Entry e, State state, long now) {
        e.state = state;
        if (state == State.ACTIVE) {
            active.add(e);
        }
    }

    private void promote(long now) {
        List<Entry> ready = new ArrayList<>();
        for (Entry e : entries.values()) {
            if ((e.state == State.BACKOFF || e.state == State.UNSCHEDULABLE) && e.readyAtNanos - now <= 0) {
                ready.add(e);
            }
        }
        for (Entry e : ready) {
            enter(e, State.ACTIVE, now);
        }
    }
}
