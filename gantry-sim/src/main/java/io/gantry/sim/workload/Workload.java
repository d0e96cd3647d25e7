package io.gantry.sim.workload;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.List;

/**
 * One experiment's input: the nodes, each with its tie-break rank (lower wins a score tie), the pods in arrival
 * order, and the original trace (before shuffling and tuning) from which FGD's target workload is drawn.
 */
public record Workload(String name, List<NodeSpec> nodes, int[] nodeRanks, List<PodRequest> arrivals,
        List<PodRequest> original) {

    public Workload {
        requireNonNull(name, "name");
        nodes = List.copyOf(requireNonNull(nodes, "nodes"));
        nodeRanks = requireNonNull(nodeRanks, "nodeRanks").clone();
        arrivals = List.copyOf(requireNonNull(arrivals, "arrivals"));
        original = List.copyOf(requireNonNull(original, "original"));
        if (nodeRanks.length != nodes.size()) {
            throw new IllegalArgumentException(nodeRanks.length + " ranks for " + nodes.size() + " nodes");
        }
    }

    /** Tie-break rank per node, in node order (a copy). */
    @Override
    public int[] nodeRanks() {
        return nodeRanks.clone();
    }

    public long gpuCapacityMilli() {
        return nodes.stream().mapToLong(n -> (long) n.gpuCount() * NodeSpec.MILLI_PER_GPU).sum();
    }

    public long arrivedGpuMilli() {
        return arrivals.stream().mapToLong(PodRequest::totalGpuMilli).sum();
    }
}
