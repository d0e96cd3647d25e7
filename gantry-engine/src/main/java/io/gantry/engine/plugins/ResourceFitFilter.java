package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * Kube-scheduler's NodeResourcesFit: pod slots, CPU, memory and GPUs (a GPU pod needs {@code gpuCount} GPUs with
 * {@code gpuMilliPerGpu} left each; a pod never spans GPUs other than by whole GPUs) against what is left. Like
 * NodeResourcesFit it reports every insufficient resource of the node at once, in its order: pods, cpu, memory, GPUs.
 */
public final class ResourceFitFilter implements FilterPlugin {

    private static final int PODS = 1;
    private static final int CPU = 2;
    private static final int MEMORY = 4;
    private static final int NO_GPU = 8;
    private static final int GPU = 16;

    /** The reason for each combination of faults, made once: the filter runs for every node and must not allocate. */
    private final Reason[] byFaults = new Reason[32];

    @Override
    public String name() {
        return "ResourceFit";
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        int faults = 0;
        if (state.podsLeft(node) < 1) {
            faults |= PODS;
        }
        if (state.cpuLeft(node) < pod.cpuMilli()) {
            faults |= CPU;
        }
        if (state.memoryLeft(node) < pod.memoryMib()) {
            faults |= MEMORY;
        }
        if (pod.needsGpu()) {
            if (state.gpuCount(node) == 0) {
                faults |= NO_GPU;
            } else if (!fits(state, node, pod.gpuCount(), pod.gpuMilliPerGpu())) {
                faults |= GPU;
            }
        }
        return faults == 0 ? null : reason(faults);
    }

    private Reason reason(int faults) {
        Reason r = byFaults[faults];
        if (r == null) {
            List<Reason> parts = new ArrayList<>();
            if ((faults & PODS) != 0) {
                parts.add(Reason.TOO_MANY_PODS);
            }
            if ((faults & CPU) != 0) {
                parts.add(Reason.INSUFFICIENT_CPU);
            }
            if ((faults & MEMORY) != 0) {
                parts.add(Reason.INSUFFICIENT_MEMORY);
            }
            if ((faults & NO_GPU) != 0) {
                parts.add(Reason.NO_GPU);
            }
            if ((faults & GPU) != 0) {
                parts.add(Reason.INSUFFICIENT_GPU);
            }
            r = Reason.allOf(parts);
            byFaults[faults] = r;
        }
        return r;
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
