package io.gantry.loadtest.apiserver;

import java.util.HashMap;
import java.util.Map;

/**
 * What the API server saw of each pod, for the load test: when it was created, when it was first bound (both on
 * this process's {@link System#nanoTime()} clock), how many binds succeeded and how many were refused with a 409
 * (already bound, being deleted or gated), and whether it was evicted. Guarded by the store's lock.
 */
public final class BindLedger {

    /** One pod's record. */
    public static final class PodRecord {
        long createdNanos;
        long boundNanos;
        int binds;
        int conflicts;
        boolean evicted;

        public long createdNanos() {
            return createdNanos;
        }

        public long boundNanos() {
            return boundNanos;
        }

        public int binds() {
            return binds;
        }

        public int conflicts() {
            return conflicts;
        }

        /** Deleted through the Eviction API. */
        public boolean evicted() {
            return evicted;
        }
    }

    private final Map<String, PodRecord> pods = new HashMap<>();
    private int created;
    private int bound;
    private int conflicts;
    private int evictions;

    void created(String key, long nanos) {
        PodRecord r = new PodRecord();
        r.createdNanos = nanos;
        pods.put(key, r);
        created++;
    }

    void bound(String key, long nanos) {
        PodRecord r = pods.computeIfAbsent(key, k -> new PodRecord());
        if (r.binds++ == 0) {
            r.boundNanos = nanos;
            bound++;
        }
    }

    void conflict(String key) {
        pods.computeIfAbsent(key, k -> new PodRecord()).conflicts++;
        conflicts++;
    }

    void evicted(String key) {
        pods.computeIfAbsent(key, k -> new PodRecord()).evicted = true;
        evictions++;
    }

    /** Pods ({@code namespace/name}) with their records. */
    public Map<String, PodRecord> pods() {
        return pods;
    }

    public int created() {
        return created;
    }

    /** Pods bound at least once. */
    public int bound() {
        return bound;
    }

    /** Binds refused with 409 because the pod was already bound, being deleted or gated. */
    public int conflicts() {
        return conflicts;
    }

    /** Pods deleted through the Eviction API (dry runs not counted). */
    public int evictions() {
        return evictions;
    }
}
