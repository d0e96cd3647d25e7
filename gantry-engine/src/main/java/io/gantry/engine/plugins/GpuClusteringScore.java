package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;

/**
 * Policy "GpuClustering": keep pods of one GPU shape together (shared GPU, 1, 2, 4, 8 whole GPUs). A node that
 * hosts only the pod's shape scores 75..100, one that hosts it among others 50..75, an empty node 25..50, a node
 * with only other shapes 0..25; within a band, the less GPU left the higher. CPU-only pods score 0 everywhere.
 */
public final class GpuClusteringScore implements ScorePlugin {

    private final ScoringMode mode;

    public GpuClusteringScore(ScoringMode mode) {
        this.mode = requireNonNull(mode, "mode");
    }

    @Override
    public String name() {
        return "GpuClustering";
    }

    @Override
    public boolean cacheable() {
        return true;
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        if (!pod.needsGpu()) {
            return 0;
        }
        int podTag = pod.isGpuShare() ? ClusterState.SHARE_TAG : pod.gpuCount();
        int[] tags = state.tagCounts(node);
        int distinct = 0;
        boolean hostsOwn = false;
        for (int t = 0; t < tags.length; t++) {
            if (tags[t] > 0) {
                distinct++;
                hostsOwn |= t == podTag;
            }
        }
        long used = (long) DotProductScore.MAX_SPEC_GPU - state.gpuLeftTotal(node);
        double base = mode == ScoringMode.PAPER ? (double) (25 * used / (long) DotProductScore.MAX_SPEC_GPU)
                : 25.0 * used / DotProductScore.MAX_SPEC_GPU;
        if (hostsOwn) {
            return base + (distinct == 1 ? 75 : 50);
        }
        return base + (distinct == 0 ? 25 : 0);
    }
}
