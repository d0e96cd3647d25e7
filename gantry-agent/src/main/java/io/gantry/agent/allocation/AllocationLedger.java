package io.gantry.agent.allocation;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every handout since the agent started, by pod UID, container and resource: it keeps a container from being matched
 * twice and tells the metrics which GPUs a container really got. A pod recreated under the same name replaces its
 * predecessor's entries. Entries of pods the kubelet no longer lists are pruned after a grace period (the kubelet's
 * list lags an Allocate, and is empty for a while after a kubelet restart); the ledger is bounded in case pruning
 * never runs (no PodResources access).
 */
public final class AllocationLedger {

    static final int MAX_ENTRIES = 20_000;
    static final Duration PRUNE_GRACE = Duration.ofMinutes(10);

    private final Clock clock;
    private final Map<String, Instant> recordedAt = new HashMap<>();

    public AllocationLedger() {
        this(Clock.systemUTC());
    }

    public AllocationLedger(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    private final Map<String, Handout> handouts = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Handout> eldest) {
            if (size() > MAX_ENTRIES) {
                recordedAt.remove(eldest.getKey());
                return true;
            }
            return false;
        }
    };

    private static String key(String podUid, String container, ResourceKind kind) {
        return podUid + "|" + container + "|" + kind;
    }

    public synchronized void record(Handout h) {
        requireNonNull(h, "handout");
        if (h.ownerKnown()) {
            handouts.values().removeIf(o -> o.kind() == h.kind() && o.namespace().equals(h.namespace())
                    && o.pod().equals(h.pod()) && o.container().equals(h.container()) && !o.podUid().equals(h.podUid()));
            recordedAt.keySet().retainAll(handouts.keySet());
            String key = key(h.podUid(), h.container(), h.kind());
            handouts.put(key, h);
            recordedAt.put(key, clock.instant());
        }
    }

    public synchronized boolean holds(String podUid, String container, ResourceKind kind) {
        return handouts.containsKey(key(podUid, container, kind));
    }

    /** The handout of a container, looked up by namespace and names (PodResources knows no UIDs). */
    public synchronized Handout find(String namespace, String pod, String container, ResourceKind kind) {
        for (Handout h : handouts.values()) {
            if (h.kind() == kind && h.namespace().equals(namespace) && h.pod().equals(pod)
                    && h.container().equals(container)) {
                return h;
            }
        }
        return null;
    }

    public synchronized List<Handout> all() {
        return new ArrayList<>(handouts.values());
    }

    /** Forgets pods not in {@code livePods} ({@code namespace/name}) whose handout is older than the grace period. */
    public synchronized void retainPods(Set<String> livePods) {
        Instant cutoff = clock.instant().minus(PRUNE_GRACE);
        handouts.entrySet().removeIf(e -> !livePods.contains(e.getValue().namespace() + "/" + e.getValue().pod())
                && recordedAt.getOrDefault(e.getKey(), Instant.MIN).isBefore(cutoff));
        recordedAt.keySet().retainAll(handouts.keySet());
    }
}
