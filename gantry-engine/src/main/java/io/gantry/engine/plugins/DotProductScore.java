package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;

/**
 * Policy "DotProd" (Tetris-style alignment): the dot product of the node's free (CPU, total GPU) and the pod's
 * request, each normalized by the largest node spec; a smaller product scores higher, so the pod goes where the
 * least capacity of the kinds it needs is left.
 */
public final class DotProductScore implements ScorePlugin {

    /**
     * Normalization bounds of the paper's simulator: 128 cores, 8 GPUs (also used by BestFit and GpuClustering).
     * On larger nodes the scores leave their nominal ranges; the ranking stays meaningful.
     */
    public static final double MAX_SPEC_CPU = 128_000;
    public static final double MAX_SPEC_GPU = 8_000;

    private final ScoringMode mode;

    public DotProductScore(ScoringMode mode) {
        this.mode = requireNonNull(mode, "mode");
    }

    @Override
    public String name() {
        return "DotProd";
    }

    @Override
    public boolean cacheable() {
        return true;
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        long cpuLeft = state.cpuLeft(node);
        if (cpuLeft < pod.cpuMilli()) {
            return 0;
        }
        double product = 0;
        product += (cpuLeft / MAX_SPEC_CPU) * (pod.cpuMilli() / MAX_SPEC_CPU);
        product += (state.gpuLeftTotal(node) / MAX_SPEC_GPU) * (pod.totalGpuMilli() / MAX_SPEC_GPU);
        double score = 1 - product / 2;
        return mode.round(100 * score);
    }
}
