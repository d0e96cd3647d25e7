package io.gantry.sim.workload;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A built-in cluster and workload shaped like Alibaba's openb trace, generated from a seed, so that
 * {@code gantry simulate} runs with no data at hand: the same node mix (1213 nodes of 12 GPU shapes), and pods in
 * openb's proportions of CPU-only, shared-GPU, 1-, 2-, 4- and 8-GPU tasks, with typical sizes of each kind.
 */
public final class SyntheticOpenb {

    /** Model, GPUs per node, CPU milli, memory MiB, node count: openb's GPU node shapes. */
    private static final Object[][] NODE_SHAPES = {
        {"G2", 8, 96_000L, 393_216L, 549},
        {"T4", 2, 104_000L, 524_288L, 387},
        {"P100", 2, 16_000L, 122_880L, 107},
        {"G3", 8, 128_000L, 786_432L, 39},
        {"V100M16", 4, 32_000L, 131_072L, 28},
        {"P100", 2, 64_000L, 262_144L, 24},
        {"V100M32", 8, 96_000L, 786_432L, 21},
        {"V100M16", 1, 8_000L, 32_768L, 19},
        {"T4", 4, 96_000L, 393_216L, 17},
        {"V100M32", 4, 48_000L, 376_832L, 9},
        {"V100M16", 8, 64_000L, 262_144L, 8},
        {"P100", 1, 8_000L, 61_440L, 3},
        {"A10", 1, 128_000L, 1_048_576L, 2},
    };

    /** Pod kinds with their share of pods (per 10,000), GPU count, and typical (CPU milli, memory MiB) sizes. */
    private static final int[] KIND_WEIGHTS = {1335, 3776, 4798, 20, 18, 53};
    private static final int[] KIND_GPUS = {0, 1, 1, 2, 4, 8};
    private static final long[][] KIND_CPU = {
        {12_500, 32_000, 8_000, 15_400, 16_500},
        {3_152, 11_908, 4_000, 8_000, 6_000},
        {11_300, 11_400, 3_152, 12_000, 18_708},
        {16_200, 6_000, 30_200},
        {32_200, 32_000, 60_200},
        {88_000, 64_200, 120_000},
    };
    /** Shares of a GPU that shared-GPU pods ask for, most common first. */
    private static final int[] SHARE_MILLI = {810, 470, 320, 650, 230, 460, 590, 160, 550, 220};
    private static final int[] SHARE_WEIGHTS = {35, 24, 11, 8, 5, 4, 3, 3, 3, 4};

    private SyntheticOpenb() {
    }

    public static List<NodeSpec> nodes() {
        List<NodeSpec> nodes = new ArrayList<>();
        int id = 0;
        for (Object[] shape : NODE_SHAPES) {
            for (int i = 0; i < (int) shape[4]; i++) {
                nodes.add(new NodeSpec(String.format("synthetic-node-%04d", id++), (long) shape[2], (long) shape[3],
                        (int) shape[1], (String) shape[0], 1001));
            }
        }
        return nodes;
    }

    /** {@code count} pods drawn from openb's mix. */
    public static List<PodRequest> pods(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PodRequest> pods = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = pick(KIND_WEIGHTS, random);
            long[] cpus = KIND_CPU[kind];
            long cpu = cpus[random.nextInt(cpus.length)];
            long mem = cpu * 4 + random.nextInt(4) * 1024L;
            int gpus = KIND_GPUS[kind];
            int milli = gpus == 0 ? 0 : kind == 1 ? SHARE_MILLI[pick(SHARE_WEIGHTS, random)] : 1000;
            pods.add(PodRequest.of(String.format("synthetic-pod-%05d", i), cpu, mem, gpus, milli));
        }
        return pods;
    }

    private static int pick(int[] weights, SplittableRandom random) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
