package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;

/**
 * Policy "GpuPacking": prefer, in this order, GPUs already partly used (the fuller the better), then free GPUs on a
 * node already in use, then an idle node (the fewer GPUs the better). CPU-only pods score 0 everywhere.
 */
public final class GpuPackingScore implements ScorePlugin {

    private final ScoringMode mode;
    private final int[] picked = new int[64];

    public GpuPackingScore(ScoringMode mode) {
        this.mode = requireNonNull(mode, "mode");
    }

    @Override
    public String name() {
        return "GpuPacking";
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
        int gpus = state.gpuCount(node);
        int free = state.fullyFreeGpus(node);
        if (free == gpus) {
            return Math.max(33 - free, free);
        }
        int[] left = state.gpuLeftArray();
        int off = state.gpuOffset(node);
        int found = GpuPicks.packing(left, off, gpus, pod.gpuCount(), pod.gpuMilliPerGpu(), picked);
        if (found < pod.gpuCount()) {
            return 0;
        }
        int freeUsed = 0;
        for (int i = 0; i < found; i++) {
            if (left[off + picked[i]] == NodeSpec.MILLI_PER_GPU) {
                freeUsed++;
            }
        }
        if (freeUsed > 0) {
            return Math.max(50 - freeUsed, 33);
        }
        if (mode == ScoringMode.PAPER) {
            long freePercent = 0;
            for (int i = 0; i < found; i++) {
                freePercent += left[off + picked[i]] * 100L / NodeSpec.MILLI_PER_GPU;
            }
            return Math.max(100 - freePercent / 10, 50);
        }
        double freePercent = 0;
        for (int i = 0; i < found; i++) {
            freePercent += left[off + picked[i]] * 100.0 / NodeSpec.MILLI_PER_GPU;
        }
        return Math.max(100 - freePercent / 10, 50);
    }
}
