package io.gantry.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.testkit.Property;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OpenbWorkloadBuilderTest {

    private static final List<NodeSpec> ONE_GPU = List.of(NodeSpec.of("n0", 64_000, 262_144, 1, "T4"));

    private static List<String> names(List<PodRequest> pods) {
        return pods.stream().map(PodRequest::name).toList();
    }

    private static List<PodRequest> clones(Workload w) {
        return w.arrivals().stream().filter(p -> p.name().contains("-tuned-")).toList();
    }

    @Test
    void sameSeedGivesSameWorkloadAndAnotherSeedADifferentOne() {
        List<NodeSpec> nodes = SyntheticOpenb.nodes();
        List<PodRequest> pods = SyntheticOpenb.pods(300, 7);
        Workload a = OpenbWorkloadBuilder.build("w", nodes, pods, 42, 1.3, 1);
        Workload b = OpenbWorkloadBuilder.build("w", nodes, pods, 42, 1.3, 1);
        Workload c = OpenbWorkloadBuilder.build("w", nodes, pods, 43, 1.3, 1);
        assertThat(a.arrivals()).isEqualTo(b.arrivals());
        assertThat(a.nodeRanks()).isEqualTo(b.nodeRanks());
        assertThat(names(c.arrivals())).isNotEqualTo(names(a.arrivals()));
        assertThat(c.nodeRanks()).isNotEqualTo(a.nodeRanks());
        assertThat(a.original()).isEqualTo(pods);
        assertThat(a.name()).isEqualTo("w");
    }

    @Test
    void shuffleDoesNotDependOnTheInputOrder() {
        List<PodRequest> pods = SyntheticOpenb.pods(200, 3);
        List<PodRequest> reversed = new ArrayList<>(pods);
        java.util.Collections.reverse(reversed);
        Workload a = OpenbWorkloadBuilder.build("w", SyntheticOpenb.nodes(), pods, 5, 1.3, 1);
        Workload b = OpenbWorkloadBuilder.build("w", SyntheticOpenb.nodes(), reversed, 5, 1.3, 1);
        assertThat(names(a.arrivals())).as("pods are sorted by name before the shuffle")
                .isEqualTo(names(b.arrivals()));
    }

    @Test
    void tuneUpAppendsClonesAfterTheOriginalsUpToTheTarget() {
        List<NodeSpec> nodes = SyntheticOpenb.nodes();
        List<PodRequest> pods = SyntheticOpenb.pods(500, 11);
        Workload w = OpenbWorkloadBuilder.build("w", nodes, pods, 42, 1.3, 1);
        List<PodRequest> arrivals = w.arrivals();
        assertThat(arrivals.subList(0, pods.size())).containsExactlyInAnyOrderElementsOf(pods);
        List<PodRequest> tail = arrivals.subList(pods.size(), arrivals.size());
        assertThat(tail).isNotEmpty();
        double target = 1.3 * w.gpuCapacityMilli();
        long demand = pods.stream().mapToLong(PodRequest::totalGpuMilli).sum();
        for (int i = 0; i < tail.size(); i++) {
            PodRequest clone = tail.get(i);
            assertThat(clone.name()).matches(".+-tuned-" + i);
            String base = clone.name().substring(0, clone.name().length() - ("-tuned-" + i).length());
            PodRequest original = pods.stream().filter(p -> p.name().equals(base)).findFirst().orElseThrow();
            assertThat(clone.withName(base)).isEqualTo(original);
            assertThat(demand + clone.gpuMilliPerGpu()).as("stop test of clone %d", i).isLessThanOrEqualTo(
                    (long) target);
            demand += clone.totalGpuMilli();
        }
        assertThat(w.arrivedGpuMilli()).isEqualTo(demand);
        // the largest per-GPU milli in this trace is 1000, so the loop cannot stop with more than 1000 left
        assertThat(target - demand).isLessThanOrEqualTo(1000.0);
    }

    @Test
    void tuneUpStopsAtTheFirstOvershootJudgedByPerGpuMilli() {
        // capacity 1000, target 1300; one pod of 500: clone 0 fits (1000), clone 1 would reach 1500
        Workload w = OpenbWorkloadBuilder.build("w", ONE_GPU, List.of(PodRequest.of("a", 100, 1, 1, 500)), 9, 1.3,
                1);
        assertThat(names(w.arrivals())).containsExactly("a", "a-tuned-0");
        assertThat(w.arrivedGpuMilli()).isEqualTo(1000);

        // capacity 10 GPUs, target 13000; one 8-GPU pod: 8000 + 1000 (per GPU) <= 13000, so clone 0 is added and
        // demand overshoots to 16000; clone 1 stops it
        List<NodeSpec> ten = List.of(NodeSpec.of("big", 128_000, 1 << 20, 8, "G2"),
                NodeSpec.of("small", 64_000, 1 << 19, 2, "T4"));
        Workload eight = OpenbWorkloadBuilder.build("w", ten,
                List.of(new PodRequest("x", 100, 1, 8, 1000, List.of(), 0)), 1, 1.3, 1);
        assertThat(names(eight.arrivals())).containsExactly("x", "x-tuned-0");
        assertThat(eight.arrivedGpuMilli()).isEqualTo(16_000);
    }

    @Test
    void tuneUpDoesNotSkipAFailingDraw() {
        // capacity 1000, target 1300, demand 1100. A draw of "big" (1000) always fails and ends the loop; a draw of
        // "small" (100) fits twice. Stopping at the first failure means no big clone, at most two small ones, and
        // for some seeds fewer than two (the first big draw came early). Skip-and-continue would always give two.
        List<PodRequest> pods = List.of(PodRequest.of("big", 100, 1, 1, 1000), PodRequest.of("small", 100, 1, 1, 100));
        int seedsWithFewerThanTwo = 0;
        for (long seed = 0; seed < 40; seed++) {
            Workload w = OpenbWorkloadBuilder.build("w", ONE_GPU, pods, seed, 1.3, 1);
            List<PodRequest> clones = clones(w);
            assertThat(clones).hasSizeLessThanOrEqualTo(2);
            for (int i = 0; i < clones.size(); i++) {
                assertThat(clones.get(i).name()).isEqualTo("small-tuned-" + i);
            }
            if (clones.size() < 2) {
                seedsWithFewerThanTwo++;
            }
        }
        assertThat(seedsWithFewerThanTwo).isPositive();
    }

    @Test
    void cpuOnlyClonesNeverStopTheLoop() {
        // demand 1000 of target 1300: a GPU clone (1000 per GPU) always stops, a CPU-only clone never does
        List<PodRequest> pods = List.of(PodRequest.of("cpu", 8000, 1, 0, 0), PodRequest.of("gpu", 100, 1, 1, 1000));
        int seedsWithCpuClones = 0;
        for (long seed = 0; seed < 30; seed++) {
            Workload w = OpenbWorkloadBuilder.build("w", ONE_GPU, pods, seed, 1.3, 1);
            List<PodRequest> clones = clones(w);
            for (int i = 0; i < clones.size(); i++) {
                assertThat(clones.get(i).name()).isEqualTo("cpu-tuned-" + i);
            }
            assertThat(w.arrivedGpuMilli()).isEqualTo(1000);
            if (!clones.isEmpty()) {
                seedsWithCpuClones++;
            }
        }
        assertThat(seedsWithCpuClones).isPositive();
    }

    @Test
    void tuneDownRemovesPodsUntilDemandIsAtMostTheTarget() {
        List<PodRequest> pods = IntStream.range(0, 5).mapToObj(i -> PodRequest.of("p" + i, 100, 1, 1, 500)).toList();
        // 2500 demanded, target 1300: removals 2500 -> 2000 -> 1500 -> 1000, so exactly two remain
        Workload w = OpenbWorkloadBuilder.build("w", ONE_GPU, pods, 3, 1.3, 1);
        assertThat(w.arrivals()).hasSize(2);
        assertThat(pods).containsAll(w.arrivals());
        assertThat(w.arrivedGpuMilli()).isEqualTo(1000);
        assertThat(w.original()).isEqualTo(pods);
    }

    @Test
    void tuneDownStopsAsSoonAsDemandFits() {
        Property.check("tune-down stops as soon as demand fits", 50, gen -> gen.intBetween(0, 1000), seed -> {
            List<PodRequest> pods = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                pods.add(i % 3 == 0 ? PodRequest.of("c" + i, 100, 1, 0, 0) : PodRequest.of("g" + i, 100, 1, 1, 300));
            }
            // 8 GPU pods, 2400 demanded, target 1300; removing CPU-only pods does not help, so exactly 4 GPU pods
            // (1200) remain
            Workload w = OpenbWorkloadBuilder.build("w", ONE_GPU, pods, seed, 1.3, 1);
            assertThat(pods).containsAll(w.arrivals());
            assertThat(w.arrivals()).doesNotHaveDuplicates();
            assertThat(w.arrivedGpuMilli()).isEqualTo(1200);
            assertThat(w.arrivals()).filteredOn(PodRequest::needsGpu).hasSize(4);
        });
    }

    @Test
    void tuneZeroKeepsTheTraceAsIs() {
        List<PodRequest> pods = SyntheticOpenb.pods(100, 2);
        Workload w = OpenbWorkloadBuilder.build("w", ONE_GPU, pods, 1, 0, 1);
        assertThat(w.arrivals()).containsExactlyInAnyOrderElementsOf(pods);
        assertThat(clones(w)).isEmpty();
    }

    @Test
    void scaleReplicatesNodesAndRaisesTheTarget() {
        List<NodeSpec> nodes = List.of(NodeSpec.of("a", 1000, 1000, 1, "T4"), NodeSpec.of("b", 2000, 2000, 0, ""));
        List<PodRequest> pods = List.of(PodRequest.of("p", 100, 1, 1, 500));
        Workload w = OpenbWorkloadBuilder.build("w", nodes, pods, 4, 1.3, 3);
        assertThat(w.nodes()).extracting(NodeSpec::name).containsExactly("a", "b", "a-r1", "b-r1", "a-r2", "b-r2");
        assertThat(w.nodes().get(2)).isEqualTo(new NodeSpec("a-r1", 1000, 1000, 1, "T4", NodeSpec.DEFAULT_MAX_PODS));
        assertThat(w.gpuCapacityMilli()).isEqualTo(3000);
        // target 3900: 500 + 6 clones of 500 = 3500; a 7th would reach 4000
        assertThat(w.arrivals()).hasSize(7);
        assertThat(w.arrivedGpuMilli()).isEqualTo(3500);

        Workload two = OpenbWorkloadBuilder.build("w", List.of(nodes.get(0)), pods, 4, 1.3, 2);
        // target 2600: 500 -> 2500 with 4 clones
        assertThat(two.arrivals()).hasSize(5);
    }

    @Test
    void nodeRanksArePermutations() {
        for (int scale = 1; scale <= 2; scale++) {
            for (long seed = 40; seed < 44; seed++) {
                Workload w = OpenbWorkloadBuilder.build("w", SyntheticOpenb.nodes(), SyntheticOpenb.pods(50, 1), seed,
                        1.3, scale);
                int[] ranks = w.nodeRanks().clone();
                assertThat(ranks).hasSize(w.nodes().size());
                Arrays.sort(ranks);
                assertThat(ranks).isEqualTo(IntStream.range(0, w.nodes().size()).toArray());
            }
        }
    }

    @Test
    void invalidArgumentsAreRejected() {
        List<PodRequest> pods = List.of(PodRequest.of("p", 1, 1, 0, 0));
        assertThatThrownBy(() -> OpenbWorkloadBuilder.build("w", ONE_GPU, pods, 1, 1.3, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
        assertThatThrownBy(() -> OpenbWorkloadBuilder.build("w", ONE_GPU, pods, 1, -1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tune");
        assertThatThrownBy(() -> OpenbWorkloadBuilder.build("w", ONE_GPU, pods, 1, Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpenbWorkloadBuilder.build("w", ONE_GPU, pods, 1, Double.POSITIVE_INFINITY, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTinyTraceIsStillTunedAllTheWayToTheTarget() {
        // 20 nodes x 64 GPUs = 1,280,000 milli; 1.3x = 1,664,000 needs over 3,300 GPU clones of 500 milli from a
        // 3-pod trace: more than a cap of 1000 clones per pod would allow
        List<NodeSpec> nodes = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> NodeSpec.of("big-" + i, 64_000, 262_144, 64, "T4")).toList();
        List<PodRequest> pods = List.of(PodRequest.of("a", 1, 1, 1, 500), PodRequest.of("b", 1, 1, 1, 500),
                PodRequest.of("c", 1, 1, 0, 0));
        Workload w = OpenbWorkloadBuilder.build("tiny", nodes, pods, 1, 1.3, 1);
        long target = (long) (1.3 * 1_280_000);
        assertThat(w.arrivedGpuMilli()).isLessThanOrEqualTo(target).isGreaterThan(target - 500);
    }
}
