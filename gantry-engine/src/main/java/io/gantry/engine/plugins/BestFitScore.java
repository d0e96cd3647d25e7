package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;

/**
 * Policy "BestFit": the node with the least CPU and GPU left after the placement (each normalized by the largest
 * node spec, weighted equally) scores highest. In paper mode the scores are then rescaled to 0..100 over the
 * feasible nodes with integer arithmetic, as the paper's simulator does (which can merge neighbouring scores).
 */
public final class BestFitScore implements ScorePlugin {

    private final ScoringMode mode;

    public BestFitScore(ScoringMode mode) {
        this.mode = requireNonNull(mode, "mode");
    }

    @Override
    public String name() {
        return "BestFit";
    }

    @Override
    public boolean cacheable() {
        return true;
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        double left = 0;
        left += ((double) state.cpuLeft(node) - (double) pod.cpuMilli()) / DotProductScore.MAX_SPEC_CPU * 0.5;
        left += ((double) state.gpuLeftTotal(node) - (double) pod.totalGpuMilli()) / DotProductScore.MAX_SPEC_GPU * 0.5;
        return mode.round((1.0 - left) * 100);
    }

    @Override
    public void normalize(double[] scores, int count) {
        if (mode != ScoringMode.PAPER || count == 0) {
            return;
        }
        long highest = Long.MIN_VALUE;
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            long s = (long) scores[i];
            highest = Math.max(highest, s);
            lowest = Math.min(lowest, s);
        }
        long range = highest - lowest;
        for (int i = 0; i < count; i++) {
            scores[i] = range == 0 ? 0 : ((long) scores[i] - lowest) * 100 / range;
        }
    }
}
