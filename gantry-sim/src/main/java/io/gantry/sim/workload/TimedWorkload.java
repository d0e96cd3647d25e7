package io.gantry.sim.workload;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.NodeSpec;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The timed simulator's input: nodes with their tie-break ranks (a seeded permutation, as in paper mode), pods in
 * arrival order (pods arriving at the same moment in a seeded order, so ties are deterministic for a seed), and when
 * the trace ends.
 */
public record TimedWorkload(String name, List<NodeSpec> nodes, int[] nodeRanks, List<TimedPod> pods, long endMillis,
        List<String> notModelled) {

    public TimedWorkload {
        requireNonNull(name, "name");
        nodes = List.copyOf(requireNonNull(nodes, "nodes"));
        nodeRanks = requireNonNull(nodeRanks, "nodeRanks").clone();
        pods = List.copyOf(requireNonNull(pods, "pods"));
        notModelled = List.copyOf(requireNonNull(notModelled, "notModelled"));
        if (nodeRanks.length != nodes.size()) {
            throw new IllegalArgumentException(nodeRanks.length + " ranks for " + nodes.size() + " nodes");
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no nodes");
        }
        for (int i = 1; i < pods.size(); i++) {
            if (pods.get(i).arrivalMillis() < pods.get(i - 1).arrivalMillis()) {
                throw new IllegalArgumentException("pods must be in arrival order: " + pods.get(i).pod().name());
            }
        }
    }

    @Override
    public int[] nodeRanks() {
        return nodeRanks.clone();
    }

    /** Pods in arrival order, ties shuffled with the seed; node ranks a seeded permutation. */
    public static TimedWorkload of(TimedTrace trace, List<NodeSpec> nodes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = trace.pods().size();
        long[] tieKey = new long[n];
        for (int i = 0; i < n; i++) {
            tieKey[i] = random.nextLong();
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> trace.pods().get(i).arrivalMillis())
                .thenComparingLong(i -> tieKey[i]).thenComparingInt(i -> i));
        List<TimedPod> sorted = new ArrayList<>(n);
        for (Integer i : order) {
            sorted.add(trace.pods().get(i));
        }
        int[] perm = new int[nodes.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        for (int i = perm.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        return new TimedWorkload(trace.name(), nodes, perm, sorted, trace.endMillis(), trace.notModelled());
    }

    public long gpuCapacityMilli() {
        return nodes.stream().mapToLong(n -> (long) n.gpuCount() * NodeSpec.MILLI_PER_GPU).sum();
    }
}
