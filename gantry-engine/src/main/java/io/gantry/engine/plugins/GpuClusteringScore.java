package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;

/**
 * Policy "GpuClustering": keep pods of one GPU shape together (shared GPU, 1, 2, 4, 8 whole GPUs). A node that
 * hosts only the pod's shape scores 75..100, one that hosts it among others 50..75, an empty node 25..50, a node
 * with only other shapes 0..25; within a band, the less GPU left the higher. CPU-only pods score 0 everywhere.
 *
 * <p>The shapes on each node are counted from the node's placements and kept per node until its version changes, so
 * the cluster state holds nothing for this policy alone.
 */
public final class GpuClusteringScore implements ScorePlugin {

    /** Index into a node's shape counts for shared-GPU pods; index k counts pods with k whole GPUs. */
    static final int SHARE_TAG = 0;

    private final ScoringMode mode;
    private int[][] tags = new int[0][];
    private int[] tagsVersion = new int[0];

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
        int podTag = pod.isGpuShare() ? SHARE_TAG : pod.gpuCount();
        int[] tags = tagCounts(state, node);
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

    /**
     * Counts of GPU pods on the node by shape (index {@link #SHARE_TAG}: shares, k: pods with k whole GPUs), recounted
     * only when the node changed since the last count. Read only.
     */
    public int[] tagCounts(ClusterState state, int node) {
        if (tags.length < state.slotCount()) {
            int old = tags.length;
            tags = java.util.Arrays.copyOf(tags, state.slotCount());
            tagsVersion = java.util.Arrays.copyOf(tagsVersion, state.slotCount());
            java.util.Arrays.fill(tagsVersion, old, tagsVersion.length, Integer.MIN_VALUE);
        }
        int version = state.version(node);
        if (tagsVersion[node] == version && tags[node] != null) {
            return tags[node];
        }
        int[] counts = tags[node] != null && tags[node].length == state.gpuCount(node) + 1 ? tags[node]
                : new int[state.gpuCount(node) + 1];
        java.util.Arrays.fill(counts, 0);
        for (GpuAllocation a : state.allocationsOn(node)) {
            int n = a.gpuIndices().size();
            if (n > 0) {
                int tag = a.gpuMilliPerGpu() < NodeSpec.MILLI_PER_GPU ? SHARE_TAG : n;
                if (tag < counts.length) {
                    counts[tag]++;
                }
            }
        }
        tags[node] = counts;
        tagsVersion[node] = version;
        return counts;
    }
}
