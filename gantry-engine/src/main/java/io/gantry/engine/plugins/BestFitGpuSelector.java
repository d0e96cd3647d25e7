package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;

/**
 * GPU choice "best": a share goes to the tightest GPU that holds it (lowest index among equals), which may be a
 * free GPU when nothing tighter fits; whole-GPU pods get the lowest-index free GPUs.
 */
public final class BestFitGpuSelector extends ShareAwareGpuSelector {

    @Override
    public String name() {
        return "best";
    }

    @Override
    int shareGpu(ClusterState state, CycleContext cycle, int node) {
        return GpuPicks.tightest(state, node, cycle.pod().gpuMilliPerGpu());
    }
}
