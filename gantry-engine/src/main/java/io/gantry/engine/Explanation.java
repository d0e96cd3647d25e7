package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Why a pod fits nowhere: how many nodes each reason rejected. Every node is counted once, under the first filter
 * that rejected it.
 */
public record Explanation(int totalNodes, Map<Reason, Integer> nodesByReason) {

    public Explanation {
        requireNonNull(nodesByReason, "nodesByReason");
        nodesByReason = Map.copyOf(nodesByReason);
    }

    /** Kube-scheduler's wording: {@code 0/1213 nodes are available: 907 insufficient GPU, 250 insufficient CPU.} */
    public String message() {
        if (totalNodes == 0) {
            return "0/0 nodes are available: no nodes in the cluster.";
        }
        String reasons = nodesByReason.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<Reason, Integer> e) -> e.getValue()).reversed()
                        .thenComparing(e -> e.getKey().message()))
                .map(e -> e.getValue() + " " + e.getKey().message())
                .collect(Collectors.joining(", "));
        return "0/" + totalNodes + " nodes are available: " + reasons + ".";
    }

    /** Counts in descending order, for JSON reports. */
    public Map<String, Integer> countsByMessage() {
        return nodesByReason.entrySet().stream()
                .sorted(Map.Entry.<Reason, Integer>comparingByValue().reversed()
                        .thenComparing(e -> e.getKey().message()))
                .collect(Collectors.toMap(e -> e.getKey().message(), Map.Entry::getValue, (a, b) -> a,
                        LinkedHashMap::new));
    }
}
