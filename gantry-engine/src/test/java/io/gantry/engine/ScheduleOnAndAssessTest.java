package io.gantry.engine;

import static io.gantry.engine.PlacementSchedulingTest.gpuPod;
import static io.gantry.engine.PlacementSchedulingTest.node;
import static io.gantry.engine.PlacementSchedulingTest.placedOn;
import static io.gantry.engine.PlacementSchedulingTest.scheduler;
import static io.gantry.engine.PlacementSchedulingTest.selector;
import static io.gantry.engine.PlacementSchedulingTest.unschedulable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.placement.Taint;
import io.gantry.engine.placement.Taint.Effect;
import io.gantry.engine.placement.Toleration;
import io.gantry.engine.plugins.NodePlacementFilter;
import io.gantry.engine.plugins.ClusterListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Scheduler#scheduleOn} places on the one node asked for; {@link Scheduler#assess} judges every node. */
class ScheduleOnAndAssessTest {

    private static final NodeSpec SMALL = NodeSpec.of("small", 4000, 32000, 2, "A100");

    /** Reserve calls, to see that scheduleOn reserves through the plugins and assess does not. */
    private static final class Recorder implements ClusterListener {
        final List<String> events = new ArrayList<>();

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void placed(ClusterState state, GpuAllocation allocation) {
            events.add("reserved " + allocation.podName() + " on " + allocation.nodeName());
        }

        @Override
        public void removed(ClusterState state, GpuAllocation allocation) {
            events.add("released " + allocation.podName());
        }
    }

    private static Scheduler recorded(Policy policy, Recorder recorder, NodeSpec... nodes) {
        ClusterState state = new ClusterState();
        for (NodeSpec n : nodes) {
            state.addNode(n);
        }
        TargetWorkload target = TargetWorkload.fromPods(List.of(PodRequest.of("t", 1000, 0, 1, 1000)));
        return new Scheduler(state, policy.profile(ScoringMode.PAPER, target, new SplittableRandom(3))
                .withListener(recorder));
    }

    private static Map<String, Integer> versions(ClusterState state) {
        Map<String, Integer> out = new HashMap<>();
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (state.isActive(slot)) {
                out.put(state.nodeName(slot), state.version(slot));
            }
        }
        return out;
    }

    // ---- scheduleOn ----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd"})
    void scheduleOnPlacesOnTheGivenNodeAndChargesIt(Policy policy) {
        Recorder recorder = new Recorder();
        Scheduler s = recorded(policy, recorder, SMALL, node("big"));
        ClusterSnapshot empty = ClusterSnapshot.of(s.state());
        int big = s.state().slotOf("big");

        ScheduleResult r = s.scheduleOn(PodRequest.of("p", 1500, 2500, 2, 1000), "big");
        GpuAllocation taken = ((ScheduleResult.Scheduled) r).allocation();
        // whole GPUs: the lowest-index free ones
        assertThat(taken).isEqualTo(new GpuAllocation("p", "big", 1500, 2500, List.of(0, 1), 1000));
        assertThat(s.allocation("p")).contains(taken);
        assertThat(ClusterSnapshot.node(s.state(), big)).isEqualTo(new ClusterSnapshot.NodeSnapshot(6500, 29500,
                NodeSpec.DEFAULT_MAX_PODS - 1, List.of(0, 0, 1000, 1000), 2000, List.of("p")));
        assertThat(ClusterSnapshot.node(s.state(), s.state().slotOf("small")))
                .isEqualTo(empty.nodes().get("small"));
        assertThat(s.state().usedGpuMilli()).isEqualTo(2000);
        assertThat(recorder.events).containsExactly("reserved p on big");

        assertThat(s.release("p")).contains(taken);
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(empty);
        assertThat(recorder.events).containsExactly("reserved p on big", "released p");
    }

    @Test
    void scheduleOnOverridesThePolicysPreference() {
        Scheduler s = scheduler(Policy.BESTFIT, SMALL, node("big"));
        assertThat(s.assess(gpuPod("x")).scores()).isEqualTo(Map.of("small", 100.0, "big", 0.0));
        assertThat(placedOn(s.scheduleOn(gpuPod("p"), "big"))).isEqualTo("big");
        assertThat(placedOn(s.schedule(gpuPod("q")))).isEqualTo("small");
    }

    @Test
    void scheduleOnChoosesTheGpuInsideTheNodeWithThePolicysSelector() {
        Scheduler s = scheduler(Policy.BESTFIT, SMALL, node("big"));
        s.recordPlaced(PodRequest.of("half", 0, 0, 1, 500), "big", List.of(2));
        // best fit: the tightest GPU that holds the share is GPU 2, with 500 left
        GpuAllocation a = ((ScheduleResult.Scheduled) s.scheduleOn(PodRequest.of("share", 100, 0, 1, 300), "big"))
                .allocation();
        assertThat(a.gpuIndices()).containsExactly(2);
        assertThat(s.state().gpuLeft(s.state().slotOf("big"), 2)).isEqualTo(200);
    }

    @Test
    void scheduleOnRespectsToleratedCordonAndTaints() {
        Taint gpu = new Taint("gpu", "yes", Effect.NO_SCHEDULE);
        Scheduler s = scheduler(Policy.FGD, node("cordoned").withUnschedulable(true),
                node("tainted").withTaints(List.of(gpu)));
        NodePlacement tolerant = new NodePlacement(Map.of(), List.of(), List.of(
                new Toleration(Taint.UNSCHEDULABLE_KEY, Toleration.Operator.EXISTS, null, Effect.NO_SCHEDULE),
                new Toleration("gpu", Toleration.Operator.EQUAL, "yes", Effect.NO_SCHEDULE)));
        assertThat(placedOn(s.scheduleOn(gpuPod("a").withPlacement(tolerant), "cordoned"))).isEqualTo("cordoned");
        assertThat(placedOn(s.scheduleOn(gpuPod("b").withPlacement(tolerant), "tainted"))).isEqualTo("tainted");
    }

    @Test
    void scheduleOnANodeThatDoesNotFitSaysWhyForThatNodeAlone() {
        Recorder recorder = new Recorder();
        Scheduler s = recorded(Policy.BESTFIT, recorder,
                node("open").withLabels(Map.of("pool", "ml")),
                node("cordoned").withLabels(Map.of("pool", "ml")).withUnschedulable(true),
                node("tainted").withLabels(Map.of("pool", "ml"))
                        .withTaints(List.of(new Taint("x", "", Effect.NO_EXECUTE))),
                node("web").withLabels(Map.of("pool", "web")),
                NodeSpec.of("tiny", 500, 32000, 4, "A100").withLabels(Map.of("pool", "ml")),
                NodeSpec.of("t4", 8000, 32000, 4, "T4").withLabels(Map.of("pool", "ml")),
                NodeSpec.of("cpu", 8000, 32000, 0, "").withLabels(Map.of("pool", "ml")));
        PodRequest pod = gpuPod("p").withPlacement(selector(Map.of("pool", "ml"))).withAllowedGpuModels(
                List.of("A100"));
        s.recordPlaced(PodRequest.of("hog", 0, 0, 4, 1000), "open", List.of(0, 1, 2, 3));
        recorder.events.clear();
        ClusterSnapshot before = ClusterSnapshot.of(s.state());

        Map<String, String> expected = Map.of(
                "open", "0/1 nodes are available: 1 Insufficient GPU.",
                "cordoned", "0/1 nodes are available: 1 node(s) were unschedulable.",
                "tainted", "0/1 nodes are available: 1 node(s) had untolerated taint {x: }.",
                "web", "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
                "tiny", "0/1 nodes are available: 1 Insufficient cpu.",
                "t4", "0/1 nodes are available: 1 node(s) didn't have the requested GPU model.",
                "cpu", "0/1 nodes are available: 1 node(s) had no GPU.");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ScheduleResult r = s.scheduleOn(pod, e.getKey());
            Explanation why = unschedulable(r);
            assertThat(((ScheduleResult.Unschedulable) r).podName()).isEqualTo("p");
            assertThat(why.totalNodes()).isEqualTo(1);
            assertThat(why.message()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(why.nodesByReason().values()).containsExactly(1);
        }
        // the reasons agree with assess
        Assessment a = s.assess(pod);
        assertThat(a.rejected()).containsOnlyKeys(expected.keySet());
        for (String name : expected.keySet()) {
            Explanation why = unschedulable(s.scheduleOn(pod, name));
            assertThat(why.nodesByReason()).isEqualTo(Map.of(a.rejected().get(name), 1));
        }
        // nothing was taken, nothing reserved
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
        assertThat(s.allocation("p")).isEmpty();
        assertThat(recorder.events).isEmpty();
    }

    @Test
    void scheduleOnAnUnknownNodeExplainsWithZeroNodes() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a"), node("gone"));
        s.removeNode("gone");
        ClusterSnapshot before = ClusterSnapshot.of(s.state());
        for (String name : List.of("nowhere", "gone", "")) {
            ScheduleResult r = s.scheduleOn(gpuPod("p"), name);
            Explanation e = unschedulable(r);
            assertThat(e.totalNodes()).isZero();
            assertThat(e.nodesByReason()).isEmpty();
            assertThat(e.message()).isEqualTo("no nodes available to schedule pods");
        }
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
        assertThat(s.allocation("p")).isEmpty();
        // the pod still fits elsewhere
        assertThat(placedOn(s.schedule(gpuPod("p")))).isEqualTo("a");
    }

    @Test
    void scheduleOnAPlacedPodThrowsAndChangesNothing() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a"), node("b"));
        placedOn(s.scheduleOn(gpuPod("p"), "a"));
        ClusterSnapshot before = ClusterSnapshot.of(s.state());
        assertThatThrownBy(() -> s.scheduleOn(gpuPod("p"), "b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("pod p is already placed on a");
        assertThatThrownBy(() -> s.scheduleOn(gpuPod("p"), "a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("pod p is already placed on a");
        assertThatThrownBy(() -> s.schedule(gpuPod("p")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
        assertThatThrownBy(() -> s.scheduleOn(null, "a")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void scheduleOnUntilTheNodeIsFull() {
        Scheduler s = scheduler(Policy.FGD, SMALL, node("big"));
        placedOn(s.scheduleOn(gpuPod("p1"), "small"));
        placedOn(s.scheduleOn(gpuPod("p2"), "small"));
        assertThat(unschedulable(s.scheduleOn(gpuPod("p3"), "small")).message())
                .isEqualTo("0/1 nodes are available: 1 Insufficient GPU.");
        s.release("p1");
        assertThat(placedOn(s.scheduleOn(gpuPod("p3"), "small"))).isEqualTo("small");
        assertThat(s.state().gpuLeftTotal(s.state().slotOf("small"))).isZero();
    }

    @Test
    void schedulingAfterScheduleOnSeesTheChargedNode() {
        // BestFit scores are cached per pod shape; a placement by scheduleOn must not leave a stale score
        Scheduler s = scheduler(Policy.BESTFIT, node("a"), node("b"));
        assertThat(placedOn(s.schedule(gpuPod("p1")))).isEqualTo("a"); // tie: a; caches both nodes' scores
        placedOn(s.scheduleOn(gpuPod("p2"), "b"));
        placedOn(s.scheduleOn(gpuPod("p3"), "b"));
        // b (2 GPUs left) is now tighter than a (3 left)
        assertThat(placedOn(s.schedule(gpuPod("p4")))).isEqualTo("b");
        assertThat(s.assess(gpuPod("x")).scores()).isEqualTo(Map.of("a", 0.0, "b", 100.0));
    }

    // ---- assess --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd", "dotprod", "gpupacking", "gpuclustering"})
    void assessJudgesEveryNodeAndChangesNothing(Policy policy) {
        Recorder recorder = new Recorder();
        Scheduler s = recorded(policy, recorder, node("open"), SMALL.withLabels(Map.of("pool", "ml")),
                node("cordoned").withLabels(Map.of("pool", "ml")).withUnschedulable(true),
                node("tainted").withLabels(Map.of("pool", "ml"))
                        .withTaints(List.of(new Taint("x", "1", Effect.NO_SCHEDULE))),
                node("ml").withLabels(Map.of("pool", "ml")),
                NodeSpec.of("cpu", 8000, 32000, 0, "").withLabels(Map.of("pool", "ml")));
        s.recordPlaced(PodRequest.of("hog", 7000, 0, 0, 0), "ml", List.of());
        s.recordPlaced(PodRequest.of("half", 0, 0, 1, 500), "small", List.of(1));
        s.release("hog"); // some history
        s.recordPlaced(PodRequest.of("hog", 7500, 0, 0, 0), "ml", List.of());
        recorder.events.clear();
        ClusterSnapshot before = ClusterSnapshot.of(s.state());
        Map<String, Integer> versionsBefore = versions(s.state());
        List<GpuAllocation> allocationsBefore = new ArrayList<>(s.allocations());

        PodRequest pod = gpuPod("p").withPlacement(selector(Map.of("pool", "ml")));
        Assessment a = s.assess(pod);
        assertThat(a.rejected()).isEqualTo(Map.of(
                "open", Reason.NODE_SELECTOR_MISMATCH,
                "cordoned", Reason.NODE_UNSCHEDULABLE,
                "tainted", NodePlacementFilter.untolerated(new Taint("x", "1", Effect.NO_SCHEDULE)),
                "ml", Reason.INSUFFICIENT_CPU,
                "cpu", Reason.NO_GPU));
        assertThat(a.scores()).containsOnlyKeys("small");
        assertThat(a.feasible("small")).isTrue();
        for (String n : a.rejected().keySet()) {
            assertThat(a.feasible(n)).as(n).isFalse();
        }
        assertThat(a.feasible("nowhere")).isFalse();

        // nothing placed, reserved or bumped
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
        assertThat(versions(s.state())).isEqualTo(versionsBefore);
        assertThat(s.allocations()).containsExactlyInAnyOrderElementsOf(allocationsBefore);
        assertThat(s.allocation("p")).isEmpty();
        assertThat(recorder.events).isEmpty();
        // asking twice gives the same answer, and the pod can then be scheduled where assess said
        assertThat(s.assess(pod)).isEqualTo(a);
        assertThat(placedOn(s.schedule(pod))).isEqualTo("small");
    }

    @Test
    void assessScoresAreTheNormalizedScoresTheSchedulerRanksBy() {
        Scheduler paper = scheduler(Policy.BESTFIT, SMALL, node("big"), node("full"));
        paper.recordPlaced(PodRequest.of("hog", 0, 0, 4, 1000), "full", List.of(0, 1, 2, 3));
        // BestFit raw: small 100*(1 - (3000/128000 + 1000/8000)/2) = 92.57.. -> 92; big 78.51.. -> 78;
        // paper mode rescales to 0..100 over the feasible nodes
        Assessment a = paper.assess(gpuPod("p"));
        assertThat(a.scores()).isEqualTo(Map.of("small", 100.0, "big", 0.0));
        assertThat(a.rejected()).isEqualTo(Map.of("full", Reason.INSUFFICIENT_GPU));

        ClusterState state = new ClusterState();
        state.addNode(SMALL);
        state.addNode(node("big"));
        Scheduler exact = new Scheduler(state, Policy.BESTFIT.profile(ScoringMode.EXACT, TargetWorkload.of(List.of()),
                new SplittableRandom(1)));
        Assessment e = exact.assess(gpuPod("p"));
        assertThat(e.scores().get("small")).isCloseTo(92.578125, within(1e-9));
        assertThat(e.scores().get("big")).isCloseTo(78.515625, within(1e-9));
        assertThat(placedOn(exact.schedule(gpuPod("p")))).isEqualTo("small");
    }

    @Test
    void assessWithOneOrNoFeasibleNode() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a").withUnschedulable(true), node("b"));
        Assessment one = s.assess(gpuPod("p"));
        assertThat(one.scores()).containsOnlyKeys("b");
        assertThat(one.rejected()).isEqualTo(Map.of("a", Reason.NODE_UNSCHEDULABLE));

        Assessment none = s.assess(PodRequest.of("big", 1000, 1000, 8, 1000));
        assertThat(none.scores()).isEmpty();
        assertThat(none.rejected()).isEqualTo(Map.of("a", Reason.NODE_UNSCHEDULABLE, "b", Reason.INSUFFICIENT_GPU));

        Scheduler emptyCluster = scheduler(Policy.FGD);
        assertThat(emptyCluster.assess(gpuPod("p"))).isEqualTo(new Assessment(Map.of(), Map.of()));
        assertThatThrownBy(() -> s.assess(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void assessSkipsRemovedNodesAndSeesAddedOnes() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a"), node("b"), node("c"));
        s.removeNode("b");
        assertThat(s.assess(gpuPod("p")).scores()).containsOnlyKeys("a", "c");
        s.addNode(node("d").withUnschedulable(true)); // reuses b's slot
        Assessment a = s.assess(gpuPod("p"));
        assertThat(a.scores()).containsOnlyKeys("a", "c");
        assertThat(a.rejected()).isEqualTo(Map.of("d", Reason.NODE_UNSCHEDULABLE));
    }

    @Test
    void assessmentIsAnImmutableCopy() {
        Map<String, Reason> rejected = new HashMap<>(Map.of("a", Reason.NO_GPU));
        Map<String, Double> scores = new HashMap<>(Map.of("b", 1.0));
        Assessment a = new Assessment(rejected, scores);
        rejected.clear();
        scores.clear();
        assertThat(a.rejected()).containsEntry("a", Reason.NO_GPU);
        assertThat(a.feasible("b")).isTrue();
        assertThat(a.feasible("a")).isFalse();
        assertThatThrownBy(() -> a.scores().put("c", 2.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new Assessment(null, Map.of())).isInstanceOf(NullPointerException.class);
    }
}
