package io.gantry.sim.workload;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The FGD paper's workload protocol with Gantry's own seeded random stream: sort the pods by name and shuffle them;
 * tune the total GPU demand to {@code tune ×} the cluster's GPU capacity, up by appending clones of randomly drawn
 * pods, down by removing random pods; give the nodes a random tie-break order. Every rule follows the paper's
 * simulator (including its stop test for tuning up, which compares with the clone's per-GPU milli); only the
 * random numbers differ, so results compare on seed means, not seed by seed (for that, see {@link ReplayWorkload}).
 */
public final class OpenbWorkloadBuilder {

    /** Guards memory when GPU pods are so rare in a trace that reaching the target takes millions of clones. */
    private static final int MAX_ARRIVALS = 20_000_000;

    private OpenbWorkloadBuilder() {
    }

    /**
     * @param scale replicate the node list this many times (names get a {@code -rK} suffix); the tuning target
     *              grows with the capacity
     */
    public static Workload build(String name, List<NodeSpec> nodes, List<PodRequest> pods, long seed, double tune,
            int scale) {
        requireNonNull(name, "name");
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be >= 1, got " + scale);
        }
        if (!(tune >= 0) || Double.isInfinite(tune)) {
            throw new IllegalArgumentException("tune ratio must be a non-negative number, got " + tune);
        }
        List<NodeSpec> cluster = scaled(nodes, scale);
        SplittableRandom random = new SplittableRandom(seed);

        List<PodRequest> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(PodRequest::name));
        List<PodRequest> arrivals = new ArrayList<>(sorted);
        for (int i = arrivals.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            PodRequest tmp = arrivals.get(i);
            arrivals.set(i, arrivals.get(j));
            arrivals.set(j, tmp);
        }

        long demand = arrivals.stream().mapToLong(PodRequest::totalGpuMilli).sum();
        long capacity = cluster.stream().mapToLong(n -> (long) n.gpuCount() * NodeSpec.MILLI_PER_GPU).sum();
        double target = tune * capacity;
        if (tune > 0 && demand > 0 && demand < target) {
            // Ends: every GPU clone adds demand, so a draw that would overshoot the target must come.
            for (int i = 0; ; i++) {
                PodRequest drawn = sorted.get(random.nextInt(sorted.size()));
                if (demand + drawn.gpuMilliPerGpu() > target) {
                    break; // the paper stops at the first draw that would overshoot, judged by per-GPU milli
                }
                if (arrivals.size() >= MAX_ARRIVALS) {
                    throw new IllegalArgumentException(name + ": tuning to " + tune + "x the GPU capacity needs more than "
                            + MAX_ARRIVALS + " pods (GPU demand reached " + demand + " of " + (long) target
                            + " milli); lower --tune or use a trace with more GPU pods");
                }
                arrivals.add(drawn.withName(drawn.name() + "-tuned-" + i));
                demand += drawn.totalGpuMilli();
            }
        } else if (tune > 0 && demand > target) {
            while (demand > target && !arrivals.isEmpty()) {
                PodRequest removed = arrivals.remove(random.nextInt(arrivals.size()));
                demand -= removed.totalGpuMilli();
            }
        }

        int[] ranks = randomRanks(cluster, random);
        return new Workload(name, cluster, ranks, arrivals, pods);
    }

    /** The node list replicated {@code scale} times; replica r > 0 gets the suffix {@code -r<r>}. */
    public static List<NodeSpec> scaled(List<NodeSpec> nodes, int scale) {
        if (scale == 1) {
            return List.copyOf(nodes);
        }
        List<NodeSpec> out = new ArrayList<>(nodes.size() * scale);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int r = 0; r < scale; r++) {
            for (NodeSpec n : nodes) {
                NodeSpec copy = r == 0 ? n : new NodeSpec(n.name() + "-r" + r, n.cpuMilli(), n.memoryMib(),
                        n.gpuCount(), n.gpuModel(), n.maxPods());
                if (!names.add(copy.name())) {
                    throw new IllegalArgumentException("--scale " + scale + " would name two nodes " + copy.name()
                            + "; rename the nodes whose names end in -r<number>");
                }
                out.add(copy);
            }
        }
        return out;
    }

    /** A random permutation over the nodes in name order, as the paper's random node-name prefixes give. */
    private static int[] randomRanks(List<NodeSpec> nodes, SplittableRandom random) {
        Integer[] byName = new Integer[nodes.size()];
        for (int i = 0; i < byName.length; i++) {
            byName[i] = i;
        }
        java.util.Arrays.sort(byName, Comparator.comparing(i -> nodes.get(i).name()));
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
        int[] ranks = new int[nodes.size()];
        for (int k = 0; k < byName.length; k++) {
            ranks[byName[k]] = perm[k];
        }
        return ranks;
    }
}
