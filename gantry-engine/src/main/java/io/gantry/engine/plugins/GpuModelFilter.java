package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;

/**
 * GPU model: a pod that names GPU models runs only on nodes whose GPUs are one of them (node affinity's place in
 * kube-scheduler's order, before resources). Nodes without GPUs and CPU-only pods pass: whether there are enough
 * GPUs is {@link ResourceFitFilter}'s question.
 */
public final class GpuModelFilter implements FilterPlugin {

    @Override
    public String name() {
        return "GpuModel";
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        if (!pod.needsGpu() || state.gpuCount(node) == 0) {
            return null;
        }
        return cycle.modelAllowed(state.modelId(node)) ? null : Reason.GPU_MODEL_MISMATCH;
    }
}
