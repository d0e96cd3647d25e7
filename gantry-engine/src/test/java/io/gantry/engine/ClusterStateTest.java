package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ClusterState takes and gives back exactly, and refuses an over-allocation without changing anything. */
class ClusterStateTest {

    private ClusterState state;
    private int a;
    private int b;

    @BeforeEach
    void setUp() {
        state = new ClusterState();
        a = state.addNode(new NodeSpec("a", 4000, 8000, 2, "T4", 2));
        b = state.addNode(NodeSpec.of("b", 8000, 8000, 4, "V100"));
    }

    @Test
    void allocateTakesExactlyWhatThePodAsks() {
        GpuAllocation alloc = state.allocate(PodRequest.of("p", 1500, 3000, 1, 300), b, new int[] {2});
        assertThat(alloc).isEqualTo(new GpuAllocation("p", "b", 1500, 3000, List.of(2), 300));
        assertThat(state.cpuLeft(b)).isEqualTo(6500);
        assertThat(state.memoryLeft(b)).isEqualTo(5000);
        assertThat(state.podsLeft(b)).isEqualTo(NodeSpec.DEFAULT_MAX_PODS - 1);
        assertThat(state.gpuLeft(b, 2)).isEqualTo(700);
        assertThat(state.gpuLeftTotal(b)).isEqualTo(3700);
        assertThat(state.fullyFreeGpus(b)).isEqualTo(3);
        assertThat(state.allocationsOn(b)).containsExactly(alloc);
        assertThat(state.placedPod("p")).contains(PodRequest.of("p", 1500, 3000, 1, 300));
        assertThat(state.usedGpuMilli()).isEqualTo(300);
        assertThat(state.totalGpuMilli()).isEqualTo(6000);
        // node a untouched
        assertThat(ClusterSnapshot.node(state, a).gpuLeft()).containsExactly(1000, 1000);

        assertThat(state.release("p")).contains(alloc);
        assertThat(state.release("p")).isEmpty(); // given back once only
        assertThat(ClusterSnapshot.node(state, b)).isEqualTo(
                new ClusterSnapshot.NodeSnapshot(8000, 8000, NodeSpec.DEFAULT_MAX_PODS, List.of(1000, 1000, 1000, 1000),
                        4000, List.of()));
        assertThat(state.placedPod("p")).isEmpty();
        assertThat(state.usedGpuMilli()).isZero();
    }

    @Test
    void closedNodesAreCountedThroughAddUpdateAndRemove() {
        assertThat(state.closedNodeCount()).isZero();
        state.updateNode(NodeSpec.of("b", 8000, 8000, 4, "V100").withUnschedulable(true));
        assertThat(state.closedNodeCount()).isEqualTo(1);
        state.addNode(NodeSpec.of("c", 1, 1, 0, "").withTaints(List.of(new io.gantry.engine.placement.Taint("k", "v",
                io.gantry.engine.placement.Taint.Effect.NO_SCHEDULE))));
        assertThat(state.closedNodeCount()).isEqualTo(2);
        state.updateNode(NodeSpec.of("b", 8000, 8000, 4, "V100"));
        assertThat(state.closedNodeCount()).isEqualTo(1);
        state.removeNode("c");
        assertThat(state.closedNodeCount()).isZero();
        state.addNode(NodeSpec.of("d", 1, 1, 0, "")); // reuses c's slot
        assertThat(state.closedNodeCount()).isZero();
        assertThat(state.copy().closedNodeCount()).isZero();
    }

    private void assertRejectedAndUnchanged(Runnable allocation, Class<? extends Throwable> type, String message) {
        ClusterSnapshot before = ClusterSnapshot.of(state);
        int versionA = state.version(a);
        int versionB = state.version(b);
        assertThatThrownBy(allocation::run).isInstanceOf(type).hasMessageContaining(message);
        assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
        assertThat(state.version(a)).isEqualTo(versionA);
        assertThat(state.version(b)).isEqualTo(versionB);
    }

    @Test
    void overAllocationIsRejectedAndChangesNothing() {
        state.allocate(PodRequest.of("seed", 1000, 1000, 1, 700), a, new int[] {1}); // GPU 1 of a: 300 left

        // CPU: 3000 left, 3001 asked
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("cpu", 3001, 0, 0, 0), a, new int[0]),
                IllegalStateException.class, "pod cpu does not fit on a: CPU left 3000");
        // memory: 7000 left
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("mem", 0, 7001, 0, 0), a, new int[0]),
                IllegalStateException.class, "memory left 7000");
        // GPU milli: GPU 1 has 300, 301 asked
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("gpu", 0, 0, 1, 301), a, new int[] {1}),
                IllegalStateException.class, "GPU 1 of a has 300 milli left, pod gpu needs 301");
        // two whole GPUs where the second is partly used: the first must not be taken either
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("two", 0, 0, 2, 1000), a, new int[] {0, 1}),
                IllegalStateException.class, "GPU 1 of a has 300 milli left");
        // GPU count differs from the request
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("n", 0, 0, 2, 1000), b, new int[] {0}),
                IllegalArgumentException.class, "asks for 2 GPUs, 1 given on b");
        // the same GPU twice
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("dup", 0, 0, 2, 1000), b, new int[] {3, 3}),
                IllegalArgumentException.class, "GPU 3 given twice");
        // a GPU the node does not have
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("idx", 0, 0, 1, 100), a, new int[] {2}),
                IllegalArgumentException.class, "node a has no GPU 2");
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("neg", 0, 0, 1, 100), a, new int[] {-1}),
                IllegalArgumentException.class, "node a has no GPU -1");
    }

    @Test
    void podSlotsAreAResource() {
        state.allocate(PodRequest.of("p1", 0, 0, 0, 0), a, new int[0]);
        state.allocate(PodRequest.of("p2", 0, 0, 0, 0), a, new int[0]);
        assertThat(state.podsLeft(a)).isZero();
        assertRejectedAndUnchanged(() -> state.allocate(PodRequest.of("p3", 0, 0, 0, 0), a, new int[0]),
                IllegalStateException.class, "pod slots left 0");
    }

    @Test
    void nodesAreAddedRemovedAndTheirSlotsReused() {
        assertThatThrownBy(() -> state.addNode(NodeSpec.of("a", 1, 1, 0, "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node a already exists");
        GpuAllocation p = state.allocate(PodRequest.of("p", 0, 0, 1, 400), a, new int[] {0});
        assertThat(state.usedGpuMilli()).isEqualTo(400);
        assertThat(state.removeNode("a")).containsExactly(p);
        assertThat(state.removeNode("a")).isEmpty();
        assertThat(state.allocation("p")).isEmpty();
        assertThat(state.release("p")).isEmpty();
        assertThat(state.hasNode("a")).isFalse();
        assertThat(state.isActive(a)).isFalse();
        assertThat(state.nodeCount()).isEqualTo(1);
        assertThat(state.usedGpuMilli()).isZero();
        assertThat(state.totalGpuMilli()).isEqualTo(4000);
        assertThatThrownBy(() -> state.allocate(PodRequest.of("q", 0, 0, 0, 0), a, new int[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slot " + a + " holds no node");

        int c = state.addNode(NodeSpec.of("c", 100, 100, 3, "T4"));
        assertThat(c).isEqualTo(a); // reused slot
        assertThat(state.tieRank(c)).isEqualTo(2); // a fresh rank, not the removed node's
        assertThat(ClusterSnapshot.node(state, c)).isEqualTo(new ClusterSnapshot.NodeSnapshot(100, 100,
                NodeSpec.DEFAULT_MAX_PODS, List.of(1000, 1000, 1000), 3000, List.of()));
        // node b's GPUs were not disturbed by the larger node in the reused slot
        assertThat(ClusterSnapshot.node(state, b).gpuLeft()).containsExactly(1000, 1000, 1000, 1000);
        assertThat(state.totalGpuMilli()).isEqualTo(7000);
    }

    @Test
    void tieRankDefaultsToTheSlotAndCanBeSet() {
        assertThat(state.tieRank(a)).isEqualTo(a);
        assertThat(state.tieRank(b)).isEqualTo(b);
        state.setTieRank("b", -7);
        assertThat(state.tieRank(b)).isEqualTo(-7);
        assertThatThrownBy(() -> state.setTieRank("zz", 1)).hasMessage("no node named zz");
    }
}
