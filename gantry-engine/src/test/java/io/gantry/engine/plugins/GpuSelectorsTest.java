package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GpuSelectorsTest {

    // GPUs left: [1000, 600, 400, 600, 1000, 200]
    private final ClusterState state = Nodes.state(NodeSpec.of("n", 8000, 8000, 6, "T4"));

    GpuSelectorsTest() {
        Nodes.use(state, "n", 0, 400, 600, 400, 0, 800);
        assertThat(Nodes.gpuLeft(state, "n")).containsExactly(1000, 600, 400, 600, 1000, 200);
    }

    private int[] select(GpuSelector selector, PodRequest pod) {
        return selector.select(state, CycleContext.of(pod, state), 0);
    }

    @Test
    void bestFitTakesTheTightestGpuThatHoldsTheShare() {
        BestFitGpuSelector best = new BestFitGpuSelector();
        assertThat(select(best, PodRequest.of("a", 0, 0, 1, 100))).containsExactly(5); // 200 is tightest
        assertThat(select(best, PodRequest.of("b", 0, 0, 1, 300))).containsExactly(2); // 400
        assertThat(select(best, PodRequest.of("c", 0, 0, 1, 400))).containsExactly(2); // exactly 400 still fits
        assertThat(select(best, PodRequest.of("d", 0, 0, 1, 500))).containsExactly(1); // 600 at 1 and 3: lowest
        assertThat(select(best, PodRequest.of("e", 0, 0, 1, 700))).containsExactly(0); // only free GPUs hold 700
    }

    @Test
    void wholeGpusAreTheLowestFullyFreeOnes() {
        assertThat(select(new BestFitGpuSelector(), PodRequest.of("w", 0, 0, 1, 1000))).containsExactly(0);
        assertThat(select(new BestFitGpuSelector(), PodRequest.of("w2", 0, 0, 2, 1000))).containsExactly(0, 4);
        assertThat(select(new RandomGpuSelector(new SplittableRandom(1)), PodRequest.of("w2", 0, 0, 2, 1000)))
                .containsExactly(0, 4);
    }

    @Test
    void cpuOnlyPodsGetNoGpu() {
        PodRequest cpu = PodRequest.of("c", 10, 0, 0, 0);
        assertThat(select(new BestFitGpuSelector(), cpu)).isEmpty();
        assertThat(select(new RandomGpuSelector(new SplittableRandom(1)), cpu)).isEmpty();
    }

    @Test
    void randomTakesOnlyFittingGpusAndEachOfThemSometimes() {
        // share 500 fits GPUs 0 (1000), 1 (600), 3 (600), 4 (1000); never 2 (400) or 5 (200)
        RandomGpuSelector random = new RandomGpuSelector(new SplittableRandom(2024));
        PodRequest pod = PodRequest.of("s", 0, 0, 1, 500);
        int[] hits = new int[6];
        int draws = 2000;
        for (int i = 0; i < draws; i++) {
            int[] g = select(random, pod);
            assertThat(g).hasSize(1);
            hits[g[0]]++;
        }
        assertThat(hits[2]).isZero();
        assertThat(hits[5]).isZero();
        for (int g : new int[] {0, 1, 3, 4}) {
            // uniform: 500 expected each (sd about 19); a bias toward the first or the last would show
            assertThat(hits[g]).as("GPU %d", g).isBetween(400, 600);
        }
    }
}
