package io.gantry.agent.allocation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every handout since the agent started, by pod UID, container and resource: it keeps a container from being matched
 * twice and tells the metrics which GPUs a container really got. Pods that are gone are pruned; the ledger is bounded
 * in case pruning never runs (no PodResources access).
 */
public final class AllocationLedger {

    static final int MAX_ENTRIES = 20_000;

    private final Map<String, Handout> handouts = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Handout> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private static String key(String podUid, String container, ResourceKind kind) {
        return podUid + "|" + container + "|" + kind;
    }

    public synchronized void record(Handout h) {
        requireNonNull(h, "handout");
        if (h.ownerKnown()) {
            handouts.put(key(h.podUid(), h.container(), h.kind()), h);
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

    /** Forgets pods that are not in {@code livePods} ({@code namespace/name}). */
    public synchronized void retainPods(Set<String> livePods) {
        handouts.values().removeIf(h -> !livePods.contains(h.namespace() + "/" + h.pod()));
    }
}
