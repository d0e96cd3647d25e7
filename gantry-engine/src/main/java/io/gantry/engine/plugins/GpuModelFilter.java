package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;

/**
 * GPU model: a pod that names GPU models runs only on nodes whose GPUs are one of them (node affinity's place in
 * kube-scheduler's order, before resources). Nodes without GPUs and CPU-only pods pass: whether there are enough
 * GPUs is {@link ResourceFitFilter}'s question.
 */
public final class GpuModelFilter implements PreFilterPlugin, FilterPlugin {

    private static final Status SKIP = Status.skip("GpuModel");

    @Override
    public String name() {
        return "GpuModel";
    }

    /** A pod that names no model (or asks no GPU) has nothing to check: the filter is off for the cycle. */
    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        PodRequest pod = cycle.pod();
        return !pod.needsGpu() || pod.allowedGpuModels().isEmpty() ? SKIP : Status.SUCCESS;
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
