package io.gantry.engine.queue;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import io.gantry.engine.plugins.PrioritySort;
import io.gantry.engine.plugins.QueueSortPlugin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * Pending pods, kept as kube-scheduler's PriorityQueue keeps them: an <b>active</b> heap ordered by the profile's
 * {@link QueueSortPlugin} (pods it ranks equal in the order they entered the queue); <b>backoff</b>, pods waiting out initial × 2^(attempts − 1) (capped) after their last failed
 * attempt; <b>unschedulable</b>, pods that fit nowhere, until {@link #onClusterChange} (something was freed or
 * added) or until they have stayed {@link QueueConfig#maxUnschedulableStay()}. A popped pod is <b>in flight</b>
 * until the caller reports the attempt: {@link #done} (placed: it leaves), {@link #requeueUnschedulable} or
 * {@link #requeueBackoff}. A pod is in exactly one of these four places from {@link #add} until it is done or
 * deleted.
 *
 * <p>No threads and no clock: every call that depends on time takes {@code now}, in the unit the
 * {@link QueueConfig} uses, and the time must not go backwards. Not thread-safe: one thread owns the queue.
 */
public final class SchedulingQueue implements PodQueue {

    /** Where a pod is. */
    public enum Where { ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT }

    private static final class Entry {
        QueuedPod info;
        Where where;
        /** The cluster-change count when the pod was popped: a change during its attempt sends it to backoff. */
        long poppedAtChange;

        Entry(QueuedPod info) {
            this.info = info;
        }

        String name() {
            return info.name();
        }
    }

    private final QueueConfig config;
    private final Map<String, Entry> entries = new HashMap<>();
    private final PriorityQueue<Entry> active;
    private final PriorityQueue<Entry> backoff;
    /** In the order the pods failed, which (time never going backwards) is the order their maximum stay ends. */
    private final LinkedHashMap<String, Entry> unschedulable = new LinkedHashMap<>();
    private long sequence;
    private long clusterChanges;
    private long lastNow = Long.MIN_VALUE;

    public SchedulingQueue(QueueSortPlugin sort, QueueConfig config) {
        requireNonNull(sort, "sort");
        this.config = requireNonNull(config, "config");
        this.active = new PriorityQueue<>((a, b) -> order(sort, a.info, b.info));
        this.backoff = new PriorityQueue<>(Comparator.<Entry>comparingLong(this::backoffEnd)
                .thenComparingLong(e -> e.info.sequence()));
    }

    /** kube-scheduler's default order (PrioritySort) and timings, in milliseconds. */
    public static SchedulingQueue withKubeDefaultsMillis() {
        return new SchedulingQueue(new PrioritySort(), QueueConfig.kubeDefaultsMillis());
    }

    /**
     * The order of the active heap: the plugin's, then the pod that entered the queue first, then the one added
     * first (a total order, so the order never depends on the heap's history).
     */
    public static int order(QueueSortPlugin sort, QueuedPod a, QueuedPod b) {
        int bySort = sort.compare(a.pod(), b.pod());
        if (bySort != 0) {
            return bySort;
        }
        int byTime = Long.compare(a.firstEnqueued(), b.firstEnqueued());
        return byTime != 0 ? byTime : Long.compare(a.sequence(), b.sequence());
    }

    public QueueConfig config() {
        return config;
    }

    // ---- pods in and out -----------------------------------------------------------------------------------

    /** A new pending pod, straight to the active heap. */
    @Override
    public void add(PodRequest pod, long now) {
        requireNonNull(pod, "pod");
        tick(now);
        if (entries.containsKey(pod.name())) {
            throw new IllegalStateException("pod " + pod.name() + " is already in the queue ("
                    + entries.get(pod.name()).where + "); use update");
        }
        Entry e = new Entry(new QueuedPod(pod, now, sequence++, 0, now));
        entries.put(pod.name(), e);
        toActive(e);
    }

    /**
     * The pod changed (for example its priority or requests). Unknown pods are added. An unschedulable pod may fit
     * now, so it moves on (to active, or to backoff if its backoff has not passed); one in backoff keeps its
     * time; one in flight carries the new version back when its attempt is reported.
     */
    @Override
    public void update(PodRequest pod, long now) {
        requireNonNull(pod, "pod");
        tick(now);
        Entry e = entries.get(pod.name());
        if (e == null) {
            add(pod, now);
            return;
        }
        QueuedPod old = e.info;
        switch (e.where) {
            case ACTIVE -> {
                active.remove(e);
                e.info = with(old, pod, old.attempts(), old.lastFailure());
                active.add(e);
            }
            case BACKOFF -> {
                backoff.remove(e);
                e.info = with(old, pod, old.attempts(), old.lastFailure());
                backoff.add(e);
            }
            case UNSCHEDULABLE -> {
                unschedulable.remove(e.name());
                e.info = with(old, pod, old.attempts(), old.lastFailure());
                toActiveOrBackoff(e, now);
            }
            case IN_FLIGHT -> e.info = with(old, pod, old.attempts(), old.lastFailure());
        }
    }

    /** The next pod to try, taken off the active heap (it is in flight until its attempt is reported). */
    @Override
    public Optional<QueuedPod> pop() {
        Entry e = active.poll();
        if (e == null) {
            return Optional.empty();
        }
        e.where = Where.IN_FLIGHT;
        e.poppedAtChange = clusterChanges;
        return Optional.of(e.info);
    }

    /**
     * Takes this pod next, wherever it waits (its backoff is cut short), as kube-scheduler's framework activates a
     * gang's siblings once one member reached Permit. Empty if the pod is not in the queue or already in flight.
     */
    @Override
    public Optional<QueuedPod> take(String name) {
        Entry e = entries.get(requireNonNull(name, "name"));
        if (e == null || e.where == Where.IN_FLIGHT) {
            return Optional.empty();
        }
        switch (e.where) {
            case ACTIVE -> active.remove(e);
            case BACKOFF -> backoff.remove(e);
            case UNSCHEDULABLE -> unschedulable.remove(name);
            case IN_FLIGHT -> throw new IllegalStateException("unreachable");
        }
        e.where = Where.IN_FLIGHT;
        e.poppedAtChange = clusterChanges;
        return Optional.of(e.info);
    }

    /** The attempt placed the pod: it leaves the queue. */
    @Override
    public QueuedPod done(String name) {
        Entry e = inFlight(name, "done");
        entries.remove(name);
        return e.info;
    }

    /**
     * The attempt found no node for the pod. It waits for a cluster change, unless one happened while it was in
     * flight (kube-scheduler's move request cycle), in which case it only waits out its backoff.
     */
    @Override
    public void requeueUnschedulable(String name, long now) {
        tick(now);
        Entry e = inFlight(name, "requeueUnschedulable");
        e.info = with(e.info, e.info.pod(), e.info.attempts() + 1, now);
        if (clusterChanges > e.poppedAtChange) {
            toActiveOrBackoff(e, now);
        } else {
            e.where = Where.UNSCHEDULABLE;
            unschedulable.put(name, e);
        }
    }

    /** The attempt failed for a passing reason (for example a failed bind): retry after the backoff. */
    @Override
    public void requeueBackoff(String name, long now) {
        tick(now);
        Entry e = inFlight(name, "requeueBackoff");
        e.info = with(e.info, e.info.pod(), e.info.attempts() + 1, now);
        toActiveOrBackoff(e, now);
    }

    /** The pod is gone (deleted, given up, or placed elsewhere), wherever it was. */
    @Override
    public Optional<QueuedPod> delete(String name) {
        Entry e = entries.remove(requireNonNull(name, "name"));
        if (e == null) {
            return Optional.empty();
        }
        switch (e.where) {
            case ACTIVE -> active.remove(e);
            case BACKOFF -> backoff.remove(e);
            case UNSCHEDULABLE -> unschedulable.remove(name);
            case IN_FLIGHT -> {
                // nothing holds it but the map
            }
        }
        return Optional.of(e.info);
    }

    // ---- time and cluster changes --------------------------------------------------------------------------

    /**
     * Something in the cluster changed that may let waiting pods fit (resources freed, a node added): every
     * unschedulable pod moves to active, or to backoff if its backoff has not passed yet.
     */
    @Override
    public void onClusterChange(long now) {
        tick(now);
        clusterChanges++;
        if (unschedulable.isEmpty()) {
            return;
        }
        List<Entry> moving = new ArrayList<>(unschedulable.values());
        unschedulable.clear();
        for (Entry e : moving) {
            toActiveOrBackoff(e, now);
        }
    }

    /** Pods whose backoff has passed by {@code now} move to the active heap. */
    public void flushBackoffCompleted(long now) {
        tick(now);
        while (!backoff.isEmpty() && backoffEnd(backoff.peek()) <= now) {
            toActive(backoff.poll());
        }
    }

    /** Pods that have been unschedulable for the maximum stay move on, as after a cluster change. */
    public void flushUnschedulableLeftover(long now) {
        tick(now);
        Iterator<Entry> it = unschedulable.values().iterator();
        List<Entry> moving = new ArrayList<>();
        while (it.hasNext()) {
            Entry e = it.next();
            if (now - e.info.lastFailure() < config.maxUnschedulableStay()) {
                break; // the rest failed later
            }
            it.remove();
            moving.add(e);
        }
        for (Entry e : moving) {
            toActiveOrBackoff(e, now);
        }
    }

    /** Both flushes: what a periodic tick of the queue does. */
    @Override
    public void flush(long now) {
        flushUnschedulableLeftover(now);
        flushBackoffCompleted(now);
    }

    /**
     * The earliest time a waiting pod moves on by itself (its backoff ends, or its maximum unschedulable stay), or
     * empty if none waits on time.
     */
    @Override
    public OptionalLong nextWake() {
        long next = Long.MAX_VALUE;
        if (!backoff.isEmpty()) {
            next = backoffEnd(backoff.peek());
        }
        if (!unschedulable.isEmpty()) {
            Entry first = unschedulable.values().iterator().next();
            next = Math.min(next, first.info.lastFailure() + config.maxUnschedulableStay());
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    // ---- reading -------------------------------------------------------------------------------------------

    @Override
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Optional<Where> where(String name) {
        Entry e = entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.where);
    }

    public Optional<QueuedPod> get(String name) {
        Entry e = entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.info);
    }

    /** Every pod in the queue, in flight included. */
    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public int activeCount() {
        return active.size();
    }

    @Override
    public int backoffCount() {
        return backoff.size();
    }

    @Override
    public int unschedulableCount() {
        return unschedulable.size();
    }

    public int inFlightCount() {
        return entries.size() - active.size() - backoff.size() - unschedulable.size();
    }

    /** A snapshot of every pod in the queue, in no particular order. */
    @Override
    public List<QueuedPod> pods() {
        List<QueuedPod> all = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            all.add(e.info);
        }
        return all;
    }

    /** When the pod's backoff ends: its last failure plus the backoff of its attempt count. */
    public long backoffEnd(QueuedPod pod) {
        return pod.lastFailure() + config.backoff(pod.attempts());
    }

    // ---- internals -----------------------------------------------------------------------------------------

    private long backoffEnd(Entry e) {
        return backoffEnd(e.info);
    }

    private void toActive(Entry e) {
        e.where = Where.ACTIVE;
        active.add(e);
    }

    private void toActiveOrBackoff(Entry e, long now) {
        if (backoffEnd(e) <= now) {
            toActive(e);
        } else {
            e.where = Where.BACKOFF;
            backoff.add(e);
        }
    }

    private Entry inFlight(String name, String operation) {
        Entry e = entries.get(requireNonNull(name, "name"));
        if (e == null || e.where != Where.IN_FLIGHT) {
            throw new IllegalStateException(operation + "(" + name + "): the pod is "
                    + (e == null ? "not in the queue" : e.where.name().toLowerCase(java.util.Locale.ROOT))
                    + ", not in flight; only a popped pod's attempt can be reported");
        }
        return e;
    }

    private static QueuedPod with(QueuedPod old, PodRequest pod, int attempts, long lastFailure) {
        return new QueuedPod(pod, old.firstEnqueued(), old.sequence(), attempts, lastFailure);
    }

    private void tick(long now) {
        if (now < lastNow) {
            throw new IllegalArgumentException("time went backwards: " + now + " after " + lastNow
                    + "; pass a monotonic clock");
        }
        lastNow = now;
    }
}
