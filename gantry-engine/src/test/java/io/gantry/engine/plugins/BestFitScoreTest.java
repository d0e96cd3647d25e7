package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;
import org.junit.jupiter.api.Test;

class BestFitScoreTest {

    // s = 0.5*(Lcpu - c)/128000 + 0.5*(Ltot - R)/8000, raw = int(100*(1 - s)); pod c = 16000, R = 1000
    // a: 0.5*48000/128000 + 0.5*3000/8000 = 0.1875 + 0.1875 = 0.375 -> 62.5
    // b: 0.5*16000/128000 + 0.5*1000/8000 = 0.0625 + 0.0625 = 0.125 -> 87.5
    // c: 0.5*112000/128000 + 0.5*7000/8000 = 0.4375 + 0.4375 = 0.875 -> 12.5
    private final ClusterState state = Nodes.state(NodeSpec.of("a", 64000, 8000, 4, "T4"),
            NodeSpec.of("b", 32000, 8000, 2, "T4"), NodeSpec.of("c", 128000, 8000, 8, "T4"));
    private final PodRequest pod = PodRequest.of("p", 16000, 0, 1, 1000);

    private double[] raw(BestFitScore score) {
        CycleContext cycle = CycleContext.of(pod, state);
        return new double[] {score.score(state, cycle, 0), score.score(state, cycle, 1), score.score(state, cycle, 2)};
    }

    @Test
    void paperModeTruncatesThenRescalesWithIntegerArithmetic() {
        BestFitScore score = new BestFitScore(ScoringMode.PAPER);
        double[] s = raw(score);
        assertThat(s).containsExactly(62, 87, 12);
        // (raw - 12) * 100 / (87 - 12): a = 50*100/75 = 66 (66.67 truncated), b = 100, c = 0
        score.normalize(s, 3);
        assertThat(s).containsExactly(66, 100, 0);
    }

    @Test
    void exactModeKeepsFractionsAndDoesNotRescale() {
        BestFitScore score = new BestFitScore(ScoringMode.EXACT);
        double[] s = raw(score);
        assertThat(s).containsExactly(62.5, 87.5, 12.5);
        score.normalize(s, 3);
        assertThat(s).containsExactly(62.5, 87.5, 12.5);
    }

    @Test
    void equalScoresNormalizeToZero() {
        double[] s = {40, 40, 40};
        new BestFitScore(ScoringMode.PAPER).normalize(s, 3);
        assertThat(s).containsExactly(0, 0, 0);
    }

    @Test
    void normalizationMergesNeighboursAndTouchesOnlyTheFeasiblePrefix() {
        // range 3: (7-7)*100/3 = 0, (8-7)*100/3 = 33, (10-7)*100/3 = 100; slot 3 is past count
        double[] s = {7, 8, 10, 999};
        new BestFitScore(ScoringMode.PAPER).normalize(s, 3);
        assertThat(s).containsExactly(0, 33, 100, 999);
        // over range 300 neighbouring raws merge: 1*100/300 = 0, 2*100/300 = 0, 3*100/300 = 1
        double[] t = {0, 1, 2, 3, 300};
        new BestFitScore(ScoringMode.PAPER).normalize(t, 5);
        assertThat(t).containsExactly(0, 0, 0, 1, 100);
    }
}
