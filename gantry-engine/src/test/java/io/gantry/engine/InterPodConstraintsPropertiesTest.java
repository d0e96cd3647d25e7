package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.placement.LabelSelector;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.plugins.InterPodAffinity;
import io.gantry.engine.plugins.InterPodAffinity.Term;
import io.gantry.engine.plugins.InterPodAffinity.Terms;
import io.gantry.engine.plugins.NodePorts;
import io.gantry.engine.plugins.NodePorts.HostPort;
import io.gantry.engine.plugins.PodTopologySpread;
import io.gantry.engine.plugins.PodTopologySpread.Constraint;
import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The filters of inter-pod affinity, topology spread and host ports against naive oracles written from kube-scheduler's
 * definitions, on random small clusters (some nodes without the zone label) with random placed pods, labels,
 * namespaces and terms. Each verdict is computed twice: once by the plugin (with its per-node caches warmed by a
 * first pod, so stale caches would show), once by the oracle.
 */
class InterPodConstraintsPropertiesTest {

    static final String HOST = "kubernetes.io/hostname";
    static final String ZONE = "zone";
    static final List<String> APPS = List.of("a", "b", "c");
    static final List<String> NAMESPACES = List.of("ns1", "ns2");

    record Placed(String node, PodRequest pod) {
    }

    record Case(List<NodeSpec> nodes, List<Placed> placed, PodRequest incoming) {
    }

    static Term term(Gen g) {
        LabelSelector sel = g.chance(0.1) ? LabelSelector.EVERYTHING
                : new LabelSelector(Map.of("app", g.oneOf(APPS)), List.of());
        boolean all = g.chance(0.2);
        return new Term(sel, all ? Set.of() : Set.of(g.oneOf(NAMESPACES)), all, g.bool() ? HOST : ZONE);
    }

    static PodRequest pod(Gen g, String name) {
        String ns = g.oneOf(NAMESPACES);
        PodRequest p = PodRequest.of(ns + "/" + name, 0, 0, 0, 0);
        if (g.chance(0.8)) {
            p = p.withLabels(Map.of("app", g.oneOf(APPS)));
        }
        if (g.chance(0.6)) {
            p = p.withAttribute(InterPodAffinity.TERMS, new Terms(ns, g.listOf(0, 2, () -> term(g)),
                    g.listOf(0, 2, () -> term(g)), List.of(), List.of()));
        }
        if (g.chance(0.5)) {
            p = p.withAttribute(PodTopologySpread.CONSTRAINTS, new PodTopologySpread.Constraints(ns,
                    g.listOf(1, 2, () -> new Constraint(g.intBetween(1, 2), g.bool() ? HOST : ZONE, true,
                            new LabelSelector(Map.of("app", g.oneOf(APPS)), List.of()), g.intBetween(1, 3),
                            g.bool(), false))));
        }
        if (g.chance(0.4)) {
            p = p.withAttribute(NodePorts.PORTS, new NodePorts.HostPorts(g.listOf(1, 2, () -> new HostPort(
                    g.oneOf("TCP", "UDP"), g.oneOf(NodePorts.ANY_IP, "10.0.0.1", "10.0.0.2"), g.intBetween(80, 82)))));
        }
        if (g.chance(0.3)) {
            p = p.withPlacement(new NodePlacement(Map.of(ZONE, g.oneOf("z1", "z2")), List.of(), List.of()));
        }
        return p;
    }

    static Case generate(Gen g) {
        List<NodeSpec> nodes = new ArrayList<>();
        int n = g.intBetween(1, 5);
        for (int i = 0; i < n; i++) {
            Map<String, String> labels = new HashMap<>();
            labels.put(HOST, "n" + i);
            if (g.chance(0.8)) {
                labels.put(ZONE, g.oneOf("z1", "z2", "z3"));
            }
            nodes.add(NodeSpec.of("n" + i, 100000, 100000, 0, "").withLabels(labels));
        }
        List<Placed> placed = new ArrayList<>();
        int pods = g.intBetween(0, 8);
        for (int i = 0; i < pods; i++) {
            placed.add(new Placed("n" + g.intBetween(0, n - 1), pod(g, "p" + i)));
        }
        return new Case(nodes, placed, pod(g, "incoming"));
    }

    @Test
    void filterVerdictsMatchTheOracle() {
        Property.check("inter-pod filters match the oracle", 400, InterPodConstraintsPropertiesTest::generate, c -> {
            ClusterState state = new ClusterState();
            c.nodes().forEach(state::addNode);
            InterPodAffinity affinity = new InterPodAffinity();
            PodTopologySpread spread = new PodTopologySpread();
            NodePorts ports = new NodePorts();
            // Warm the caches on an early state, then change it: stale per-node data would give wrong verdicts.
            int half = c.placed().size() / 2;
            for (int i = 0; i < half; i++) {
                place(state, c.placed().get(i));
            }
            verdicts(state, affinity, spread, ports, c.incoming());
            for (int i = half; i < c.placed().size(); i++) {
                place(state, c.placed().get(i));
            }
            List<Placed> all = c.placed();
            for (int slot = 0; slot < state.slotCount(); slot++) {
                NodeSpec node = state.spec(slot);
                CycleContext cycle = CycleContext.of(c.incoming(), state);
                assertThat(affinity.filter(state, cycle, slot)).as("InterPodAffinity on %s", node.name())
                        .isEqualTo(oracleAffinity(c.nodes(), all, c.incoming(), node));
                assertThat(spread.filter(state, cycle, slot)).as("PodTopologySpread on %s", node.name())
                        .isEqualTo(oracleSpread(c.nodes(), all, c.incoming(), node));
                assertThat(ports.filter(state, cycle, slot)).as("NodePorts on %s", node.name())
                        .isEqualTo(oraclePorts(all, c.incoming(), node));
            }
        });
    }

    static void place(ClusterState state, Placed p) {
        state.allocate(p.pod(), state.slotOf(p.node()), new int[0]);
    }

    static void verdicts(ClusterState state, InterPodAffinity a, PodTopologySpread s, NodePorts p, PodRequest pod) {
        CycleContext cycle = CycleContext.of(pod, state);
        for (int slot = 0; slot < state.slotCount(); slot++) {
            a.filter(state, cycle, slot);
            s.filter(state, cycle, slot);
            p.filter(state, cycle, slot);
        }
    }

    static String ns(PodRequest p) {
        return p.name().substring(0, p.name().indexOf('/'));
    }

    static NodeSpec nodeNamed(List<NodeSpec> nodes, String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    static boolean sameDomain(NodeSpec a, NodeSpec b, String key) {
        String va = a.labels().get(key);
        return va != null && va.equals(b.labels().get(key));
    }

    static Terms terms(PodRequest p) {
        return p.attributes().get(InterPodAffinity.TERMS).orElse(new Terms(ns(p), List.of(), List.of(), List.of(),
                List.of()));
    }

    static Reason oracleAffinity(List<NodeSpec> nodes, List<Placed> placed, PodRequest pod, NodeSpec node) {
        Terms own = terms(pod);
        List<Term> aff = own.requiredAffinity();
        // Required affinity: every key on the node, and for each term a pod matching ALL terms in its domain.
        boolean keys = aff.stream().allMatch(t -> node.labels().containsKey(t.topologyKey()));
        if (!keys) {
            return InterPodAffinity.AFFINITY_NOT_MATCH;
        }
        boolean allSatisfied = aff.stream().allMatch(t -> placed.stream().anyMatch(p -> matchesAll(aff, p.pod())
                && sameDomain(nodeNamed(nodes, p.node()), node, t.topologyKey())));
        if (!allSatisfied) {
            boolean anyCounted = placed.stream().anyMatch(p -> matchesAll(aff, p.pod()) && aff.stream()
                    .anyMatch(t -> nodeNamed(nodes, p.node()).labels().containsKey(t.topologyKey())));
            if (anyCounted || !matchesAll(aff, pod)) {
                return InterPodAffinity.AFFINITY_NOT_MATCH;
            }
        }
        for (Term t : own.requiredAntiAffinity()) {
            for (Placed p : placed) {
                if (t.matches(p.pod().labels(), ns(p.pod()))
                        && sameDomain(nodeNamed(nodes, p.node()), node, t.topologyKey())) {
                    return InterPodAffinity.ANTI_AFFINITY_NOT_MATCH;
                }
            }
        }
        for (Placed p : placed) {
            for (Term t : terms(p.pod()).requiredAntiAffinity()) {
                if (t.matches(pod.labels(), ns(pod)) && sameDomain(nodeNamed(nodes, p.node()), node,
                        t.topologyKey())) {
                    return InterPodAffinity.EXISTING_ANTI_AFFINITY_NOT_MATCH;
                }
            }
        }
        return null;
    }

    static boolean matchesAll(List<Term> terms, PodRequest p) {
        return terms.stream().allMatch(t -> t.matches(p.labels(), ns(p)));
    }

    static Reason oracleSpread(List<NodeSpec> nodes, List<Placed> placed, PodRequest pod, NodeSpec node) {
        List<Constraint> cs = pod.attributes().get(PodTopologySpread.CONSTRAINTS).map(
                PodTopologySpread.Constraints::constraints).orElse(List.of());
        for (Constraint c : cs) {
            if (!node.labels().containsKey(c.topologyKey())) {
                return PodTopologySpread.MISSING_LABEL;
            }
            // Domains: values of the key on eligible nodes that carry every constraint's key.
            Map<String, Integer> count = new HashMap<>();
            for (NodeSpec n : nodes) {
                boolean allKeys = cs.stream().allMatch(o -> n.labels().containsKey(o.topologyKey()));
                boolean eligible = !c.honorNodeAffinity() || pod.placement().selects(n.name(), n.labels());
                if (!allKeys || !eligible) {
                    continue;
                }
                int matching = (int) placed.stream().filter(p -> p.node().equals(n.name())
                        && ns(p.pod()).equals(ns(pod)) && c.selector().matches(p.pod().labels())).count();
                count.merge(n.labels().get(c.topologyKey()), matching, Integer::sum);
            }
            int min = count.size() < c.minDomains() ? 0
                    : count.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            int here = count.getOrDefault(node.labels().get(c.topologyKey()), 0);
            int self = c.selector().matches(pod.labels()) ? 1 : 0;
            if (here + self - min > c.maxSkew()) {
                return PodTopologySpread.CONSTRAINTS_NOT_MATCH;
            }
        }
        return null;
    }

    static Reason oraclePorts(List<Placed> placed, PodRequest pod, NodeSpec node) {
        List<HostPort> wanted = pod.attributes().get(NodePorts.PORTS).map(NodePorts.HostPorts::ports)
                .orElse(List.of());
        for (Placed p : placed) {
            if (!p.node().equals(node.name())) {
                continue;
            }
            for (HostPort held : p.pod().attributes().get(NodePorts.PORTS).map(NodePorts.HostPorts::ports)
                    .orElse(List.of())) {
                for (HostPort w : wanted) {
                    boolean ipClash = w.hostIp().equals(held.hostIp()) || w.hostIp().equals("0.0.0.0")
                            || held.hostIp().equals("0.0.0.0");
                    if (w.port() == held.port() && w.protocol().equals(held.protocol()) && ipClash) {
                        return NodePorts.PORTS_TAKEN;
                    }
                }
            }
        }
        return null;
    }
}
