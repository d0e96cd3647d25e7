package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;

/**
 * GPU choice "FGD": a share goes to the GPU whose use grows the node's fragmentation least (the first index among
 * equal scores); whole GPUs are the lowest-index free ones.
 */
public final class FgdGpuSelector extends ShareAwareGpuSelector {

    private final FgdScore score;

    public FgdGpuSelector(FgdScore score) {
        this.score = requireNonNull(score, "score");
    }

    @Override
    public String name() {
        return "fgd";
    }

    @Override
    int shareGpu(ClusterState state, CycleContext cycle, int node) {
        return score.shareGpu(state, cycle, node);
    }
}
