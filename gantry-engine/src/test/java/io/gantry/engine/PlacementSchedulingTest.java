package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.placement.NodeSelectorRequirement;
import io.gantry.engine.placement.NodeSelectorRequirement.Operator;
import io.gantry.engine.placement.NodeSelectorTerm;
import io.gantry.engine.placement.Taint;
import io.gantry.engine.placement.Taint.Effect;
import io.gantry.engine.placement.Toleration;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.NodePlacementFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The placement rules through a whole scheduler (NodeUnschedulable, TaintToleration and NodeAffinity, in front of
 * the resource filters), with the BestFit and FGD profiles. Each case is built so that, without the rule, the
 * policy would pick the node the rule forbids.
 */
class PlacementSchedulingTest {

    /** Target workload for FGD: whole GPUs and half GPUs. */
    private static final TargetWorkload TARGET = TargetWorkload.fromPods(List.of(
            PodRequest.of("t1", 1000, 0, 1, 1000), PodRequest.of("t2", 1000, 0, 1, 500),
            PodRequest.of("t3", 1000, 0, 1, 500)));

    private static final Taint CORDON = new Taint(Taint.UNSCHEDULABLE_KEY, "", Effect.NO_SCHEDULE);

    static Scheduler scheduler(Policy policy, NodeSpec... nodes) {
        ClusterState state = new ClusterState();
        for (NodeSpec n : nodes) {
            state.addNode(n);
        }
        return new Scheduler(state, policy.profile(ScoringMode.PAPER, TARGET, new SplittableRandom(7)));
    }

    static NodeSpec node(String name) {
        return NodeSpec.of(name, 8000, 32000, 4, "A100");
    }

    static String placedOn(ScheduleResult r) {
        assertThat(r).isInstanceOf(ScheduleResult.Scheduled.class);
        return ((ScheduleResult.Scheduled) r).allocation().nodeName();
    }

    static Explanation unschedulable(ScheduleResult r) {
        assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
        return ((ScheduleResult.Unschedulable) r).explanation();
    }

    static PodRequest gpuPod(String name) {
        return PodRequest.of(name, 1000, 1000, 1, 1000);
    }

    static NodePlacement selector(Map<String, String> labels) {
        return new NodePlacement(labels, List.of(), List.of());
    }

    static NodePlacement tolerations(Toleration... tolerations) {
        return new NodePlacement(Map.of(), List.of(), List.of(tolerations));
    }

    static NodeSelectorRequirement req(String key, Operator op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    // ---- wiring --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("io.gantry.engine.PolicyRegistryTest#standardPolicies")
    void everyPolicyFiltersPlacementFirst(Policy policy) {
        List<FilterPlugin> filters = policy.profile(ScoringMode.PAPER, TARGET, new SplittableRandom(1)).filters();
        assertThat(filters.get(0)).isInstanceOf(NodePlacementFilter.class);
        assertThat(filters.get(0).name()).isEqualTo("NodePlacement");
        assertThat(filters.stream().filter(f -> f instanceof NodePlacementFilter)).hasSize(1);
    }

    // ---- node selector and affinity ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd"})
    void podsWithASelectorLandOnlyOnMatchingNodes(Policy policy) {
        Scheduler s = scheduler(policy, node("a"), node("b").withLabels(Map.of("gpu", "a100", "zone", "z1")),
                node("c").withLabels(Map.of("gpu", "t4")));
        // without rules the identical empty nodes tie and the first one wins
        assertThat(placedOn(s.schedule(gpuPod("plain")))).isEqualTo("a");
        s.release("plain");

        NodePlacement onA100 = selector(Map.of("gpu", "a100"));
        for (int i = 0; i < 4; i++) {
            assertThat(placedOn(s.schedule(gpuPod("p" + i).withPlacement(onA100)))).isEqualTo("b");
        }
        // b's four GPUs are taken; the others do not match
        Explanation e = unschedulable(s.schedule(gpuPod("p4").withPlacement(onA100)));
        assertThat(e.message()).isEqualTo(
                "0/3 nodes are available: 1 Insufficient GPU, 2 node(s) didn't match Pod's node affinity/selector.");
        assertThat(s.allocation("p4")).isEmpty();
        // pods without rules still go anywhere
        assertThat(placedOn(s.schedule(gpuPod("plain")))).isIn("a", "c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd"})
    void requiredAffinityTermsAreOredAndMatchFieldsSeeTheNodeName(Policy policy) {
        Scheduler s = scheduler(policy, node("a").withLabels(Map.of("gen", "7")),
                node("b").withLabels(Map.of("gen", "8")), node("c").withLabels(Map.of("gen", "9")),
                node("d").withLabels(Map.of("gen", "new")));
        NodePlacement rules = new NodePlacement(Map.of(), List.of(
                new NodeSelectorTerm(List.of(req("gen", Operator.GT, "8")), List.of()),
                new NodeSelectorTerm(List.of(), List.of(req("metadata.name", Operator.IN, "a")))), List.of());
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            nodes.add(placedOn(s.schedule(gpuPod("p" + i).withPlacement(rules))));
        }
        assertThat(nodes).containsOnly("a", "c");
        assertThat(nodes.stream().filter("a"::equals)).hasSize(4);
        assertThat(nodes.stream().filter("c"::equals)).hasSize(4);
        assertThat(unschedulable(s.schedule(gpuPod("p8").withPlacement(rules))).message()).isEqualTo(
                "0/4 nodes are available: 2 Insufficient GPU, 2 node(s) didn't match Pod's node affinity/selector.");
    }

    @Test
    void aSelectorAndAffinityMustBothHold() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a").withLabels(Map.of("zone", "z1", "gpu", "t4")),
                node("b").withLabels(Map.of("zone", "z2", "gpu", "a100")),
                node("c").withLabels(Map.of("zone", "z1", "gpu", "a100")));
        NodePlacement rules = new NodePlacement(Map.of("zone", "z1"),
                List.of(new NodeSelectorTerm(List.of(req("gpu", Operator.IN, "a100", "h100")), List.of())), List.of());
        Assessment a = s.assess(gpuPod("p").withPlacement(rules));
        assertThat(a.scores()).containsOnlyKeys("c");
        assertThat(a.rejected()).isEqualTo(Map.of("a", Reason.NODE_SELECTOR_MISMATCH,
                "b", Reason.NODE_SELECTOR_MISMATCH));
        assertThat(placedOn(s.schedule(gpuPod("p").withPlacement(rules)))).isEqualTo("c");
    }

    // ---- cordoned nodes ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd"})
    void aCordonedNodeIsAvoidedUnlessThePodToleratesIt(Policy policy) {
        Scheduler s = scheduler(policy, node("cordoned").withUnschedulable(true), node("open"));
        // the cordoned node comes first, so it would win every tie
        assertThat(placedOn(s.schedule(gpuPod("plain")))).isEqualTo("open");
        s.release("plain");

        Toleration exact = new Toleration(Taint.UNSCHEDULABLE_KEY, Toleration.Operator.EXISTS, null,
                Effect.NO_SCHEDULE);
        Toleration equalEmpty = new Toleration(Taint.UNSCHEDULABLE_KEY, Toleration.Operator.EQUAL, "", null);
        Toleration everything = new Toleration(null, Toleration.Operator.EXISTS, null, null);
        for (Toleration t : List.of(exact, equalEmpty, everything)) {
            assertThat(placedOn(s.schedule(gpuPod("t").withPlacement(tolerations(t))))).as(t.toString())
                    .isEqualTo("cordoned");
            s.release("t");
        }

        Toleration wrongEffect = new Toleration(Taint.UNSCHEDULABLE_KEY, Toleration.Operator.EXISTS, null,
                Effect.NO_EXECUTE);
        Toleration wrongValue = new Toleration(Taint.UNSCHEDULABLE_KEY, Toleration.Operator.EQUAL, "true", null);
        Toleration otherKey = new Toleration("node.kubernetes.io/not-ready", Toleration.Operator.EXISTS, null, null);
        for (Toleration t : List.of(wrongEffect, wrongValue, otherKey)) {
            assertThat(placedOn(s.schedule(gpuPod("t").withPlacement(tolerations(t))))).as(t.toString())
                    .isEqualTo("open");
            s.release("t");
        }
    }

    @Test
    void aFullOpenNodeLeavesNothingForAnUntoleratingPod() {
        Scheduler s = scheduler(Policy.BESTFIT, node("cordoned").withUnschedulable(true), node("open"));
        for (int i = 0; i < 4; i++) {
            assertThat(placedOn(s.schedule(gpuPod("p" + i)))).isEqualTo("open");
        }
        Explanation e = unschedulable(s.schedule(gpuPod("p4")));
        assertThat(e.message()).isEqualTo("0/2 nodes are available: 1 Insufficient GPU, 1 node(s) were unschedulable.");
        assertThat(e.nodesByReason()).isEqualTo(Map.of(Reason.INSUFFICIENT_GPU, 1, Reason.NODE_UNSCHEDULABLE, 1));
        assertThat(s.explain(gpuPod("p4"))).contains(e);
    }

    @Test
    void cordoningAndUncordoningThroughUpdateNode() {
        NodeSpec small = NodeSpec.of("small", 4000, 32000, 2, "A100");
        Scheduler s = scheduler(Policy.BESTFIT, small, node("big"));
        // best fit prefers the smaller node
        assertThat(placedOn(s.schedule(gpuPod("p1")))).isEqualTo("small");
        s.updateNode(small.withUnschedulable(true));
        // what was placed stays placed; new pods go elsewhere
        assertThat(s.allocation("p1").orElseThrow().nodeName()).isEqualTo("small");
        assertThat(placedOn(s.schedule(gpuPod("p2")))).isEqualTo("big");
        assertThat(s.assess(gpuPod("x")).rejected()).isEqualTo(Map.of("small", Reason.NODE_UNSCHEDULABLE));
        s.updateNode(small);
        assertThat(placedOn(s.schedule(gpuPod("p3")))).isEqualTo("small");
        assertThat(s.state().cpuLeft(s.state().slotOf("small"))).isEqualTo(2000);
    }

    @Test
    void relabellingANodeThroughUpdateNodeChangesWhereSelectedPodsGo() {
        NodeSpec a = node("a");
        Scheduler s = scheduler(Policy.FGD, a, node("b").withLabels(Map.of("pool", "ml")));
        NodePlacement ml = selector(Map.of("pool", "ml"));
        assertThat(placedOn(s.schedule(gpuPod("p1").withPlacement(ml)))).isEqualTo("b");
        s.updateNode(a.withLabels(Map.of("pool", "ml")));
        assertThat(s.assess(gpuPod("x").withPlacement(ml)).scores()).containsOnlyKeys("a", "b");
        s.updateNode(s.state().spec(s.state().slotOf("b")).withLabels(Map.of()));
        assertThat(placedOn(s.schedule(gpuPod("p2").withPlacement(ml)))).isEqualTo("a");
        assertThat(s.allocation("p1").orElseThrow().nodeName()).isEqualTo("b");
    }

    // ---- taints --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd"})
    void noScheduleAndNoExecuteTaintsKeepOffPodsThatDoNotTolerateThem(Policy policy) {
        Taint gpuOnly = new Taint("nvidia.com/gpu", "present", Effect.NO_SCHEDULE);
        Taint evict = new Taint("maintenance", "", Effect.NO_EXECUTE);
        Scheduler s = scheduler(policy, node("noschedule").withTaints(List.of(gpuOnly)),
                node("noexecute").withTaints(List.of(evict)), node("open"));
        assertThat(placedOn(s.schedule(gpuPod("plain")))).isEqualTo("open");
        s.release("plain");

        Toleration gpu = new Toleration("nvidia.com/gpu", Toleration.Operator.EQUAL, "present", Effect.NO_SCHEDULE);
        assertThat(placedOn(s.schedule(gpuPod("g").withPlacement(tolerations(gpu))))).isEqualTo("noschedule");
        s.release("g");
        Toleration maintenance = new Toleration("maintenance", Toleration.Operator.EXISTS, null, Effect.NO_EXECUTE);
        assertThat(placedOn(s.schedule(gpuPod("m").withPlacement(tolerations(maintenance)))))
                .isEqualTo("noexecute");
        s.release("m");

        Assessment a = s.assess(gpuPod("x").withPlacement(tolerations(gpu)));
        assertThat(a.rejected()).isEqualTo(Map.of("noexecute", NodePlacementFilter.untolerated(
                new Taint("maintenance", "", Effect.NO_EXECUTE))));
        assertThat(a.scores()).containsOnlyKeys("noschedule", "open");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd"})
    void preferNoScheduleTaintsDoNotFilter(Policy policy) {
        Scheduler s = scheduler(policy, node("spot").withTaints(List.of(new Taint("spot", "", Effect.PREFER_NO_SCHEDULE))),
                node("open"));
        // a preference only: the first node still wins the tie
        assertThat(placedOn(s.schedule(gpuPod("p")))).isEqualTo("spot");
        assertThat(s.assess(gpuPod("x")).rejected()).isEmpty();
    }

    @Test
    void everyFilteringTaintOfANodeMustBeTolerated() {
        Taint t1 = new Taint("a", "1", Effect.NO_SCHEDULE);
        Taint t2 = new Taint("b", "2", Effect.NO_EXECUTE);
        Scheduler s = scheduler(Policy.BESTFIT, node("tainted").withTaints(List.of(t1, t2)));
        Toleration tol1 = new Toleration("a", Toleration.Operator.EQUAL, "1", null);
        Toleration tol2 = new Toleration("b", Toleration.Operator.EXISTS, null, null);
        assertThat(unschedulable(s.schedule(gpuPod("p").withPlacement(tolerations(tol1)))).message())
                .isEqualTo("0/1 nodes are available: 1 node(s) had untolerated taint {b: 2}.");
        assertThat(unschedulable(s.schedule(gpuPod("p").withPlacement(tolerations(tol2)))).message())
                .isEqualTo("0/1 nodes are available: 1 node(s) had untolerated taint {a: 1}.");
        assertThat(placedOn(s.schedule(gpuPod("p").withPlacement(tolerations(tol2, tol1))))).isEqualTo("tainted");
    }

    // ---- explanations --------------------------------------------------------------------------------------

    @Test
    void explanationCountsEachPlacementReason() {
        Scheduler s = scheduler(Policy.BESTFIT,
                node("cordoned").withLabels(Map.of("pool", "ml")).withUnschedulable(true),
                node("tainted").withLabels(Map.of("pool", "ml"))
                        .withTaints(List.of(new Taint("dedicated", "db", Effect.NO_SCHEDULE))),
                node("elsewhere").withLabels(Map.of("pool", "web")));
        PodRequest pod = gpuPod("p").withPlacement(selector(Map.of("pool", "ml")));
        ClusterSnapshot before = ClusterSnapshot.of(s.state());
        Explanation e = unschedulable(s.schedule(pod));
        assertThat(e.message()).isEqualTo("0/3 nodes are available: 1 node(s) didn't match Pod's node"
                + " affinity/selector, 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) were unschedulable.");
        assertThat(e.nodesByReason()).isEqualTo(Map.of(Reason.NODE_UNSCHEDULABLE, 1,
                NodePlacementFilter.untolerated(new Taint("dedicated", "db", Effect.NO_SCHEDULE)), 1,
                Reason.NODE_SELECTOR_MISMATCH, 1));
        assertThat(s.explain(pod)).contains(e);
        assertThat(ClusterSnapshot.of(s.state())).isEqualTo(before);
    }

    @Test
    void eachNodeCountsOnceUnderTheFirstFailingRuleAndPlacementComesBeforeResources() {
        Taint db = new Taint("dedicated", "db", Effect.NO_SCHEDULE);
        Scheduler s = scheduler(Policy.FGD,
                // cordoned, tainted, mismatched and too small: counted as unschedulable
                NodeSpec.of("all-wrong", 100, 100, 0, "").withTaints(List.of(db)).withUnschedulable(true),
                // tainted, mismatched and too small: counted as a taint
                NodeSpec.of("tainted", 100, 100, 0, "").withTaints(List.of(db)),
                // mismatched and too small: counted as a selector mismatch
                NodeSpec.of("mismatch", 100, 100, 0, ""),
                // matches; a PreferNoSchedule taint does not filter; too little CPU
                NodeSpec.of("small", 100, 32000, 4, "A100").withLabels(Map.of("pool", "ml"))
                        .withTaints(List.of(new Taint("spot", "", Effect.PREFER_NO_SCHEDULE))),
                // matches and has room for CPU and memory, but no GPU
                NodeSpec.of("cpu-only", 8000, 32000, 0, "").withLabels(Map.of("pool", "ml")));
        PodRequest pod = gpuPod("p").withPlacement(selector(Map.of("pool", "ml")));
        Explanation e = unschedulable(s.schedule(pod));
        assertThat(e.message()).isEqualTo("0/5 nodes are available: 1 Insufficient cpu,"
                + " 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had no GPU,"
                + " 1 node(s) had untolerated taint {dedicated: db},"
                + " 1 node(s) were unschedulable.");
        assertThat(s.assess(pod).rejected()).isEqualTo(Map.of("all-wrong", Reason.NODE_UNSCHEDULABLE,
                "tainted", NodePlacementFilter.untolerated(db), "mismatch", Reason.NODE_SELECTOR_MISMATCH,
                "small", Reason.INSUFFICIENT_CPU, "cpu-only", Reason.NO_GPU));
    }

    @Test
    void reasonsAreOrderedAsKubeSchedulerOrdersThemAsStringsAndEachTaintIsNamed() {
        Scheduler s = scheduler(Policy.BESTFIT, node("c1").withUnschedulable(true), node("c2").withUnschedulable(true),
                node("m1"), node("t1").withTaints(List.of(new Taint("x", "", Effect.NO_EXECUTE))),
                node("t2").withTaints(List.of(new Taint("x", "", Effect.NO_SCHEDULE))),
                node("t3").withTaints(List.of(new Taint("y", "", Effect.NO_SCHEDULE))).withLabels(Map.of("k", "v")));
        PodRequest pod = gpuPod("p").withPlacement(selector(Map.of("k", "v")));
        // FitError.Error sorts the "count reason" strings as strings
        assertThat(unschedulable(s.schedule(pod)).message()).isEqualTo("0/6 nodes are available:"
                + " 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {y: },"
                + " 2 node(s) had untolerated taint {x: }, 2 node(s) were unschedulable.");
    }

    // ---- the data types ------------------------------------------------------------------------------------

    @Test
    void nodeSpecCarriesLabelsTaintsAndCordon() {
        NodeSpec plain = NodeSpec.of("n", 1000, 1000, 1, "T4");
        assertThat(plain.labels()).isEmpty();
        assertThat(plain.taints()).isEmpty();
        assertThat(plain.unschedulable()).isFalse();
        assertThat(plain.isOpenToAll()).isTrue();
        assertThat(plain.withLabels(Map.of("k", "v")).isOpenToAll()).as("labels restrict nothing by themselves")
                .isTrue();
        assertThat(plain.withUnschedulable(true).isOpenToAll()).isFalse();
        assertThat(plain.withTaints(List.of(new Taint("k", "v", Effect.PREFER_NO_SCHEDULE))).isOpenToAll())
                .isFalse();

        NodeSpec full = plain.withLabels(Map.of("k", "v")).withTaints(List.of(CORDON)).withUnschedulable(true);
        assertThat(full).isEqualTo(new NodeSpec("n", 1000, 1000, 1, "T4", NodeSpec.DEFAULT_MAX_PODS,
                Map.of("k", "v"), List.of(CORDON), true));
        // each wither keeps the other fields
        assertThat(full.withLabels(Map.of()).taints()).containsExactly(CORDON);
        assertThat(full.withLabels(Map.of()).unschedulable()).isTrue();
        assertThat(full.withTaints(List.of()).labels()).isEqualTo(Map.of("k", "v"));
        assertThat(full.withTaints(List.of()).unschedulable()).isTrue();
        assertThat(full.withUnschedulable(false).labels()).isEqualTo(Map.of("k", "v"));
        assertThat(full.withUnschedulable(false).taints()).containsExactly(CORDON);
        assertThat(full.withUnschedulable(false).cpuMilli()).isEqualTo(1000);

        assertThatThrownBy(() -> plain.withLabels(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("labels");
        assertThatThrownBy(() -> plain.withTaints(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("taints");
    }

    @Test
    void podRequestCarriesItsPlacement() {
        PodRequest plain = PodRequest.of("p", 100, 200, 1, 500).withAllowedGpuModels(List.of("T4"));
        assertThat(plain.placement()).isSameAs(NodePlacement.NONE);
        NodePlacement rules = selector(Map.of("k", "v"));
        PodRequest placed = plain.withPlacement(rules).withPriority(7);
        assertThat(placed).isEqualTo(new PodRequest("p", 100, 200, 1, 500, List.of("T4"), 7).withPlacement(rules));
        // the other withers keep the placement
        assertThat(placed.withName("q").placement()).isEqualTo(rules);
        assertThat(placed.withAllowedGpuModels(List.of()).placement()).isEqualTo(rules);
        assertThat(placed.withPriority(0).placement()).isEqualTo(rules);
        assertThat(placed.withPlacement(NodePlacement.NONE).priority()).isEqualTo(7);
        assertThatThrownBy(() -> plain.withPlacement(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("placement");
    }
}
