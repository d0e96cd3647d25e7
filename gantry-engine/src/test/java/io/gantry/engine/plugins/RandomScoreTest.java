package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomScoreTest {

    @Test
    void exactlyOneFeasibleNodeScoresHundred() {
        ClusterState state = Nodes.state(NodeSpec.of("a", 1, 1, 0, ""), NodeSpec.of("b", 1, 1, 0, ""),
                NodeSpec.of("c", 1, 1, 0, ""), NodeSpec.of("d", 1, 1, 0, ""));
        CycleContext cycle = CycleContext.of(PodRequest.of("p", 0, 0, 0, 0), state);
        RandomScore score = new RandomScore(new SplittableRandom(42));
        assertThat(score.cacheable()).isFalse();
        int[] feasible = {0, 2, 3}; // node b is not feasible
        int[] wins = new int[4];
        for (int round = 0; round < 300; round++) {
            score.preScore(state, cycle, feasible, feasible.length);
            int hundreds = 0;
            for (int node = 0; node < 4; node++) {
                double s = score.score(state, cycle, node);
                assertThat(s).isIn(0.0, 100.0);
                if (s == 100) {
                    hundreds++;
                    wins[node]++;
                }
            }
            assertThat(hundreds).isEqualTo(1);
        }
        assertThat(wins[1]).isZero();
        assertThat(wins[0]).isPositive();
        assertThat(wins[2]).isPositive();
        assertThat(wins[3]).isPositive();
    }

    @Test
    void onlyTheFeasiblePrefixIsDrawnFrom() {
        ClusterState state = Nodes.state(NodeSpec.of("a", 1, 1, 0, ""), NodeSpec.of("b", 1, 1, 0, ""));
        CycleContext cycle = CycleContext.of(PodRequest.of("p", 0, 0, 0, 0), state);
        RandomScore score = new RandomScore(new SplittableRandom(3));
        int[] feasible = {1, 0}; // only the first entry counts
        for (int round = 0; round < 50; round++) {
            score.preScore(state, cycle, feasible, 1);
            assertThat(score.score(state, cycle, 1)).isEqualTo(100.0);
            assertThat(score.score(state, cycle, 0)).isZero();
        }
    }
}
