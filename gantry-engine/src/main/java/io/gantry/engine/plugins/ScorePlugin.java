package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;

/**
 * Extension point "score": how good is a feasible node for the pod? Higher is better; the scheduler picks the
 * highest, ties to the node with the lowest tie-break rank.
 */
public interface ScorePlugin {

    String name();

    /** Called once per cycle with the feasible nodes, before any {@link #score}. */
    default void preScore(ClusterState state, CycleContext cycle, int[] feasible, int count) {
    }

    /**
     * Kube-scheduler's PreScore {@code Skip}: asked right after {@link #preScore}; true when this plugin scores every
     * node 0 for the cycle's pod (e.g. the pod has no inter-pod terms), so its score and normalize are not called and
     * it adds nothing to any node's sum.
     */
    default boolean skipped() {
        return false;
    }

    double score(ClusterState state, CycleContext cycle, int node);

    /** Rescales the scores of the feasible nodes in place, if the policy wants that. */
    default void normalize(double[] scores, int count) {
    }

    /**
     * Opt in to the scheduler's score cache: return true only if {@link #score} depends on nothing but the node's
     * state and the pod's CPU, GPU count, GPU milli and allowed models. Scores are then reused per pod shape
     * until the node changes.
     */
    default boolean cacheable() {
        return false;
    }
}
