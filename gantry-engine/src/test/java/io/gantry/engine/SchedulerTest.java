package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.plugins.BestFitGpuSelector;
import io.gantry.engine.plugins.GpuModelFilter;
import io.gantry.engine.plugins.ResourceFitFilter;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static final TargetWorkload NO_TARGET = TargetWorkload.of(List.of());

    private static Scheduler scheduler(Policy policy, NodeSpec... nodes) {
        ClusterState state = new ClusterState();
        for (NodeSpec n : nodes) {
            state.addNode(n);
        }
        return new Scheduler(state, policy.profile(ScoringMode.PAPER, NO_TARGET, new SplittableRandom(1)));
    }

    private static GpuAllocation placed(ScheduleResult r) {
        assertThat(r).isInstanceOf(ScheduleResult.Scheduled.class);
        return ((ScheduleResult.Scheduled) r).allocation();
    }

    private static Explanation unschedulable(ScheduleResult r) {
        assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
        return ((ScheduleResult.Unschedulable) r).explanation();
    }

    // ---- choosing the node ---------------------------------------------------------------------------------

    @Test
    void equalScoresGoToTheLowestTieRank() {
        // Three identical nodes: DotProd gives each the same score for a CPU-only pod.
        Scheduler s = scheduler(Policy.DOTPROD, NodeSpec.of("a", 8000, 8000, 1, "T4"),
                NodeSpec.of("b", 8000, 8000, 1, "T4"), NodeSpec.of("c", 8000, 8000, 1, "T4"));
        PodRequest pod = PodRequest.of("p", 1000, 0, 0, 0);
        // default ranks are the slots: a=0 wins
        assertThat(placed(s.schedule(pod)).nodeName()).isEqualTo("a");
        s.release("p");

        s.state().setTieRank("a", 2);
        s.state().setTieRank("b", 1);
        s.state().setTieRank("c", 0);
        assertThat(placed(s.schedule(pod)).nodeName()).isEqualTo("c");
        s.release("p");

        s.state().setTieRank("b", -1);
        assertThat(placed(s.schedule(pod)).nodeName()).isEqualTo("b");
    }

    @Test
    void aHigherScoreBeatsABetterTieRank() {
        // DotProd, CPU-only pod c=16000: score = int(100*(1 - (Lcpu/128000)*(16000/128000)/2))
        // a: Lcpu=128000 -> 1 - 0.125/2 = 0.9375 -> 93; b: Lcpu=32000 -> 1 - 0.25*0.125/2 = 0.984375 -> 98
        Scheduler s = scheduler(Policy.DOTPROD, NodeSpec.of("a", 128000, 8000, 1, "T4"),
                NodeSpec.of("b", 32000, 8000, 1, "T4"));
        s.state().setTieRank("a", 0);
        s.state().setTieRank("b", 100);
        assertThat(placed(s.schedule(PodRequest.of("p", 16000, 0, 0, 0))).nodeName()).isEqualTo("b");
    }

    /** A score plugin that must not be consulted. */
    private static final class CountingScore implements ScorePlugin {
        int preScores;
        int scores;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public void preScore(ClusterState state, CycleContext cycle, int[] feasible, int count) {
            preScores++;
        }

        @Override
        public double score(ClusterState state, CycleContext cycle, int node) {
            scores++;
            return node; // prefers the highest slot
        }

        @Override
        public boolean cacheable() {
            return false;
        }
    }

    @Test
    void aSingleFeasibleNodeIsChosenWithoutScoring() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("gpu", 8000, 8000, 2, "T4"));
        state.addNode(NodeSpec.of("cpu-only", 8000, 8000, 0, ""));
        CountingScore score = new CountingScore();
        Scheduler s = new Scheduler(state, SchedulingProfile.builder("t")
                .filter(new GpuModelFilter()).filter(new ResourceFitFilter()).score(score)
                .gpuSelector(new BestFitGpuSelector()).build());

        assertThat(placed(s.schedule(PodRequest.of("g", 100, 0, 1, 500))).nodeName()).isEqualTo("gpu");
        assertThat(score.preScores).isZero();
        assertThat(score.scores).isZero();

        // with two feasible nodes the score decides (it prefers slot 1) and is consulted once per node
        assertThat(placed(s.schedule(PodRequest.of("c", 100, 0, 0, 0))).nodeName()).isEqualTo("cpu-only");
        assertThat(score.preScores).isEqualTo(1);
        assertThat(score.scores).isEqualTo(2);
    }

    // ---- explanations --------------------------------------------------------------------------------------

    @Test
    void unschedulableExplainsInKubeSchedulerWords() {
        Scheduler s = scheduler(Policy.BESTFIT, NodeSpec.of("t1", 8000, 8000, 2, "T4"),
                NodeSpec.of("t2", 8000, 8000, 1, "T4"), NodeSpec.of("v", 8000, 8000, 4, "V100"));
        placed(s.schedule(PodRequest.of("full", 0, 0, 2, 1000).withAllowedGpuModels(List.of("T4")))); // t1 full
        placed(s.schedule(PodRequest.of("most", 0, 0, 1, 600).withAllowedGpuModels(List.of("T4")))); // t2: 400 left
        ClusterSnapshot before = ClusterSnapshot.of(s.state());

        PodRequest pod = PodRequest.of("p", 100, 0, 1, 500).withAllowedGpuModels(List.of("T4"));
        ScheduleResult r = s.schedule(pod);
        Explanation e = unschedulable(r);
        assertThat(((ScheduleResult.Unschedulable) r).podName()).isEqualTo("p");
        assertThat(e.message()).isEqualTo("0/3 nodes are available: 1 node(s) didn't have the requested GPU model, 2 Insufficient GPU.");
        assertThat(e.totalNodes()).isEqualTo(3);
        assertThat(e.nodesByReason()).isEqualTo(
                Map.of(Reason.INSUFFICIENT_GPU, 2, Reason.GPU_MODEL_MISMATCH, 1));
        assertThat(e.countsByMessage()).containsExactly(Map.entry("Insufficient GPU", 2),
                Map.entry("node(s) didn't have the requested GPU model", 1));
        assertThat(s.explain(pod)).contains(e);
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
        assertThat(s.allocation("p")).isEmpty();

        // a pod that fits somewhere has no explanation
        assertThat(s.explain(PodRequest.of("q", 100, 0, 1, 400))).isEmpty();
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
    }

    @Test
    void eachNodeCountsUnderEveryFaultOfTheFirstFailingFilterAsNodeResourcesFitReportsThem() {
        Scheduler s = scheduler(Policy.GPUPACKING,
                NodeSpec.of("small-nogpu", 500, 8000, 0, ""), // lacks CPU and GPU: counted under both
                NodeSpec.of("small", 500, 8000, 1, "T4"), // lacks CPU
                NodeSpec.of("nogpu", 8000, 8000, 0, ""), // no GPU
                new NodeSpec("full", 8000, 8000, 1, "T4", 0), // no pod slot
                NodeSpec.of("nomem", 8000, 100, 1, "T4")); // lacks memory
        Explanation e = unschedulable(s.schedule(PodRequest.of("p", 1000, 200, 1, 1000)));
        assertThat(e.message()).isEqualTo("0/5 nodes are available: 1 Insufficient memory, 1 Too many pods,"
                + " 2 Insufficient cpu, 2 node(s) had no GPU.");
        assertThat(e.nodesByReason().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
        assertThat(s.assess(PodRequest.of("p", 1000, 200, 1, 1000)).rejected().get("small-nogpu"))
                .isEqualTo(Reason.allOf(java.util.List.of(Reason.INSUFFICIENT_CPU, Reason.NO_GPU)))
                .satisfies(r -> assertThat(r.message()).isEqualTo("Insufficient cpu, node(s) had no GPU"));
    }

    @Test
    void anEmptyClusterSaysSo() {
        Scheduler s = scheduler(Policy.FGD);
        Explanation e = unschedulable(s.schedule(PodRequest.of("p", 1, 1, 0, 0)));
        assertThat(e.message()).isEqualTo("no nodes available to schedule pods");
        assertThat(s.explain(PodRequest.of("p", 1, 1, 0, 0))).contains(e);
    }

    // ---- pods ----------------------------------------------------------------------------------------------

    @Test
    void releaseReturnsExactlyWhatWasTaken() {
        Scheduler s = scheduler(Policy.BESTFIT, NodeSpec.of("a", 8000, 16000, 4, "T4"));
        ClusterSnapshot empty = ClusterSnapshot.of(s.state());
        placed(s.schedule(PodRequest.of("other", 1000, 1000, 1, 1000)));
        ClusterSnapshot before = ClusterSnapshot.of(s.state());

        GpuAllocation taken = placed(s.schedule(PodRequest.of("p", 1500, 2500, 1, 300)));
        // best fit: the other pod took GPU 0 whole; GPU 1 is the lowest free one that holds 300
        assertThat(taken).isEqualTo(new GpuAllocation("p", "a", 1500, 2500, List.of(1), 300));
        assertThat(s.allocation("p")).contains(taken);

        assertThat(s.release("p")).contains(taken);
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
        assertThat(s.allocation("p")).isEmpty();
        assertThat(s.release("p")).isEmpty();
        assertThat(s.release("never")).isEmpty();
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);

        s.release("other");
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(empty);
        assertThat(s.allocations()).isEmpty();
    }

    @Test
    void schedulingAPodNameTwiceThrows() {
        Scheduler s = scheduler(Policy.DOTPROD, NodeSpec.of("a", 8000, 8000, 2, "T4"));
        placed(s.schedule(PodRequest.of("p", 100, 0, 1, 200)));
        ClusterSnapshot before = ClusterSnapshot.of(s.state());
        assertThatThrownBy(() -> s.schedule(PodRequest.of("p", 100, 0, 0, 0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("pod p is already placed on a");
        assertThatThrownBy(() -> s.recordPlaced(PodRequest.of("p", 100, 0, 0, 0), "a", List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("pod p is already placed on a");
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
        // once released, the name can be scheduled again
        s.release("p");
        placed(s.schedule(PodRequest.of("p", 100, 0, 0, 0)));
    }

    @Test
    void recordPlacedTakesTheGivenGpusWithoutFitChecks() {
        Scheduler s = scheduler(Policy.GPUCLUSTERING, NodeSpec.of("a", 4000, 8000, 2, "T4"),
                NodeSpec.of("b", 4000, 8000, 2, "T4"));
        GpuAllocation share = s.recordPlaced(PodRequest.of("share", 3000, 1000, 1, 700), "b", List.of(1));
        assertThat(share).isEqualTo(new GpuAllocation("share", "b", 3000, 1000, List.of(1), 700));
        int b = s.state().slotOf("b");
        assertThat(ClusterSnapshot.node(s.state(), b)).isEqualTo(new ClusterSnapshot.NodeSnapshot(1000, 7000,
                NodeSpec.DEFAULT_MAX_PODS - 1, List.of(1000, 300), 1300, List.of("share")));
        assertThat(s.allocation("share")).contains(share);

        // overcommit: the cluster is the truth
        s.recordPlaced(PodRequest.of("big", 3000, 0, 0, 0), "b", List.of());
        assertThat(s.state().cpuLeft(b)).isEqualTo(-2000);
        // b now fits nothing; the next pod must go to a
        assertThat(placed(s.schedule(PodRequest.of("c", 1, 0, 0, 0))).nodeName()).isEqualTo("a");
        assertThat(s.explain(PodRequest.of("x", 1, 0, 0, 0))).isEmpty(); // a still fits
        s.release("c");
        s.release("share");
        s.release("big");
        assertThat(ClusterSnapshot.node(s.state(), b)).isEqualTo(new ClusterSnapshot.NodeSnapshot(4000, 8000,
                NodeSpec.DEFAULT_MAX_PODS, List.of(1000, 1000), 2000, List.of()));

        assertThatThrownBy(() -> s.recordPlaced(PodRequest.of("n", 0, 0, 2, 1000), "a", List.of(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asks for 2 GPUs but 1 are recorded");
        assertThatThrownBy(() -> s.recordPlaced(PodRequest.of("n", 0, 0, 0, 0), "nowhere", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no node named nowhere");
        assertThat(s.allocation("n")).isEmpty();
    }

    @Test
    void removeNodeDropsThePodsOnIt() {
        Scheduler s = scheduler(Policy.BESTFIT, NodeSpec.of("a", 8000, 8000, 2, "T4"),
                NodeSpec.of("b", 8000, 8000, 2, "T4"));
        GpuAllocation a1 = s.recordPlaced(PodRequest.of("a1", 100, 0, 1, 300), "a", List.of(0));
        GpuAllocation a2 = s.recordPlaced(PodRequest.of("a2", 100, 0, 1, 1000), "a", List.of(1));
        GpuAllocation b1 = s.recordPlaced(PodRequest.of("b1", 100, 0, 1, 500), "b", List.of(1));
        assertThat(s.state().usedGpuMilli()).isEqualTo(1800);

        assertThat(s.removeNode("a")).containsExactlyInAnyOrder(a1, a2);
        assertThat(s.allocations()).containsExactly(b1);
        assertThat(s.allocation("a1")).isEmpty();
        assertThat(s.release("a2")).isEmpty();
        assertThat(s.state().hasNode("a")).isFalse();
        assertThat(s.state().usedGpuMilli()).isEqualTo(500);
        assertThat(s.state().totalGpuMilli()).isEqualTo(2000);
        // the dropped names are free again, and b1 is untouched
        assertThat(placed(s.schedule(PodRequest.of("a1", 100, 0, 1, 300))).nodeName()).isEqualTo("b");
        assertThat(s.allocation("b1")).contains(b1);
        assertThatThrownBy(() -> s.removeNode("a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void updateNodeKeepsPlacements() {
        Scheduler s = scheduler(Policy.BESTFIT, NodeSpec.of("n", 8000, 8000, 2, "T4"));
        GpuAllocation p = placed(s.schedule(PodRequest.of("p", 2000, 1000, 1, 300)));
        assertThat(p.gpuIndices()).containsExactly(0);

        s.updateNode(NodeSpec.of("n", 16000, 32000, 4, "A100"));
        int n = s.state().slotOf("n");
        assertThat(ClusterSnapshot.node(s.state(), n)).isEqualTo(new ClusterSnapshot.NodeSnapshot(14000, 31000,
                NodeSpec.DEFAULT_MAX_PODS - 1, List.of(700, 1000, 1000, 1000), 3700, List.of("p")));
        assertThat(s.state().usedGpuMilli()).isEqualTo(300);
        assertThat(s.state().totalGpuMilli()).isEqualTo(4000);
        assertThat(s.state().modelName(s.state().modelId(n))).isEqualTo("A100");
        assertThat(s.allocation("p")).contains(p);

        // shrinking below what is placed keeps the pod; the node then fits nothing more
        s.updateNode(NodeSpec.of("n", 1000, 32000, 1, "A100"));
        assertThat(s.state().cpuLeft(n)).isEqualTo(-1000);
        assertThat(s.state().gpuLeft(n, 0)).isEqualTo(700);
        assertThat(unschedulable(s.schedule(PodRequest.of("q", 1, 0, 0, 0))).message())
                .isEqualTo("0/1 nodes are available: 1 Insufficient cpu.");

        s.updateNode(NodeSpec.of("n", 16000, 32000, 4, "A100"));
        assertThat(s.release("p")).contains(p);
        assertThat(ClusterSnapshot.node(s.state(), n)).isEqualTo(new ClusterSnapshot.NodeSnapshot(16000, 32000,
                NodeSpec.DEFAULT_MAX_PODS, List.of(1000, 1000, 1000, 1000), 4000, List.of()));
        assertThat(s.state().usedGpuMilli()).isZero();
    }

    // ---- score cache ---------------------------------------------------------------------------------------

    @Test
    void aPlacementInvalidatesTheCachedScoreOfItsNode() {
        // GpuPacking, share 500, paper mode.
        // x: GPUs [500, 1000] -> case (iii): 100 - int(500*100/1000)/10 = 100 - 5 = 95
        // y: GPUs [700, 1000] -> case (iii): 100 - int(700*100/1000)/10 = 100 - 7 = 93
        Scheduler s = scheduler(Policy.GPUPACKING, NodeSpec.of("x", 8000, 8000, 2, "T4"),
                NodeSpec.of("y", 8000, 8000, 2, "T4"));
        s.recordPlaced(PodRequest.of("rx", 0, 0, 1, 500), "x", List.of(0));
        s.recordPlaced(PodRequest.of("ry", 0, 0, 1, 300), "y", List.of(0));
        PodRequest shape = PodRequest.of("p1", 100, 0, 1, 500);
        GpuAllocation p1 = placed(s.schedule(shape));
        assertThat(p1.nodeName()).isEqualTo("x");
        assertThat(p1.gpuIndices()).containsExactly(0);
        // x is now [0, 1000]: case (ii), one free GPU used -> max(50 - 1, 33) = 49 < 93 for y.
        // A stale cached 95 for x would send p2 to x.
        GpuAllocation p2 = placed(s.schedule(shape.withName("p2")));
        assertThat(p2.nodeName()).isEqualTo("y");
        assertThat(p2.gpuIndices()).containsExactly(0);
    }

    @Test
    void scoresAreCachedPerPodShape() {
        // DotProd, paper mode, all GPUs free. score = int(100*(1 - (Lcpu/128000*c/128000 + Ltot/8000*R/8000)/2))
        // shape s1 = (cpu 0, 1 whole GPU): a (2 GPUs): 1 - (0.25*0.125)/2 = 0.984375 -> 98
        //                                  b (4 GPUs): 1 - (0.5*0.125)/2 = 0.96875 -> 96
        //                                  c (1 GPU, cpu 1000): 1 - (0.125*0.125)/2 = 0.9921875 -> 99, so s1 goes to c
        // shape s2 = (cpu 16000, 1 whole GPU): a: 1 - (1*0.125 + 0.25*0.125)/2 = 0.921875 -> 92
        //                                      b: 1 - (0.125*0.125 + 0.5*0.125)/2 = 0.9609375 -> 96; c lacks CPU
        // Scores cached for s1 (a 98 > b 96) would send s2 to a.
        Scheduler s = scheduler(Policy.DOTPROD, NodeSpec.of("a", 128000, 8000, 2, "T4"),
                NodeSpec.of("b", 16000, 8000, 4, "T4"), NodeSpec.of("c", 1000, 8000, 1, "T4"));
        assertThat(placed(s.schedule(PodRequest.of("s1", 0, 0, 1, 1000))).nodeName()).isEqualTo("c");
        assertThat(placed(s.schedule(PodRequest.of("s2", 16000, 0, 1, 1000))).nodeName()).isEqualTo("b");
    }

    @Test
    void aReplacedNodeInAReusedSlotIsScoredAfresh() {
        // GpuPacking, share 500. x: [500, 1000] -> 95; y: [700, 1000] -> 93 (as above)
        Scheduler s = scheduler(Policy.GPUPACKING, NodeSpec.of("x", 8000, 8000, 2, "T4"),
                NodeSpec.of("y", 8000, 8000, 2, "T4"));
        s.recordPlaced(PodRequest.of("rx", 0, 0, 1, 500), "x", List.of(0));
        s.recordPlaced(PodRequest.of("ry", 0, 0, 1, 300), "y", List.of(0));
        assertThat(placed(s.schedule(PodRequest.of("p1", 100, 0, 1, 500))).nodeName()).isEqualTo("x");
        s.release("p1"); // x back to 95, cached for this shape on the next cycle
        assertThat(placed(s.schedule(PodRequest.of("p2", 100, 0, 1, 500))).nodeName()).isEqualTo("x");
        s.release("p2");
        // replace x by an idle 8-GPU node z in the same slot: max(33 - 8, 8) = 25 < 93
        s.removeNode("x");
        s.addNode(NodeSpec.of("z", 8000, 8000, 8, "T4"));
        assertThat(s.state().slotOf("z")).isZero();
        assertThat(placed(s.schedule(PodRequest.of("p3", 100, 0, 1, 500))).nodeName()).isEqualTo("y");
    }

    @Test
    void explainDoesNotConsumeRandomDraws() {
        // Random: explain() only filters; two schedulers fed the same seed stay in step when one also explains.
        Scheduler plain = scheduler(Policy.RANDOM, NodeSpec.of("a", 8000, 8000, 1, "T4"),
                NodeSpec.of("b", 8000, 8000, 1, "T4"), NodeSpec.of("c", 8000, 8000, 1, "T4"));
        Scheduler explaining = scheduler(Policy.RANDOM, NodeSpec.of("a", 8000, 8000, 1, "T4"),
                NodeSpec.of("b", 8000, 8000, 1, "T4"), NodeSpec.of("c", 8000, 8000, 1, "T4"));
        for (int i = 0; i < 20; i++) {
            PodRequest pod = PodRequest.of("p" + i, 100, 0, 0, 0);
            assertThat(explaining.explain(pod)).isEqualTo(Optional.empty());
            assertThat(placed(explaining.schedule(pod)).nodeName()).isEqualTo(placed(plain.schedule(pod)).nodeName());
        }
    }
}
