package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ClusterState;
import io.gantry.engine.Explanation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.Policy;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.placement.Taint;
import io.gantry.engine.plugins.NodePlacementFilter;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KubeWordingTest {

    private static final PodRequest WHOLE = PodRequest.of("ns/w", 1000, 1024, 2, 1000);
    private static final PodRequest SHARE = PodRequest.of("ns/s", 1000, 1024, 1, 250);

    @Test
    void gpusReadAsTheResourceThePodAsksAndNodesWithoutGpusCountWithThem() {
        Explanation why = new Explanation(15, Map.of(Reason.INSUFFICIENT_GPU, 10, Reason.NO_GPU, 2,
                Reason.INSUFFICIENT_CPU, 3));
        // kube-scheduler's FitError sorts the "count reason" strings as strings: "12 ..." before "3 ...".
        assertThat(KubeWording.message(why, WHOLE))
                .isEqualTo("0/15 nodes are available: 12 Insufficient nvidia.com/gpu, 3 Insufficient cpu.");
        assertThat(KubeWording.message(why, SHARE))
                .isEqualTo("0/15 nodes are available: 12 Insufficient gantry.io/gpu-milli, 3 Insufficient cpu.");
        assertThat(KubeWording.counts(why, WHOLE)).containsExactly(Map.entry("Insufficient nvidia.com/gpu", 12),
                Map.entry("Insufficient cpu", 3));
    }

    @Test
    void placementReasonsKeepKubeSchedulersWordsWithTheTaint() {
        Reason taint = NodePlacementFilter.untolerated(new Taint("dedicated", "research", Taint.Effect.NO_SCHEDULE));
        Explanation why = new Explanation(4, Map.of(Reason.NODE_UNSCHEDULABLE, 1, taint, 2,
                Reason.NODE_SELECTOR_MISMATCH, 1));
        assertThat(KubeWording.message(why, WHOLE)).isEqualTo("0/4 nodes are available: 1 node(s) didn't match "
                + "Pod's node affinity/selector, 1 node(s) were unschedulable, 2 node(s) had untolerated taint "
                + "{dedicated: research}.");
    }

    @Test
    void aNodeShortOfSeveralResourcesCountsUnderEachAsNodeResourcesFitReportsThem() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("small", 500, 8192, 1, "T4"));
        state.addNode(NodeSpec.of("busy", 8000, 8192, 1, "T4"));
        Scheduler s = new Scheduler(state, Policy.BESTFIT.profile(ScoringMode.EXACT,
                TargetWorkload.fromPods(List.of(WHOLE)), new SplittableRandom(1)));
        ScheduleResult.Unschedulable u = (ScheduleResult.Unschedulable) s.schedule(WHOLE);
        assertThat(KubeWording.message(u.explanation(), WHOLE)).isEqualTo(
                "0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient nvidia.com/gpu.");
        assertThat(KubeWording.forPod(WHOLE).apply(s.assess(WHOLE).rejected().get("small")))
                .isEqualTo("Insufficient cpu, Insufficient nvidia.com/gpu");
    }
}
