package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;

/**
 * GPU fit: the node has GPUs of an accepted model, and {@code gpuCount} of them each have at least
 * {@code gpuMilliPerGpu} left. A pod never spans GPUs other than by whole GPUs. CPU-only pods always pass.
 */
public final class GpuFitFilter implements FilterPlugin {

    @Override
    public String name() {
        return "GpuFit";
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        if (!pod.needsGpu()) {
            return null;
        }
        int count = state.gpuCount(node);
        if (count == 0) {
            return Reason.NO_GPU;
        }
        if (!cycle.modelAllowed(state.modelId(node))) {
            return Reason.GPU_MODEL_MISMATCH;
        }
        return fits(state, node, pod.gpuCount(), pod.gpuMilliPerGpu()) ? null : Reason.INSUFFICIENT_GPU;
    }

    /** At least {@code k} GPUs of the node have {@code milli} left each. */
    public static boolean fits(ClusterState state, int node, int k, int milli) {
        int[] left = state.gpuLeftArray();
        int off = state.gpuOffset(node);
        int end = off + state.gpuCount(node);
        int need = k;
        for (int i = off; i < end && need > 0; i++) {
            if (left[i] >= milli) {
                need--;
            }
        }
        return need <= 0;
    }
}
