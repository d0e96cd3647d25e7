package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;

/**
 * GPU choice "best": a share goes to the tightest GPU that holds it (lowest index among equals), which may be a
 * free GPU when nothing tighter fits; whole-GPU pods get the lowest-index free GPUs.
 */
public final class BestFitGpuSelector implements GpuSelector {

    @Override
    public String name() {
        return "best";
    }

    @Override
    public int[] select(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        if (!pod.needsGpu()) {
            return GpuPicks.none();
        }
        if (pod.isGpuShare()) {
            return new int[] {GpuPicks.tightest(state, node, pod.gpuMilliPerGpu())};
        }
        return GpuPicks.lowestFullyFree(state, node, pod.gpuCount());
    }
}
