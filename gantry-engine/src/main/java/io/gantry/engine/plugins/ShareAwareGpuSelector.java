package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;

/**
 * The common shape of GPU choices: CPU-only pods get no GPU, whole-GPU pods the lowest-index free GPUs, and a share
 * the one GPU that {@link #shareGpu} picks among those that hold it.
 */
abstract class ShareAwareGpuSelector implements GpuSelector {

    @Override
    public final int[] select(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        if (!pod.needsGpu()) {
            return GpuPicks.none();
        }
        if (pod.isGpuShare()) {
            return new int[] {shareGpu(state, cycle, node)};
        }
        return GpuPicks.lowestFullyFree(state, node, pod.gpuCount());
    }

    /** The GPU for a share; the node passed the filters, so at least one GPU holds it. */
    abstract int shareGpu(ClusterState state, CycleContext cycle, int node);
}
