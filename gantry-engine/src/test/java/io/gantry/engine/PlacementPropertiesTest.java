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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

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

    @Property(tries = 300)
    void placementVerdictsMatchTheOracleAndTheSchedulerAgreesWithAssess(@ForAll("nodes") List<Node> nodes,
            @ForAll("pods") List<Pod> pods, @ForAll("policies") Policy policy, @ForAll ScoringMode mode) {
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
                    assertThat(e.nodesByReason()).as(name).isEqualTo(Map.of(a.rejected().get(name), 1));
                    assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
                }
            }

            // schedule picks the best-scored feasible node (ties to the lowest rank), or explains as assess does
            ScheduleResult r = s.schedule(request);
            if (a.scores().isEmpty()) {
                Explanation e = ((ScheduleResult.Unschedulable) r).explanation();
                Map<Reason, Integer> counts = new HashMap<>();
                a.rejected().values().forEach(reason -> counts.merge(reason, 1, Integer::sum));
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

    @Provide
    Arbitrary<Policy> policies() {
        return Arbitraries.of(Policy.BESTFIT, Policy.FGD, Policy.DOTPROD, Policy.GPUPACKING, Policy.GPUCLUSTERING);
    }

    @Provide
    Arbitrary<List<Node>> nodes() {
        Arbitrary<String> zone = Arbitraries.of("", "a", "b", "c");
        Arbitrary<String> gen = Arbitraries.of("", "7", "8", "9", "x");
        Arbitrary<List<Integer>> taints = Arbitraries.integers().between(0, TAINTS.size() - 1).set().ofMaxSize(2)
                .map(ArrayList::new);
        Arbitrary<Boolean> cordoned = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(3, false), net.jqwik.api.Tuple.of(1, true));
        Arbitrary<long[]> size = Arbitraries.of(new long[] {2000, 2}, new long[] {8000, 4}, new long[] {8000, 0});
        Arbitrary<Node> node = Combinators.combine(zone, gen, taints, cordoned, size).as((z, g, t, c, sz) -> {
            Map<String, String> labels = new HashMap<>();
            if (!z.isEmpty()) {
                labels.put("zone", z);
            }
            if (!g.isEmpty()) {
                labels.put("gen", g);
            }
            List<Taint> ts = t.stream().map(TAINTS::get).toList();
            NodeSpec spec = NodeSpec.of("x", sz[0], 32000, (int) sz[1], "A100").withLabels(labels).withTaints(ts)
                    .withUnschedulable(c);
            return new Node(spec, t);
        });
        return node.list().ofMinSize(1).ofMaxSize(6).map(list -> {
            List<Node> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                NodeSpec n = list.get(i).spec();
                named.add(new Node(new NodeSpec("node-" + i, n.cpuMilli(), n.memoryMib(), n.gpuCount(),
                        n.gpuModel(), n.maxPods(), n.labels(), n.taints(), n.unschedulable()), list.get(i).taints()));
            }
            return named;
        });
    }

    @Provide
    Arbitrary<List<Pod>> pods() {
        Arbitrary<Map<String, String>> selector = Arbitraries.of(Map.of(), Map.of(), Map.of("zone", "a"),
                Map.of("gen", "8"), Map.of("zone", "b", "gen", "9"));
        Arbitrary<List<Integer>> terms = Arbitraries.integers().between(0, TERMS.size() - 1).list().ofMaxSize(2);
        Arbitrary<List<Integer>> tols = Arbitraries.integers().between(0, TOLERATIONS.size() - 1).list()
                .ofMaxSize(3);
        Arbitrary<int[]> shape = Arbitraries.of(new int[] {500, 0, 0}, new int[] {1000, 1, 1000},
                new int[] {1000, 1, 300}, new int[] {3000, 2, 1000});
        Arbitrary<Pod> pod = Combinators.combine(selector, terms, tols, shape).as((sel, ts, tl, sh) -> {
            NodePlacement rules = new NodePlacement(sel, ts.stream().map(t -> TERMS.get(t).term()).toList(),
                    tl.stream().map(t -> TOLERATIONS.get(t).toleration()).toList());
            PodRequest request = PodRequest.of("x", sh[0], 1000, sh[1], sh[2]).withPlacement(rules);
            return new Pod(request, sel, ts, tl);
        });
        return pod.list().ofMinSize(1).ofMaxSize(8).map(list -> {
            List<Pod> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Pod p = list.get(i);
                named.add(new Pod(p.request().withName("pod-" + i), p.selector(), p.terms(), p.tols()));
            }
            return named;
        });
    }
}
