package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;
import org.junit.jupiter.api.Test;

class GpuPackingScoreTest {

    private final ClusterState state = Nodes.state(
            NodeSpec.of("idle1", 8000, 8000, 1, "T4"),
            NodeSpec.of("idle2", 8000, 8000, 2, "T4"),
            NodeSpec.of("idle8", 8000, 8000, 8, "T4"),
            NodeSpec.of("used", 8000, 8000, 4, "T4"), // [567, 1000, 1000, 1000]
            NodeSpec.of("mixed", 8000, 8000, 4, "T4")); // [800, 350, 1000, 1000]

    GpuPackingScoreTest() {
        Nodes.use(state, "used", 433);
        Nodes.use(state, "mixed", 200, 650);
    }

    private double score(ScoringMode mode, PodRequest pod, String node) {
        return new GpuPackingScore(mode).score(state, CycleContext.of(pod, state), state.slotOf(node));
    }

    @Test
    void idleNodePrefersFewerGpus() {
        // max(33 - free, free): 1 GPU -> 32, 2 GPUs -> 31, 8 GPUs -> 25
        for (ScoringMode mode : ScoringMode.values()) {
            PodRequest share = PodRequest.of("p", 100, 0, 1, 300);
            assertThat(score(mode, share, "idle1")).isEqualTo(32.0);
            assertThat(score(mode, share, "idle2")).isEqualTo(31.0);
            assertThat(score(mode, share, "idle8")).isEqualTo(25.0);
            assertThat(score(mode, PodRequest.of("w", 100, 0, 2, 1000), "idle8")).isEqualTo(25.0);
        }
    }

    @Test
    void freeGpusOnAUsedNode() {
        // 2 whole GPUs on "used": packing takes GPUs 1 and 2, both free: max(50 - 2, 33) = 48
        // a 600 share does not fit GPU 0 (567), so it takes free GPU 1: max(50 - 1, 33) = 49
        for (ScoringMode mode : ScoringMode.values()) {
            assertThat(score(mode, PodRequest.of("w", 0, 0, 2, 1000), "used")).isEqualTo(48.0);
            assertThat(score(mode, PodRequest.of("s", 0, 0, 1, 600), "used")).isEqualTo(49.0);
            assertThat(score(mode, PodRequest.of("w1", 0, 0, 1, 1000), "used")).isEqualTo(49.0);
        }
    }

    @Test
    void partlyUsedGpus() {
        // share 300 on "used" takes GPU 0 (567 left): paper 100 - int(567*100/1000)/10 = 100 - 56/10 = 100 - 5 = 95;
        // exact 100 - 56.7/10 = 94.33
        PodRequest share = PodRequest.of("s", 0, 0, 1, 300);
        assertThat(score(ScoringMode.PAPER, share, "used")).isEqualTo(95.0);
        assertThat(score(ScoringMode.EXACT, share, "used")).isCloseTo(94.33, within(1e-9));
        // "mixed" [800, 350, 1000, 1000]: ascending left takes GPU 1 (350): paper 100 - 35/10 = 97, exact 96.5
        // (GPU 0 would give 100 - 80/10 = 92)
        assertThat(score(ScoringMode.PAPER, share, "mixed")).isEqualTo(97.0);
        assertThat(score(ScoringMode.EXACT, share, "mixed")).isCloseTo(96.5, within(1e-9));
        // share 400 no longer fits GPU 1 and takes GPU 0 (800): 100 - 80/10 = 92 in both modes
        assertThat(score(ScoringMode.PAPER, PodRequest.of("s4", 0, 0, 1, 400), "mixed")).isEqualTo(92.0);
        assertThat(score(ScoringMode.EXACT, PodRequest.of("s4", 0, 0, 1, 400), "mixed")).isCloseTo(92.0,
                within(1e-9));
    }

    @Test
    void cpuOnlyPodScoresZeroEverywhere() {
        PodRequest pod = PodRequest.of("c", 1000, 0, 0, 0);
        for (ScoringMode mode : ScoringMode.values()) {
            for (String node : new String[] {"idle1", "idle8", "used", "mixed"}) {
                assertThat(score(mode, pod, node)).isZero();
            }
        }
    }
}
