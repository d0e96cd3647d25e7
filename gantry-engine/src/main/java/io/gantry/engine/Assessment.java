package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** Every node's verdict on one pod: the reason each infeasible node failed, the score of each feasible one. */
public record Assessment(Map<String, Reason> rejected, Map<String, Double> scores) {

    public Assessment {
        rejected = Map.copyOf(requireNonNull(rejected, "rejected"));
        scores = Map.copyOf(requireNonNull(scores, "scores"));
    }

    public boolean feasible(String nodeName) {
        return scores.containsKey(nodeName);
    }
}
