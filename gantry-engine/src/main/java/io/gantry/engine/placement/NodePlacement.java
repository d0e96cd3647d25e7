package io.gantry.engine.placement;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A pod's rules for which nodes it may use: {@code nodeSelector} (every label must equal), required node affinity
 * (at least one term must match; empty means no constraint), and tolerations.
 */
public record NodePlacement(Map<String, String> nodeSelector, List<NodeSelectorTerm> requiredAffinity,
        List<Toleration> tolerations) {

    /** No constraint at all: any node, no taint tolerated. */
    public static final NodePlacement NONE = new NodePlacement(Map.of(), List.of(), List.of());

    public NodePlacement {
        nodeSelector = Map.copyOf(requireNonNull(nodeSelector, "nodeSelector"));
        requiredAffinity = List.copyOf(requireNonNull(requiredAffinity, "requiredAffinity"));
        tolerations = List.copyOf(requireNonNull(tolerations, "tolerations"));
    }

    /** Whether the node's name and labels satisfy the selector and the required affinity. */
    public boolean selects(String nodeName, Map<String, String> labels) {
        for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        if (requiredAffinity.isEmpty()) {
            return true;
        }
        for (NodeSelectorTerm term : requiredAffinity) {
            if (term.matches(nodeName, labels)) {
                return true;
            }
        }
        return false;
    }

    /** The first filtering taint among these that the pod does not tolerate, or null. */
    public Taint untolerated(List<Taint> taints) {
        for (Taint t : taints) {
            if (t.filters() && !tolerates(t)) {
                return t;
            }
        }
        return null;
    }

    /** Whether some filtering taint is not tolerated. */
    public boolean blockedBy(List<Taint> taints) {
        return untolerated(taints) != null;
    }

    public boolean tolerates(Taint taint) {
        for (Toleration t : tolerations) {
            if (t.tolerates(taint)) {
                return true;
            }
        }
        return false;
    }
}
