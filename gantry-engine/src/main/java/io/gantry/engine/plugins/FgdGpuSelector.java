package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.Fragmentation;

/**
 * GPU choice "FGD": a share goes to the GPU whose use grows the node's fragmentation least (the first index among
 * equal scores); whole GPUs are the lowest-index free ones.
 */
public final class FgdGpuSelector extends ShareAwareGpuSelector {

    /** FGD's share scoring, the same function (and rounding) the FGD score uses, on the profile's fragmentation. */
    private final FgdScore shareScoring;

    public FgdGpuSelector(Fragmentation fragmentation, ScoringMode mode) {
        this.shareScoring = new FgdScore(requireNonNull(fragmentation, "fragmentation"), requireNonNull(mode, "mode"));
    }

    @Override
    public String name() {
        return "fgd";
    }

    @Override
    int shareGpu(ClusterState state, CycleContext cycle, int node) {
        return shareScoring.shareGpu(state, cycle, node);
    }
}
