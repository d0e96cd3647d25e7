package io.gantry.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.report.DiscreteSeries;
import io.gantry.sim.workload.OpenbWorkloadBuilder;
import io.gantry.sim.workload.SyntheticOpenb;
import io.gantry.sim.workload.Workload;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulationTest {

    private static final long SEED = 42;

    private Workload synthetic;
    private final Map<ScoringMode, Map<Policy, RunResult>> results = new EnumMap<>(ScoringMode.class);

    @BeforeAll
    void buildWorkload() {
        synthetic = OpenbWorkloadBuilder.build("synthetic", SyntheticOpenb.nodes(), SyntheticOpenb.pods(2000, 1), SEED,
                1.3, 1);
    }

    static java.util.stream.Stream<Policy> policies() {
        return io.gantry.engine.PolicyRegistry.STANDARD.policies().stream();
    }

    private RunResult run(Policy policy, ScoringMode mode) {
        return results.computeIfAbsent(mode, m -> new HashMap<>())
                .computeIfAbsent(policy, p -> Simulation.run(synthetic, p, mode, SEED, 1.3, 1));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void everyPolicyRunsInBothModesWithinCapacity(Policy policy) {
        for (ScoringMode mode : ScoringMode.values()) {
            RunResult r = run(policy, mode);
            assertThat(r.workload()).isEqualTo("synthetic");
            assertThat(r.policy()).isEqualTo(policy);
            assertThat(r.scoring()).isEqualTo(mode);
            assertThat(r.seed()).isEqualTo(SEED);
            assertThat(r.tune()).isEqualTo(1.3);
            assertThat(r.scale()).isEqualTo(1);
            assertThat(r.totalGpus()).isEqualTo(6212);
            assertThat(r.pods()).isEqualTo(synthetic.arrivals().size());
            assertThat(r.failedPods()).isBetween(1, r.pods());
            assertThat(r.finalUsedGpuMilli()).isPositive().isLessThanOrEqualTo(synthetic.gpuCapacityMilli());
            assertThat(r.finalAllocationPercent()).isLessThanOrEqualTo(100.0);
            // the first failure comes after something arrived and no later than the end of the stream
            assertThat(r.firstFailureArrivedPercent()).isGreaterThan(0)
                    .isLessThanOrEqualTo(100.0 * synthetic.arrivedGpuMilli() / synthetic.gpuCapacityMilli());
            assertThat(r.wallNanos()).isPositive();
            assertSeriesSane(r);
        }
    }

    /** Pods never leave, so allocation grows; it never exceeds the capacity nor the demand that arrived. */
    private static void assertSeriesSane(RunResult r) {
        DiscreteSeries alloc = r.allocation();
        double previous = 0;
        for (int j = 0; j < DiscreteSeries.COLUMNS; j++) {
            double a = alloc.at(j);
            assertThat(a).as("%s column %d", r.policy(), j).isNotNaN().isBetween(0.0, 100.0)
                    .isLessThanOrEqualTo(j + 0.5 + 0.005).isGreaterThanOrEqualTo(previous);
            previous = a;
            double frag = r.fragmentation().at(j);
            assertThat(frag).isNotNaN().isBetween(0.0, 100.0);
            double ratio = r.fragmentationRatio().at(j);
            assertThat(ratio).isNotNaN().isBetween(0.0, 100.0);
        }
        assertThat(alloc.at(130)).isCloseTo(r.finalAllocationPercent(), org.assertj.core.api.Assertions.within(0.5));
    }

    @Test
    void fgdBeatsRandomAndBestFitAt130() {
        for (ScoringMode mode : ScoringMode.values()) {
            double fgd = run(Policy.FGD, mode).allocation().at(130);
            assertThat(fgd).as(mode.name()).isGreaterThan(run(Policy.RANDOM, mode).allocation().at(130));
            assertThat(fgd).as(mode.name()).isGreaterThan(run(Policy.BESTFIT, mode).allocation().at(130));
            assertThat(run(Policy.FGD, mode).failedPods()).isLessThan(run(Policy.RANDOM, mode).failedPods());
        }
    }

    @Test
    void deterministicForTheSameInputs() {
        for (Policy policy : List.of(Policy.FGD, Policy.RANDOM)) {
            RunResult again = Simulation.run(synthetic, policy, ScoringMode.PAPER, SEED, 1.3, 1);
            RunResult first = run(policy, ScoringMode.PAPER);
            assertThat(again.allocation()).isEqualTo(first.allocation());
            assertThat(again.fragmentation()).isEqualTo(first.fragmentation());
            assertThat(again.failedPods()).isEqualTo(first.failedPods());
            assertThat(again.finalUsedGpuMilli()).isEqualTo(first.finalUsedGpuMilli());
        }
    }

    @Test
    void tinyClusterByHand() {
        // two 1-GPU nodes; three whole-GPU pods: the third fails at 150 % arrived
        List<NodeSpec> nodes = List.of(NodeSpec.of("a", 10_000, 10_000, 1, "T4"),
                NodeSpec.of("b", 10_000, 10_000, 1, "T4"));
        List<PodRequest> pods = List.of(PodRequest.of("p0", 1000, 100, 1, 1000), PodRequest.of("p1", 1000, 100, 1, 1000),
                PodRequest.of("p2", 1000, 100, 1, 1000));
        Workload w = new Workload("tiny", nodes, new int[] {1, 0}, pods, pods);
        for (Policy policy : Policy.values()) {
            RunResult r = Simulation.run(w, policy, ScoringMode.PAPER, 1, 1.3, 1);
            assertThat(r.totalGpus()).isEqualTo(2);
            assertThat(r.pods()).isEqualTo(3);
            assertThat(r.failedPods()).isEqualTo(1);
            assertThat(r.finalUsedGpuMilli()).isEqualTo(2000);
            assertThat(r.firstFailureArrivedPercent()).isEqualTo(150.0);
            assertThat(r.finalAllocationPercent()).isEqualTo(100.0);
            assertThat(r.allocation().at(50)).isEqualTo(50.0);
            assertThat(r.allocation().at(100)).isEqualTo(100.0);
            // the third sample is at 150 %, past column 130 and its fallback window
            assertThat(r.allocation().at(130)).isNaN();
            // the target workload is one whole-GPU type that fits every idle GPU: nothing is fragmented
            assertThat(r.fragmentation().at(50)).isEqualTo(0.0);
            assertThat(r.fragmentationRatio().at(50)).isEqualTo(0.0);
        }
    }

    @Test
    void sharedGpuFragmentsForAWholeGpuTarget() {
        // one 1-GPU node; the target workload is whole-GPU pods; a 300-milli share leaves 700 milli that no target
        // pod can use: fragmentation 700 milli = 70 % of capacity and 100 % of the idle GPU
        List<NodeSpec> nodes = List.of(NodeSpec.of("a", 10_000, 10_000, 1, "T4"));
        List<PodRequest> original = List.of(PodRequest.of("w0", 1000, 100, 1, 1000), PodRequest.of("w1", 1000, 100, 1,
                1000));
        List<PodRequest> arrivals = List.of(PodRequest.of("s", 1000, 100, 1, 300));
        Workload w = new Workload("share", nodes, new int[] {0}, arrivals, original);
        RunResult r = Simulation.run(w, Policy.FGD, ScoringMode.PAPER, 1, 1.3, 1);
        assertThat(r.failedPods()).isZero();
        assertThat(r.finalUsedGpuMilli()).isEqualTo(300);
        assertThat(r.firstFailureArrivedPercent()).isNaN();
        assertThat(r.allocation().at(30)).isEqualTo(30.0);
        assertThat(r.fragmentation().at(30)).isEqualTo(70.0);
        assertThat(r.fragmentationRatio().at(30)).isEqualTo(100.0);
    }

    @Test
    void lowerNodeRankWinsATie() {
        // two empty nodes that every deterministic policy scores alike; p0 takes the lower-ranked one. p1 can
        // only run on the T4 node, so it fails exactly when p0 went there.
        List<NodeSpec> nodes = List.of(NodeSpec.of("a", 10_000, 10_000, 1, "T4"),
                NodeSpec.of("b", 10_000, 10_000, 1, "G2"));
        List<PodRequest> pods = List.of(PodRequest.of("p0", 1000, 100, 1, 1000),
                PodRequest.of("p1", 1000, 100, 1, 1000).withAllowedGpuModels(List.of("T4")));
        for (Policy policy : List.of(Policy.DOTPROD, Policy.GPUCLUSTERING, Policy.GPUPACKING, Policy.BESTFIT)) {
            for (ScoringMode mode : ScoringMode.values()) {
                RunResult t4First = Simulation.run(new Workload("ties", nodes, new int[] {0, 1}, pods, pods), policy,
                        mode, 1, 1.3, 1);
                assertThat(t4First.failedPods()).as("%s %s", policy, mode).isEqualTo(1);
                assertThat(t4First.firstFailureArrivedPercent()).isEqualTo(100.0);
                RunResult g2First = Simulation.run(new Workload("ties", nodes, new int[] {1, 0}, pods, pods), policy,
                        mode, 1, 1.3, 1);
                assertThat(g2First.failedPods()).as("%s %s", policy, mode).isZero();
                assertThat(g2First.finalUsedGpuMilli()).isEqualTo(2000);
            }
        }
    }
}
