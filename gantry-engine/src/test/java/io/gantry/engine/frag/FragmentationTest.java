package io.gantry.engine.frag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * F(n) = sum over types of p * frag_type(n): all idle milli for a CPU-only type, a model mismatch, or a type the
 * node cannot host (GPU or CPU lacking); only the individually too-small GPUs for a type that fits.
 */
class FragmentationTest {

    // T4 node, cpu 4000 left, GPUs left [1000, 700, 300, 0]: idle = 2000
    private final ClusterState state = new ClusterState();
    private final int node;

    FragmentationTest() {
        node = state.addNode(NodeSpec.of("n", 4000, 8000, 4, "T4"));
        state.addNode(NodeSpec.of("v", 4000, 8000, 4, "V100")); // so that model V100 exists
        state.allocate(PodRequest.of("u1", 0, 0, 1, 300), node, new int[] {1});
        state.allocate(PodRequest.of("u2", 0, 0, 1, 700), node, new int[] {2});
        state.allocate(PodRequest.of("u3", 0, 0, 1, 1000), node, new int[] {3});
    }

    private static WorkloadType type(long cpu, int milli, int count, List<String> models) {
        return new WorkloadType(cpu, milli, count, models, 1, 1.0);
    }

    private double f(WorkloadType t) {
        return new Fragmentation(TargetWorkload.of(List.of(t))).nodeFrag(state, node);
    }

    @Test
    void cpuOnlyTypeCountsAllIdleWhetherOrNotItsCpuFits() {
        assertThat(f(type(1000, 0, 0, List.of()))).isEqualTo(2000.0);
        assertThat(f(type(9000, 0, 0, List.of()))).isEqualTo(2000.0);
    }

    @Test
    void modelMismatchCountsAllIdle() {
        assertThat(f(type(1000, 100, 1, List.of("V100")))).isEqualTo(2000.0);
        // a model that no node has at all
        assertThat(f(type(1000, 100, 1, List.of("H100")))).isEqualTo(2000.0);
    }

    @Test
    void aTypeThatFitsCountsOnlyTheGpusTooSmallForIt() {
        // 500: GPUs below 500 are 300 and 0 -> 300
        assertThat(f(type(1000, 500, 1, List.of("T4")))).isEqualTo(300.0);
        assertThat(f(type(1000, 500, 1, List.of("V100", "T4")))).isEqualTo(300.0);
        assertThat(f(type(1000, 500, 1, List.of()))).isEqualTo(300.0);
        // 800: 700 + 300 + 0 = 1000
        assertThat(f(type(1000, 800, 1, List.of()))).isEqualTo(1000.0);
        // 700: a GPU with exactly 700 left holds it: 300 + 0
        assertThat(f(type(1000, 700, 1, List.of()))).isEqualTo(300.0);
        // whole GPU: GPU 0 holds it; 700 + 300 + 0 = 1000
        assertThat(f(type(1000, 1000, 1, List.of()))).isEqualTo(1000.0);
        // CPU exactly what is left still fits
        assertThat(f(type(4000, 500, 1, List.of()))).isEqualTo(300.0);
    }

    @Test
    void aTypeLackingGpuOrCpuCountsAllIdle() {
        assertThat(f(type(1000, 1000, 2, List.of()))).isEqualTo(2000.0); // one free GPU, two needed
        assertThat(f(type(1000, 701, 1, List.of()))).isEqualTo(1000.0); // still fits GPU 0 (control)
        assertThat(f(type(4001, 500, 1, List.of()))).isEqualTo(2000.0); // lacks CPU
        assertThat(f(type(5000, 1000, 2, List.of()))).isEqualTo(2000.0); // lacks both
    }

    @Test
    void typesAreWeightedByPopularity() {
        // 0.1 * 2000 (CPU-only) + 0.2 * 2000 (V100 only) + 0.3 * 300 (fits, 500) + 0.15 * 2000 (2 whole GPUs)
        // + 0.25 * 1000 (fits, 800) = 200 + 400 + 90 + 300 + 250 = 1240
        TargetWorkload w = TargetWorkload.of(List.of(
                new WorkloadType(1000, 0, 0, List.of(), 10, 0.1),
                new WorkloadType(1000, 100, 1, List.of("V100"), 20, 0.2),
                new WorkloadType(1000, 500, 1, List.of("T4"), 30, 0.3),
                new WorkloadType(1000, 1000, 2, List.of(), 15, 0.15),
                new WorkloadType(1000, 800, 1, List.of(), 25, 0.25)));
        assertThat(new Fragmentation(w).nodeFrag(state, node)).isCloseTo(1240.0, within(1e-9));
        // an explicit state: model T4, cpu 4000, GPUs [500, 499]:
        // 0.1*999 + 0.2*999 + 0.3*499 + 0.15*999 (no two free GPUs) + 0.25*999 (nothing holds 800)
        // = 99.9 + 199.8 + 149.7 + 149.85 + 249.75 = 849.0
        int[] left = {7, 500, 499};
        assertThat(new Fragmentation(w).frag(state, state.modelIdOf("T4"), 4000, left, 1, 2))
                .isCloseTo(849.0, within(1e-9));
    }

    @Test
    void nodeFragFollowsChangesToTheNode() {
        Fragmentation frag = new Fragmentation(TargetWorkload.of(List.of(type(1000, 500, 1, List.of()))));
        assertThat(frag.nodeFrag(state, node)).isEqualTo(300.0);
        // take 600 from GPU 0: [400, 700, 300, 0] -> still fits on GPU 1 (700); too small: 400 + 300 = 700
        state.allocate(PodRequest.of("x", 0, 0, 1, 600), node, new int[] {0});
        assertThat(frag.nodeFrag(state, node)).isEqualTo(700.0);
        // and CPU: take 3500 -> 500 left < 1000: lacks CPU -> all idle 1400
        state.allocate(PodRequest.of("y", 3500, 0, 0, 0), node, new int[0]);
        assertThat(frag.nodeFrag(state, node)).isEqualTo(1400.0);
    }
}
