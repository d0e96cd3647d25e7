package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;
import org.junit.jupiter.api.Test;

class DotProductScoreTest {

    private final ClusterState state = Nodes.state(NodeSpec.of("n", 64000, 8000, 4, "T4"));
    private final int n = 0;

    DotProductScoreTest() {
        Nodes.use(state, "n", 250, 0, 0, 0); // Lcpu = 64000, Ltot = 3750
    }

    private double score(ScoringMode mode, PodRequest pod) {
        return new DotProductScore(mode).score(state, CycleContext.of(pod, state), n);
    }

    @Test
    void gpuPod() {
        // c = 16000, R = 500:
        // d = (64000/128000 * 16000/128000 + 3750/8000 * 500/8000) / 2 = (0.0625 + 0.029296875) / 2 = 0.0458984375
        // 100 * (1 - d) = 95.41015625
        PodRequest pod = PodRequest.of("p", 16000, 0, 1, 500);
        assertThat(score(ScoringMode.PAPER, pod)).isEqualTo(95.0);
        assertThat(score(ScoringMode.EXACT, pod)).isCloseTo(95.41015625, within(1e-9));
    }

    @Test
    void cpuOnlyPodLooksOnlyAtCpu() {
        // c = 32000: d = (0.5 * 0.25) / 2 = 0.0625 -> 93.75
        PodRequest pod = PodRequest.of("p", 32000, 0, 0, 0);
        assertThat(score(ScoringMode.PAPER, pod)).isEqualTo(93.0);
        assertThat(score(ScoringMode.EXACT, pod)).isCloseTo(93.75, within(1e-9));
    }

    @Test
    void wholeGpusCountAsTheirTotalMilli() {
        // c = 0, R = 2*1000: d = (3750/8000 * 2000/8000) / 2 = 0.05859375 -> 94.140625
        PodRequest pod = PodRequest.of("p", 0, 0, 2, 1000);
        assertThat(score(ScoringMode.PAPER, pod)).isEqualTo(94.0);
        assertThat(score(ScoringMode.EXACT, pod)).isCloseTo(94.140625, within(1e-9));
    }

    @Test
    void notEnoughCpuScoresZero() {
        PodRequest pod = PodRequest.of("p", 64001, 0, 1, 500);
        assertThat(score(ScoringMode.PAPER, pod)).isZero();
        assertThat(score(ScoringMode.EXACT, pod)).isZero();
    }

    @Test
    void lessCapacityLeftScoresHigher() {
        ClusterState s = Nodes.state(NodeSpec.of("big", 128000, 8000, 8, "T4"), NodeSpec.of("small", 16000, 8000, 2,
                "T4"));
        PodRequest pod = PodRequest.of("p", 8000, 0, 1, 1000);
        DotProductScore score = new DotProductScore(ScoringMode.PAPER);
        CycleContext c = CycleContext.of(pod, s);
        // big: d = (1*0.0625 + 1*0.125)/2 = 0.09375 -> 90; small: d = (0.125*0.0625 + 0.25*0.125)/2 = 0.01953125 -> 98
        assertThat(score.score(s, c, 0)).isEqualTo(90.0);
        assertThat(score.score(s, c, 1)).isEqualTo(98.0);
    }
}
