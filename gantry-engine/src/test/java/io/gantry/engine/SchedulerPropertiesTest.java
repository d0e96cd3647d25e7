package io.gantry.engine;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random small clusters (1 to 5 nodes, 1 to 8 GPUs each) under random schedule/release sequences, for all six
 * policies in both scoring modes.
 */
class SchedulerPropertiesTest {

    @Property(tries = 200)
    void theBooksStayExactAndReleasingEverythingEmptiesTheCluster(@ForAll("clusters") List<NodeSpec> nodes,
            @ForAll("operations") List<SchedulingRun.Op> ops, @ForAll Policy policy, @ForAll ScoringMode mode,
            @ForAll long seed) {
        SchedulingRun run = new SchedulingRun(nodes, ops, policy, mode, seed);
        run.run(ops, false); // (a) and (b) after every operation
        run.releaseAllAndCheckEmpty(); // (d)
    }

    @Property(tries = 200)
    void releasingRightAfterSchedulingRestoresTheExactState(@ForAll("clusters") List<NodeSpec> nodes,
            @ForAll("operations") List<SchedulingRun.Op> ops, @ForAll Policy policy, @ForAll ScoringMode mode,
            @ForAll long seed) {
        SchedulingRun run = new SchedulingRun(nodes, ops, policy, mode, seed);
        run.run(ops, true); // (c) for every placement, then (a) and (b)
        run.releaseAllAndCheckEmpty();
    }

    @Provide
    Arbitrary<List<NodeSpec>> clusters() {
        Arbitrary<NodeSpec> node = Combinators.combine(
                Arbitraries.of(4000L, 16000L, 64000L),
                Arbitraries.of(8192L, 65536L),
                Arbitraries.integers().between(1, 8),
                Arbitraries.of("A", "B", "C"),
                Arbitraries.integers().between(3, 16))
                .as((cpu, mem, gpus, model, maxPods) -> new NodeSpec("x", cpu, mem, gpus, model, maxPods));
        return node.list().ofMinSize(1).ofMaxSize(5).map(list -> {
            java.util.ArrayList<NodeSpec> named = new java.util.ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                NodeSpec n = list.get(i);
                named.add(new NodeSpec("node-" + i, n.cpuMilli(), n.memoryMib(), n.gpuCount(), n.gpuModel(),
                        n.maxPods()));
            }
            return named;
        });
    }

    @Provide
    Arbitrary<List<SchedulingRun.Op>> operations() {
        Arbitrary<SchedulingRun.Op> schedule = pods().map(SchedulingRun.Schedule::new);
        Arbitrary<SchedulingRun.Op> release = Arbitraries.integers().between(0, 1000).map(SchedulingRun.Release::new);
        return Arbitraries.frequencyOf(Tuple.of(3, schedule), Tuple.of(1, release)).list().ofMaxSize(60);
    }

    private Arbitrary<PodRequest> pods() {
        Arbitrary<Long> cpu = Arbitraries.of(0L, 500L, 2000L, 6000L, 20000L);
        Arbitrary<Long> mem = Arbitraries.of(0L, 1024L, 4096L, 30000L);
        Arbitrary<int[]> gpu = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(new int[] {0, 0})),
                Tuple.of(4, Arbitraries.integers().between(1, 999).edgeCases(e -> e.includeOnly(1, 500, 999))
                        .map(m -> new int[] {1, m})),
                Tuple.of(3, Arbitraries.just(new int[] {1, 1000})),
                Tuple.of(1, Arbitraries.of(2, 4, 8).map(k -> new int[] {k, 1000})));
        Arbitrary<List<String>> models = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(List.<String>of())),
                Tuple.of(2, Arbitraries.just(List.of("A"))),
                Tuple.of(1, Arbitraries.just(List.of("B", "C"))),
                Tuple.of(1, Arbitraries.just(List.of("A", "A"))),
                Tuple.of(1, Arbitraries.just(List.of("D"))));
        return Combinators.combine(cpu, mem, gpu, models)
                .as((c, m, g, ms) -> PodRequest.of("shape", c, m, g[0], g[1]).withAllowedGpuModels(ms));
    }
}
