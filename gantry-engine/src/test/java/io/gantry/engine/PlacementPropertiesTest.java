package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.placement.NodeSelectorRequirement;
import io.gantry.engine.placement.NodeSelectorRequirement.Operator;
import io.gantry.engine.placement.NodeSelectorTerm;
import io.gantry.engine.placement.Taint;
import io.gantry.engine.placement.Taint.Effect;
import io.gantry.engine.placement.Toleration;
import io.gantry.engine.plugins.NodePlacementFilter;
import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import io.gantry.testkit.Shrink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * Random clusters with labels, taints and cordons, and random pods with selectors, affinity and tolerations: the
 * placement verdicts agree with a hand-written oracle, and schedule, scheduleOn and assess agree with each other.
 */
class PlacementPropertiesTest {

    private static final Set<String> PLACEMENT = Set.of(Reason.NODE_UNSCHEDULABLE.code(),
            Reason.UNTOLERATED_TAINT.code(), Reason.NODE_SELECTOR_MISMATCH.code());

    // ---- the pieces, each with its meaning written out independently -------------------------------------

    private static final List<Taint> TAINTS = List.of(
            new Taint("gpu", "yes", Effect.NO_SCHEDULE),
            new Taint("gpu", "no", Effect.NO_SCHEDULE),
            new Taint("dedicated", "", Effect.NO_EXECUTE),
            new Taint("spot", "", Effect.PREFER_NO_SCHEDULE));

    /** A toleration and, by hand, which of {@link #TAINTS} and of the cordon it tolerates. */
    private record Tol(Toleration toleration, Set<Integer> taints, boolean cordon) {
    }

    private static final List<Tol> TOLERATIONS = List.of(
            new Tol(new Toleration("gpu", Toleration.Operator.EQUAL, "yes", Effect.NO_SCHEDULE), Set.of(0), false),
            new Tol(new Toleration("gpu", Toleration.Operator.EXISTS, null, null), Set.of(0, 1), false),
            new Tol(new Toleration("dedicated", Toleration.Operator.EXISTS, null, Effect.NO_EXECUTE), Set.of(2),
                    false),
            new Tol(new Toleration("dedicated", Toleration.Operator.EQUAL, "", Effect.NO_SCHEDULE), Set.of(), false),
            new Tol(new Toleration(null, Toleration.Operator.EXISTS, null, null), Set.of(0, 1, 2, 3), true),
            new Tol(new Toleration(null, Toleration.Operator.EXISTS, null, Effect.NO_SCHEDULE), Set.of(0, 1), true),
            new Tol(new Toleration(Taint.UNSCHEDULABLE_KEY, Toleration.Operator.EXISTS, null, Effect.NO_SCHEDULE),
                    Set.of(), true),
            new Tol(new Toleration(Taint.UNSCHEDULABLE_KEY, Toleration.Operator.EQUAL, "true", null), Set.of(),
                    false));

    /** An affinity term and, by hand, which nodes (name, labels) it matches. */
    private record Term(NodeSelectorTerm term, BiPredicate<String, Map<String, String>> matches) {
    }

    private static NodeSelectorRequirement req(String key, Operator op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    private static boolean isInt(String s) {
        return s != null && s.matches("-?[0-9]+");
    }

    private static final List<Term> TERMS = List.of(
            new Term(new NodeSelectorTerm(List.of(req("zone", Operator.IN, "a", "b")), List.of()),
                    (n, l) -> "a".equals(l.get("zone")) || "b".equals(l.get("zone"))),
            new Term(new NodeSelectorTerm(List.of(req("gen", Operator.GT, "7")), List.of()),
                    (n, l) -> isInt(l.get("gen")) && Integer.parseInt(l.get("gen")) > 7),
            new Term(new NodeSelectorTerm(List.of(req("gen", Operator.LT, "8"), req("zone", Operator.NOT_IN, "b")),
                    List.of()),
                    (n, l) -> isInt(l.get("gen")) && Integer.parseInt(l.get("gen")) < 8 && !"b".equals(l.get("zone"))),
            new Term(new NodeSelectorTerm(List.of(req("zone", Operator.DOES_NOT_EXIST)),
                    List.of(req("metadata.name", Operator.NOT_IN, "node-1"))),
                    (n, l) -> !l.containsKey("zone") && !n.equals("node-1")),
            new Term(new NodeSelectorTerm(List.of(), List.of(req("metadata.name", Operator.IN, "node-0"))),
                    (n, l) -> n.equals("node-0")),
            new Term(new NodeSelectorTerm(List.of(req("gen", Operator.EXISTS)), List.of()),
                    (n, l) -> l.containsKey("gen")),
            new Term(new NodeSelectorTerm(List.of(), List.of()), (n, l) -> false));

    private record Node(NodeSpec spec, List<Integer> taints) {
    }

    private record Pod(PodRequest request, Map<String, String> selector, List<Integer> terms, List<Integer> tols) {
    }

    /** One generated case: a cluster, the pods tried on it one by one, and the policy and mode. */
    private record Case(List<Node> nodes, List<Pod> pods, Policy policy, ScoringMode mode) {
        @Override
        public String toString() {
            return "Case[policy=" + policy.name() + ", mode=" + mode + ", nodes=" + nodes + ", pods=" + pods + "]";
        }
    }

    /** The placement verdict by hand: null when the rules let the pod onto the node. */
    private static Reason oracle(Node node, Pod pod) {
        NodeSpec spec = node.spec();
        boolean cordonTolerated = pod.tols().stream().anyMatch(t -> TOLERATIONS.get(t).cordon());
        if (spec.unschedulable() && !cordonTolerated) {
            return Reason.NODE_UNSCHEDULABLE;
        }
        for (int taint : node.taints()) {
            boolean filters = taint != 3; // spot is PreferNoSchedule
            if (filters && pod.tols().stream().noneMatch(t -> TOLERATIONS.get(t).taints().contains(taint))) {
                return NodePlacementFilter.untolerated(spec.taints().get(node.taints().indexOf(taint)));
            }
        }
        for (Map.Entry<String, String> e : pod.selector().entrySet()) {
            if (!e.getValue().equals(spec.labels().get(e.getKey()))) {
                return Reason.NODE_SELECTOR_MISMATCH;
            }
        }
        if (!pod.terms().isEmpty()
                && pod.terms().stream().noneMatch(t -> TERMS.get(t).matches().test(spec.name(), spec.labels()))) {
            return Reason.NODE_SELECTOR_MISMATCH;
        }
        return null;
    }

    // ---- the properties ------------------------------------------------------------------------------------

    @Test
    void placementVerdictsMatchTheOracleAndTheSchedulerAgreesWithAssess() {
        Property.check("placement verdicts match the oracle and the scheduler agrees with assess", 300,
                gen -> new Case(nodes(gen), pods(gen), policies(gen), gen.oneOf(ScoringMode.class)),
                Shrink.all(Shrink.listIn(Case::pods, 1, (c, pods) -> new Case(c.nodes(), pods, c.policy(), c.mode())),
                        Shrink.listIn(Case::nodes, 1, (c, nodes) -> new Case(nodes, c.pods(), c.policy(), c.mode()))),
                PlacementPropertiesTest::placementVerdictsMatchTheOracle);
    }

    private static void placementVerdictsMatchTheOracle(Case c) {
        List<Node> nodes = c.nodes();
        List<Pod> pods = c.pods();
        Policy policy = c.policy();
        ScoringMode mode = c.mode();
        ClusterState state = new ClusterState();
        Map<String, Node> byName = new LinkedHashMap<>();
        for (Node n : nodes) {
            state.addNode(n.spec());
            byName.put(n.spec().name(), n);
        }
        List<PodRequest> requests = pods.stream().map(Pod::request).toList();
        Scheduler s = new Scheduler(state, policy.profile(mode, TargetWorkload.fromPods(requests),
                new SplittableRandom(5)));

        for (Pod pod : pods) {
            PodRequest request = pod.request();
            ClusterSnapshot before = ClusterSnapshot.of(state);
            Assessment a = s.assess(request);
            assertThat(ClusterSnapshot.of(state)).isEqualTo(before);

            // every node judged once; placement reasons exactly where the oracle says
            assertThat(java.util.Collections.disjoint(a.rejected().keySet(), a.scores().keySet())).isTrue();
            assertThat(a.rejected().size() + a.scores().size()).isEqualTo(nodes.size());
            for (Node n : nodes) {
                String name = n.spec().name();
                Reason expected = oracle(n, pod);
                Reason actual = a.rejected().get(name);
                if (expected != null) {
                    assertThat(actual).as(name).isEqualTo(expected);
                } else {
                    assertThat(actual == null ? null : actual.code()).as(name).isNotIn(PLACEMENT);
                }
            }

            // scheduleOn agrees with assess on every node, and releasing restores the state
            for (Node n : nodes) {
                String name = n.spec().name();
                ScheduleResult r = s.scheduleOn(request, name);
                if (a.feasible(name)) {
                    assertThat(r.isScheduled()).as(name).isTrue();
                    assertThat(((ScheduleResult.Scheduled) r).allocation().nodeName()).isEqualTo(name);
                    s.release(request.name());
                    assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
                } else {
                    Explanation e = ((ScheduleResult.Unschedulable) r).explanation();
                    Map<Reason, Integer> one = new HashMap<>();
                    a.rejected().get(name).faults().forEach(f -> one.put(f, 1));
                    assertThat(e.nodesByReason()).as(name).isEqualTo(one);
                    assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
                }
            }

            // schedule picks the best-scored feasible node (ties to the lowest rank), or explains as assess does
            ScheduleResult r = s.schedule(request);
            if (a.scores().isEmpty()) {
                Explanation e = ((ScheduleResult.Unschedulable) r).explanation();
                Map<Reason, Integer> counts = new HashMap<>();
                a.rejected().values().forEach(why -> why.faults().forEach(f -> counts.merge(f, 1, Integer::sum)));
                assertThat(e.nodesByReason()).isEqualTo(counts);
                assertThat(e.totalNodes()).isEqualTo(nodes.size());
            } else {
                String chosen = ((ScheduleResult.Scheduled) r).allocation().nodeName();
                double best = a.scores().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                String expected = a.scores().entrySet().stream().filter(e -> e.getValue() == best)
                        .map(Map.Entry::getKey)
                        .min((x, y) -> Integer.compare(state.tieRank(state.slotOf(x)), state.tieRank(state.slotOf(y))))
                        .orElseThrow();
                assertThat(chosen).isEqualTo(expected);
                assertThat(oracle(byName.get(chosen), pod)).isNull();
            }
        }
    }

    // ---- generators ----------------------------------------------------------------------------------------

    private static Policy policies(Gen gen) {
        return gen.oneOf(Policy.BESTFIT, Policy.FGD, Policy.DOTPROD, Policy.GPUPACKING, Policy.GPUCLUSTERING);
    }

    /** 1 to 6 nodes named node-0, node-1, ...: zone and gen labels, up to two distinct taints, one in four cordoned. */
    private static List<Node> nodes(Gen gen) {
        int count = gen.intBetween(1, 6);
        List<Node> nodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String z = gen.oneOf("", "a", "b", "c");
            String g = gen.oneOf("", "7", "8", "9", "x");
            List<Integer> t = gen.distinctListOf(0, 2, () -> gen.intBetween(0, TAINTS.size() - 1));
            boolean cordoned = gen.frequency(Gen.weight(3, x -> false), Gen.weight(1, x -> true));
            long[] size = gen.oneOf(new long[] {2000, 2}, new long[] {8000, 4}, new long[] {8000, 0});
            Map<String, String> labels = new HashMap<>();
            if (!z.isEmpty()) {
                labels.put("zone", z);
            }
            if (!g.isEmpty()) {
                labels.put("gen", g);
            }
            List<Taint> ts = t.stream().map(TAINTS::get).toList();
            NodeSpec spec = NodeSpec.of("node-" + i, size[0], 32000, (int) size[1], "A100").withLabels(labels)
                    .withTaints(ts).withUnschedulable(cordoned);
            nodes.add(new Node(spec, t));
        }
        return nodes;
    }

    /** 1 to 8 pods named pod-0, pod-1, ...: a selector, up to two affinity terms and up to three tolerations. */
    private static List<Pod> pods(Gen gen) {
        int count = gen.intBetween(1, 8);
        List<Pod> pods = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, String> sel = gen.oneOf(Map.of(), Map.of(), Map.of("zone", "a"), Map.of("gen", "8"),
                    Map.of("zone", "b", "gen", "9"));
            List<Integer> ts = gen.listOf(0, 2, () -> gen.intBetween(0, TERMS.size() - 1));
            List<Integer> tl = gen.listOf(0, 3, () -> gen.intBetween(0, TOLERATIONS.size() - 1));
            int[] sh = gen.oneOf(new int[] {500, 0, 0}, new int[] {1000, 1, 1000}, new int[] {1000, 1, 300},
                    new int[] {3000, 2, 1000});
            NodePlacement rules = new NodePlacement(sel, ts.stream().map(t -> TERMS.get(t).term()).toList(),
                    tl.stream().map(t -> TOLERATIONS.get(t).toleration()).toList());
            PodRequest request = PodRequest.of("pod-" + i, sh[0], 1000, sh[1], sh[2]).withPlacement(rules);
            pods.add(new Pod(request, sel, ts, tl));
        }
        return pods;
    }
}
