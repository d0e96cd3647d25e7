package io.gantry.engine;

import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import io.gantry.testkit.Shrink;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random small clusters (1 to 5 nodes, 1 to 8 GPUs each) under random schedule/release sequences, for all six
 * policies in both scoring modes.
 */
class SchedulerPropertiesTest {

    /** One generated run: the cluster, the operations, and the policy, mode and seed it runs under. */
    record Case(List<NodeSpec> nodes, List<SchedulingRun.Op> ops, Policy policy, ScoringMode mode, long seed) {
        @Override
        public String toString() {
            return "Case[policy=" + policy.name() + ", mode=" + mode + ", seed=" + seed + ", nodes=" + nodes
                    + ", ops=" + ops + "]";
        }
    }

    /** A failing run is reported with as few operations, then nodes, as still fail. */
    private static final Property.Shrinker<Case> SHRINK = Shrink.all(
            Shrink.listIn(Case::ops, 0, (c, ops) -> new Case(c.nodes(), ops, c.policy(), c.mode(), c.seed())),
            Shrink.listIn(Case::nodes, 1, (c, nodes) -> new Case(nodes, c.ops(), c.policy(), c.mode(), c.seed())));

    @Test
    void theBooksStayExactAndReleasingEverythingEmptiesTheCluster() {
        Property.check("the books stay exact and releasing everything empties the cluster", 200,
                SchedulerPropertiesTest::runCase, SHRINK, c -> {
                    SchedulingRun run = new SchedulingRun(c.nodes(), c.ops(), c.policy(), c.mode(), c.seed());
                    run.run(c.ops(), false); // (a) and (b) after every operation
                    run.releaseAllAndCheckEmpty(); // (d)
                });
    }

    @Test
    void releasingRightAfterSchedulingRestoresTheExactState() {
        Property.check("releasing right after scheduling restores the exact state", 200,
                SchedulerPropertiesTest::runCase, SHRINK, c -> {
                    SchedulingRun run = new SchedulingRun(c.nodes(), c.ops(), c.policy(), c.mode(), c.seed());
                    run.run(c.ops(), true); // (c) for every placement, then (a) and (b)
                    run.releaseAllAndCheckEmpty();
                });
    }

    static Case runCase(Gen gen) {
        return new Case(clusters(gen), operations(gen), gen.oneOf(Policy.values()), gen.oneOf(ScoringMode.class),
                gen.anyLong());
    }

    /** 1 to 5 nodes named node-0, node-1, ... */
    static List<NodeSpec> clusters(Gen gen) {
        int size = gen.intBetween(1, 5);
        List<NodeSpec> nodes = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            nodes.add(new NodeSpec("node-" + i, gen.oneOf(4000L, 16000L, 64000L), gen.oneOf(8192L, 65536L),
                    gen.intBetween(1, 8), gen.oneOf("A", "B", "C"), gen.intBetween(3, 16)));
        }
        return nodes;
    }

    /** Up to 60 operations, three schedules to one release. */
    static List<SchedulingRun.Op> operations(Gen gen) {
        return gen.listOf(0, 60, () -> gen.frequency(
                Gen.<SchedulingRun.Op>weight(3, g -> new SchedulingRun.Schedule(pod(g))),
                Gen.weight(1, g -> new SchedulingRun.Release(g.intBetween(0, 1000)))));
    }

    /** A pod shape: CPU-only, a share (edge cases 1, 500 and 999 milli), one whole GPU, or 2, 4 or 8 GPUs. */
    static PodRequest pod(Gen gen) {
        long cpu = gen.oneOf(0L, 500L, 2000L, 6000L, 20000L);
        long mem = gen.oneOf(0L, 1024L, 4096L, 30000L);
        int[] gpu = gen.frequency(
                Gen.weight(2, g -> new int[] {0, 0}),
                Gen.weight(4, g -> new int[] {1, g.intBetween(1, 999, 1, 500, 999)}),
                Gen.weight(3, g -> new int[] {1, 1000}),
                Gen.weight(1, g -> new int[] {g.oneOf(2, 4, 8), 1000}));
        List<String> models = gen.frequency(
                Gen.weight(6, g -> List.<String>of()),
                Gen.weight(2, g -> List.of("A")),
                Gen.weight(1, g -> List.of("B", "C")),
                Gen.weight(1, g -> List.of("A", "A")),
                Gen.weight(1, g -> List.of("D")));
        return PodRequest.of("shape", cpu, mem, gpu[0], gpu[1]).withAllowedGpuModels(models);
    }
}
