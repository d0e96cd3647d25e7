package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.frag.TargetWorkload;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** GPU indices recorded from outside (a restart) never touch another node's GPUs. */
class RecordPlacedGpuIndicesTest {

    private static Scheduler scheduler(ClusterState state) {
        return new Scheduler(state,
                Policy.BESTFIT.profile(ScoringMode.PAPER, TargetWorkload.of(List.of()), new SplittableRandom(1)));
    }

    @Test
    void negativeOrRepeatedIndicesAreRejectedAndChangeNothing() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("a", 8000, 8000, 2, "T4")); // GPUs stored at 0..1
        state.addNode(NodeSpec.of("b", 8000, 8000, 2, "T4")); // GPUs stored at 2..3
        Scheduler s = scheduler(state);
        s.recordPlaced(PodRequest.of("x", 0, 0, 1, 1000), "a", List.of(1));
        ClusterSnapshot before = ClusterSnapshot.of(state);

        assertThatThrownBy(() -> s.recordPlaced(PodRequest.of("bad", 100, 0, 1, 500), "b", List.of(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pod bad on b: GPU indices must be distinct and not negative, got [-1]");
        assertThatThrownBy(() -> s.recordPlaced(PodRequest.of("twice", 100, 0, 2, 1000), "b", List.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got [1, 1]");
        assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
        assertThat(s.allocation("bad")).isEmpty();
    }

    @Test
    void aGpuTheNodeNoLongerHasIsSkippedOnReleaseWithoutTouchingNeighbours() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("a", 8000, 8000, 4, "T4"));
        state.addNode(NodeSpec.of("b", 8000, 8000, 2, "T4"));
        Scheduler s = scheduler(state);
        s.recordPlaced(PodRequest.of("on-b", 0, 0, 1, 1000), "b", List.of(0));
        s.recordPlaced(PodRequest.of("high", 1000, 0, 1, 500), "a", List.of(3));
        // the device plugin now reports only 2 GPUs on a: GPU 3 is gone, the pod stays placed
        s.updateNode(NodeSpec.of("a", 8000, 8000, 2, "T4"));
        ClusterSnapshot shrunk = ClusterSnapshot.of(state);
        int a = state.slotOf("a");
        assertThat(state.cpuLeft(a)).isEqualTo(7000);

        assertThat(s.release("high")).isPresent();

        int b = state.slotOf("b");
        assertThat(state.gpuLeft(b, 0)).isZero();
        assertThat(state.gpuLeft(b, 1)).isEqualTo(1000);
        assertThat(state.gpuLeft(a, 0)).isEqualTo(1000);
        assertThat(state.gpuLeft(a, 1)).isEqualTo(1000);
        assertThat(state.cpuLeft(a)).isEqualTo(8000);
        assertThat(ClusterSnapshot.of(state)).isNotEqualTo(shrunk);
    }
}
