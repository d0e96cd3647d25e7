package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;

/**
 * GPU choice "FGD": a share goes to the GPU whose use grows the node's fragmentation least (the first index among
 * equal scores); whole GPUs are the lowest-index free ones.
 */
public final class FgdGpuSelector implements GpuSelector {

    private final FgdScore score;

    public FgdGpuSelector(FgdScore score) {
        this.score = requireNonNull(score, "score");
    }

    @Override
    public String name() {
        return "fgd";
    }

    @Override
    public int[] select(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        if (!pod.needsGpu()) {
            return GpuPicks.none();
        }
        if (pod.isGpuShare()) {
            return new int[] {score.shareGpu(state, cycle, node)};
        }
        return GpuPicks.lowestFullyFree(state, node, pod.gpuCount());
    }
}
