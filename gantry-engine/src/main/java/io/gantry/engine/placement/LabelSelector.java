package io.gantry.engine.placement;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector over pod labels: every {@code matchLabels} entry must equal and every expression
 * (In, NotIn, Exists, DoesNotExist) must hold. An empty selector matches every pod; {@link #NOTHING} (what a missing
 * selector means in pod affinity and topology spread) matches none.
 */
public record LabelSelector(Map<String, String> matchLabels, List<NodeSelectorRequirement> matchExpressions,
        boolean matchesNothing) {

    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of(), false);
    public static final LabelSelector NOTHING = new LabelSelector(Map.of(), List.of(), true);

    public LabelSelector {
        matchLabels = Map.copyOf(requireNonNull(matchLabels, "matchLabels"));
        matchExpressions = List.copyOf(requireNonNull(matchExpressions, "matchExpressions"));
        for (NodeSelectorRequirement r : matchExpressions) {
            if (r.operator() == NodeSelectorRequirement.Operator.GT
                    || r.operator() == NodeSelectorRequirement.Operator.LT) {
                throw new IllegalArgumentException("label selector " + r.key() + " " + r.operator().apiName()
                        + ": a label selector takes In, NotIn, Exists or DoesNotExist only");
            }
        }
    }

    public LabelSelector(Map<String, String> matchLabels, List<NodeSelectorRequirement> matchExpressions) {
        this(matchLabels, matchExpressions, false);
    }

    /** The same selector with one more expression (matchLabelKeys and mismatchLabelKeys are merged this way). */
    public LabelSelector and(NodeSelectorRequirement requirement) {
        if (matchesNothing) {
            return this;
        }
        List<NodeSelectorRequirement> more = new java.util.ArrayList<>(matchExpressions);
        more.add(requireNonNull(requirement, "requirement"));
        return new LabelSelector(matchLabels, more, false);
    }

    public boolean matches(Map<String, String> labels) {
        if (matchesNothing) {
            return false;
        }
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (NodeSelectorRequirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
