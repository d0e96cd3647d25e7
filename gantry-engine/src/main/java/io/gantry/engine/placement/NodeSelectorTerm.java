package io.gantry.engine.placement;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One term of required node affinity: all its label expressions and field expressions must hold (AND). The only
 * node field Kubernetes supports is {@code metadata.name}. A term with no requirement matches no node, as in
 * Kubernetes.
 */
public record NodeSelectorTerm(List<NodeSelectorRequirement> matchExpressions,
        List<NodeSelectorRequirement> matchFields) {

    public NodeSelectorTerm {
        matchExpressions = List.copyOf(requireNonNull(matchExpressions, "matchExpressions"));
        matchFields = List.copyOf(requireNonNull(matchFields, "matchFields"));
    }

    public boolean matches(String nodeName, Map<String, String> labels) {
        if (matchExpressions.isEmpty() && matchFields.isEmpty()) {
            return false;
        }
        for (NodeSelectorRequirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        if (!matchFields.isEmpty()) {
            Map<String, String> fields = Map.of("metadata.name", nodeName);
            for (NodeSelectorRequirement r : matchFields) {
                if (!r.matches(fields)) {
                    return false;
                }
            }
        }
        return true;
    }
}
