package io.gantry.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A value copy of everything a placement can change on a cluster, for before/after comparisons in tests. */
record ClusterSnapshot(Map<String, NodeSnapshot> nodes, long usedGpuMilli, long totalGpuMilli) {

    record NodeSnapshot(long cpuLeft, long memoryLeft, int podsLeft, List<Integer> gpuLeft, long gpuLeftTotal,
            List<String> pods) {
    }

    static ClusterSnapshot of(ClusterState state) {
        Map<String, NodeSnapshot> nodes = new TreeMap<>();
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (state.isActive(slot)) {
                nodes.put(state.nodeName(slot), node(state, slot));
            }
        }
        return new ClusterSnapshot(nodes, state.usedGpuMilli(), state.totalGpuMilli());
    }

    static NodeSnapshot node(ClusterState state, int slot) {
        List<Integer> gpus = new ArrayList<>();
        for (int g = 0; g < state.gpuCount(slot); g++) {
            gpus.add(state.gpuLeft(slot, g));
        }
        List<String> pods = new ArrayList<>();
        for (GpuAllocation a : state.allocationsOn(slot)) {
            pods.add(a.podName());
        }
        pods.sort(null);
        return new NodeSnapshot(state.cpuLeft(slot), state.memoryLeft(slot), state.podsLeft(slot), List.copyOf(gpus),
                state.gpuLeftTotal(slot), List.copyOf(pods));
    }
}
