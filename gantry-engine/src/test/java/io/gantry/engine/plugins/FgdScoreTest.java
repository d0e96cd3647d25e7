package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.Policy;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.Fragmentation;
import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.frag.WorkloadType;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * FGD: score = int(100*sigma((F_before - F_after)/1000)) in paper mode, not truncated in exact mode; a share goes to
 * the first GPU reaching the maximum (truncated in paper mode) score.
 */
class FgdScoreTest {

    /** One type: 1 GPU of 500 milli, CPU 1000, popularity 1. */
    private static final TargetWorkload HALF = TargetWorkload.of(List.of(
            new WorkloadType(1000, 500, 1, List.of(), 1, 1.0)));

    /** FGD's GPU choice on the same fragmentation and mode as the score. */
    private static FgdGpuSelector selector(FgdScore score) {
        return new FgdGpuSelector(score.fragmentation(), score.mode());
    }

    private static FgdScore fgd(TargetWorkload target, ScoringMode mode) {
        return new FgdScore(new Fragmentation(target), mode);
    }

    private static double sigmoid100(double delta) {
        return 100.0 / (1.0 + Math.exp(-delta / 1000.0));
    }

    @Test
    void sigmoidReferenceValuesUsedBelow() {
        // hand values of 100*sigma(x), so the expected numbers below are not computed by the code under test
        assertThat(sigmoid100(0)).isEqualTo(50.0);
        assertThat(sigmoid100(500)).isCloseTo(62.245933120185, within(1e-9));
        assertThat(sigmoid100(-500)).isCloseTo(37.754066879815, within(1e-9));
        assertThat(sigmoid100(-300)).isCloseTo(42.555748318834, within(1e-9));
        assertThat(sigmoid100(100)).isCloseTo(52.497918747894, within(1e-9));
        assertThat(sigmoid100(10)).isCloseTo(50.249997916669, within(1e-9));
    }

    @Test
    void wholeAndCpuOnlyPodsScoreByTheFragmentationChange() {
        // Types: T1 = (cpu 4000, 1 x 500), p 0.5; T2 = CPU-only (cpu 2000), p 0.5.
        // Node: cpu 6000, GPUs [1000, 200]: idle 1200.
        // F before: T1 fits (GPU 0 >= 500, cpu 6000 >= 4000) -> too small GPUs: 200 -> 0.5*200 = 100
        //           T2 CPU-only -> all idle 1200 -> 0.5*1200 = 600;  F = 700
        TargetWorkload target = TargetWorkload.of(List.of(new WorkloadType(4000, 500, 1, List.of(), 1, 0.5),
                new WorkloadType(2000, 0, 0, List.of(), 1, 0.5)));
        ClusterState state = Nodes.state(NodeSpec.of("n", 6000, 8000, 2, "T4"));
        Nodes.use(state, "n", 0, 800);
        assertThat(new Fragmentation(target).nodeFrag(state, 0)).isCloseTo(700, within(1e-9));

        // CPU-only pod, cpu 3000: cpu after 3000 < 4000 -> T1 lacks CPU -> all idle: 0.5*1200 = 600; T2 600.
        // F after = 1200, delta = -500 -> 37.754 -> paper 37
        PodRequest cpuOnly = PodRequest.of("c", 3000, 0, 0, 0);
        assertThat(fgd(target, ScoringMode.PAPER).score(state, CycleContext.of(cpuOnly, state), 0)).isEqualTo(37.0);
        assertThat(fgd(target, ScoringMode.EXACT).score(state, CycleContext.of(cpuOnly, state), 0))
                .isCloseTo(37.754066879815, within(1e-9));

        // 1 whole GPU, cpu 1000: GPUs after [0, 200], cpu 5000. T1: no GPU >= 500 -> all idle 200 -> 100;
        // T2: 0.5*200 = 100. F after = 200, delta = +500 -> 62.246 -> paper 62
        PodRequest whole = PodRequest.of("w", 1000, 0, 1, 1000);
        assertThat(fgd(target, ScoringMode.PAPER).score(state, CycleContext.of(whole, state), 0)).isEqualTo(62.0);
        assertThat(fgd(target, ScoringMode.EXACT).score(state, CycleContext.of(whole, state), 0))
                .isCloseTo(62.245933120185, within(1e-9));
        assertThat(selector(fgd(target, ScoringMode.PAPER))
                .select(state, CycleContext.of(whole, state), 0)).containsExactly(0);
    }

    @Test
    void shareGoesWhereFragmentationGrowsLeast() {
        // Node GPUs [1000, 600], share 300, cpu 1000. F before = 0 (both GPUs >= 500).
        // GPU 0 -> [700, 600]: F 0, delta 0 -> 50.  GPU 1 -> [1000, 300]: F 300, delta -300 -> 42.56 -> 42.
        ClusterState state = Nodes.state(NodeSpec.of("n", 8000, 8000, 2, "T4"));
        Nodes.use(state, "n", 0, 400);
        PodRequest pod = PodRequest.of("p", 1000, 0, 1, 300);
        CycleContext cycle = CycleContext.of(pod, state);
        for (ScoringMode mode : ScoringMode.values()) {
            FgdScore score = fgd(HALF, mode);
            assertThat(score.score(state, cycle, 0)).isEqualTo(50.0);
            assertThat(score.shareGpu(state, cycle, 0)).isZero();
            assertThat(selector(score).select(state, cycle, 0)).containsExactly(0);
        }
        // best fit would have taken the tighter GPU 1
        assertThat(new BestFitGpuSelector().select(state, cycle, 0)).containsExactly(1);
    }

    @Test
    void paperModeTieGoesToTheFirstGpuReachingTheTruncatedMaximum() {
        // Node GPUs [1000, 400], share 10, cpu 1000. F before = 400 (GPU 1 too small for 500, GPU 0 fits).
        // GPU 0 -> [990, 400]: F 400, delta 0   -> 50.0        -> paper 50
        // GPU 1 -> [1000, 390]: F 390, delta 10 -> 50.24999... -> paper 50
        ClusterState state = Nodes.state(NodeSpec.of("n", 8000, 8000, 2, "T4"));
        Nodes.use(state, "n", 0, 600);
        CycleContext cycle = CycleContext.of(PodRequest.of("p", 1000, 0, 1, 10), state);

        FgdScore paper = fgd(HALF, ScoringMode.PAPER);
        assertThat(paper.score(state, cycle, 0)).isEqualTo(50.0);
        assertThat(selector(paper).select(state, cycle, 0)).containsExactly(0);

        // exact mode is not truncated: GPU 1 is strictly better
        FgdScore exact = fgd(HALF, ScoringMode.EXACT);
        assertThat(exact.score(state, cycle, 0)).isCloseTo(50.249997916669, within(1e-9));
        assertThat(selector(exact).select(state, cycle, 0)).containsExactly(1);
    }

    @Test
    void aLaterGpuWinsWithAStrictlyLargerTruncatedScore() {
        // Node GPUs [1000, 400], share 100. GPU 0 -> delta 0 -> 50; GPU 1 -> [1000, 300]: F 300, delta 100 -> 52.49 -> 52
        ClusterState state = Nodes.state(NodeSpec.of("n", 8000, 8000, 2, "T4"));
        Nodes.use(state, "n", 0, 600);
        CycleContext cycle = CycleContext.of(PodRequest.of("p", 1000, 0, 1, 100), state);
        FgdScore paper = fgd(HALF, ScoringMode.PAPER);
        assertThat(paper.score(state, cycle, 0)).isEqualTo(52.0);
        assertThat(selector(paper).select(state, cycle, 0)).containsExactly(1);
    }

    @Test
    void gpusThatCannotHoldTheShareAreNotCandidates() {
        // Node GPUs [50, 1000], share 100. F before = 50 (GPU 1 fits type, GPU 0 too small).
        // GPU 1 -> [50, 900]: F 50, delta 0 -> 50. (GPU 0 would go to -50 and "gain" delta 100 -> 52.)
        ClusterState state = Nodes.state(NodeSpec.of("n", 8000, 8000, 2, "T4"));
        Nodes.use(state, "n", 950);
        CycleContext cycle = CycleContext.of(PodRequest.of("p", 1000, 0, 1, 100), state);
        for (ScoringMode mode : ScoringMode.values()) {
            FgdScore score = fgd(HALF, mode);
            assertThat(score.score(state, cycle, 0)).isEqualTo(50.0);
            assertThat(selector(score).select(state, cycle, 0)).containsExactly(1);
        }
    }

    @Test
    void equalGpusGoToTheLowestIndex() {
        // Node GPUs [600, 1000, 1000], share 300. GPU 0 -> 300 too small: delta -300 -> 42; GPUs 1 and 2 -> 50.
        ClusterState state = Nodes.state(NodeSpec.of("n", 8000, 8000, 3, "T4"));
        Nodes.use(state, "n", 400);
        CycleContext cycle = CycleContext.of(PodRequest.of("p", 1000, 0, 1, 300), state);
        for (ScoringMode mode : ScoringMode.values()) {
            assertThat(selector(fgd(HALF, mode)).select(state, cycle, 0)).containsExactly(1);
        }
    }

    @Test
    void schedulerPlacesOnTheNodeWithTheLeastFragmentationGrowth() {
        // Share 300 under HALF. a: GPUs [600] -> only GPU: [300] F 300, delta -300 -> 42.
        // b: GPUs [1000, 1000] -> [700, 1000] F 0, delta 0 -> 50. FGD chooses b, GPU 0 (BestFit would choose a).
        ClusterState state = Nodes.state(NodeSpec.of("a", 8000, 8000, 1, "T4"), NodeSpec.of("b", 8000, 8000, 2, "T4"));
        Nodes.use(state, "a", 400);
        Scheduler fgd = new Scheduler(state, Policy.FGD.profile(ScoringMode.PAPER, HALF, new SplittableRandom(1)));
        ScheduleResult r = fgd.schedule(PodRequest.of("p", 1000, 0, 1, 300));
        assertThat(r).isEqualTo(new ScheduleResult.Scheduled(
                new io.gantry.engine.GpuAllocation("p", "b", 1000, 0, List.of(0), 300)));
    }
}
