package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;

/** Kube-scheduler's NodeResourcesFit: pod slots, CPU and memory requests against what is left. */
public final class ResourceFitFilter implements FilterPlugin {

    @Override
    public String name() {
        return "ResourceFit";
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        if (state.podsLeft(node) < 1) {
            return Reason.TOO_MANY_PODS;
        }
        if (state.cpuLeft(node) < pod.cpuMilli()) {
            return Reason.INSUFFICIENT_CPU;
        }
        if (state.memoryLeft(node) < pod.memoryMib()) {
            return Reason.INSUFFICIENT_MEMORY;
        }
        return null;
    }
}
