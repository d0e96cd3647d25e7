package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;
import org.junit.jupiter.api.Test;

class GpuClusteringScoreTest {

    private static final PodRequest SHARE = PodRequest.of("share", 100, 0, 1, 300);
    private static final PodRequest ONE = PodRequest.of("one", 100, 0, 1, 1000);
    private static final PodRequest TWO = PodRequest.of("two", 100, 0, 2, 1000);

    private final ClusterState state = Nodes.state(
            NodeSpec.of("e8", 8000, 8000, 8, "T4"), // empty, Ltot 8000
            NodeSpec.of("e2", 8000, 8000, 2, "T4"), // empty, Ltot 2000
            NodeSpec.of("s", 8000, 8000, 4, "T4"), // one share of 300: Ltot 3700
            NodeSpec.of("m", 8000, 8000, 4, "T4"), // a share of 300 and a 1-GPU pod: Ltot 2700
            NodeSpec.of("cpu", 8000, 8000, 8, "T4")); // only a CPU-only pod: Ltot 8000

    GpuClusteringScoreTest() {
        Nodes.use(state, "s", 300);
        Nodes.use(state, "m", 300, 1000);
        state.allocate(PodRequest.of("c", 1000, 0, 0, 0), state.slotOf("cpu"), new int[0]);
    }

    private double score(ScoringMode mode, PodRequest pod, String node) {
        return new GpuClusteringScore(mode).score(state, CycleContext.of(pod, state), state.slotOf(node));
    }

    @Test
    void emptyNodeBand() {
        // e8: base = 25*(8000-8000)/8000 = 0 -> 25
        // e2: base = 25*6000/8000 = 18.75 (paper 18) -> 43 / 43.75
        assertThat(score(ScoringMode.PAPER, SHARE, "e8")).isEqualTo(25.0);
        assertThat(score(ScoringMode.EXACT, SHARE, "e8")).isEqualTo(25.0);
        assertThat(score(ScoringMode.PAPER, TWO, "e2")).isEqualTo(43.0);
        assertThat(score(ScoringMode.EXACT, TWO, "e2")).isEqualTo(43.75);
        // CPU-only pods carry no tag: the node stays in the empty band
        assertThat(score(ScoringMode.PAPER, SHARE, "cpu")).isEqualTo(25.0);
    }

    @Test
    void onlyOwnTagBand() {
        // s: base = 25*4300/8000 = 13.4375 (paper 13) -> +75 = 88 / 88.4375
        assertThat(score(ScoringMode.PAPER, SHARE, "s")).isEqualTo(88.0);
        assertThat(score(ScoringMode.EXACT, SHARE, "s")).isEqualTo(88.4375);
    }

    @Test
    void ownTagAmongOthersBand() {
        // m: base = 25*5300/8000 = 16.5625 (paper 16) -> +50 = 66 / 66.5625, for the share and for the 1-GPU pod
        assertThat(score(ScoringMode.PAPER, SHARE, "m")).isEqualTo(66.0);
        assertThat(score(ScoringMode.EXACT, SHARE, "m")).isEqualTo(66.5625);
        assertThat(score(ScoringMode.PAPER, ONE, "m")).isEqualTo(66.0);
    }

    @Test
    void onlyOtherTagsBand() {
        // s hosts only shares: a 1-GPU pod gets the bare base 13 / 13.4375
        assertThat(score(ScoringMode.PAPER, ONE, "s")).isEqualTo(13.0);
        assertThat(score(ScoringMode.EXACT, ONE, "s")).isEqualTo(13.4375);
        // m hosts share and 1-GPU, not 2-GPU: 16 / 16.5625
        assertThat(score(ScoringMode.PAPER, TWO, "m")).isEqualTo(16.0);
        assertThat(score(ScoringMode.EXACT, TWO, "m")).isEqualTo(16.5625);
    }

    @Test
    void cpuOnlyPodScoresZeroEverywhere() {
        PodRequest pod = PodRequest.of("c", 100, 0, 0, 0);
        for (ScoringMode mode : ScoringMode.values()) {
            for (String node : new String[] {"e8", "e2", "s", "m", "cpu"}) {
                assertThat(score(mode, pod, node)).isZero();
            }
        }
    }
}
