package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Packing tracks taken GPUs in a 64-bit mask, so nodes are capped at 64 GPUs, and the 64th GPU is seen. */
class WideNodeTest {

    @Test
    void moreThan64GpusIsRejectedWithTheLimit() {
        assertThatThrownBy(() -> NodeSpec.of("wide", 8000, 8000, 65, "T4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node wide: 65 GPUs; at most 64 per node are supported");
    }

    @Test
    void packingSeesTheLastGpuOfA64GpuNode() {
        ClusterState state = Nodes.state(NodeSpec.of("wide", 8000, 8000, 64, "T4"));
        int[] used = new int[64];
        Arrays.fill(used, 1000);
        used[0] = 0;
        used[63] = 0;
        Nodes.use(state, "wide", used); // free: GPUs 0 and 63
        PodRequest pod = PodRequest.of("p", 0, 0, 2, 1000);
        assertThat(ResourceFitFilter.fits(state, 0, 2, 1000)).isTrue();
        // not idle, two free GPUs used: max(50 - 2, 33) = 48
        assertThat(new GpuPackingScore(ScoringMode.PAPER).score(state, CycleContext.of(pod, state), 0))
                .isEqualTo(48.0);
    }
}
