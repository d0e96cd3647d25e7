package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.placement.LabelSelector;
import io.gantry.engine.placement.NodeSelectorRequirement;
import io.gantry.engine.placement.NodeSelectorRequirement.Operator;
import io.gantry.engine.placement.NodeSelectorTerm;
import io.gantry.engine.plugins.InterPodAffinity;
import io.gantry.engine.plugins.InterPodAffinity.Term;
import io.gantry.engine.plugins.InterPodAffinity.Terms;
import io.gantry.engine.plugins.InterPodAffinity.WeightedTerm;
import io.gantry.engine.plugins.NodePorts;
import io.gantry.engine.plugins.NodePorts.HostPort;
import io.gantry.engine.plugins.PodTopologySpread;
import io.gantry.engine.plugins.PodTopologySpread.Constraint;
import io.gantry.engine.plugins.VolumeTopology;
import io.gantry.engine.plugins.VolumeTopology.BoundVolume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Inter-pod affinity, topology spread, host ports and volume topology through a whole scheduler. BestFit packs pods
 * onto the fullest node, so each case shows the constraint overriding the policy.
 */
class InterPodConstraintsTest {

    static final String HOST = "kubernetes.io/hostname";
    static final String ZONE = "topology.kubernetes.io/zone";

    static NodeSpec node(String name, String zone) {
        Map<String, String> labels = zone == null ? Map.of(HOST, name) : Map.of(HOST, name, ZONE, zone);
        return NodeSpec.of(name, 16000, 64000, 0, "").withLabels(labels);
    }

    static Scheduler scheduler(Policy policy, NodeSpec... nodes) {
        ClusterState state = new ClusterState();
        for (NodeSpec n : nodes) {
            state.addNode(n);
        }
        return new Scheduler(state, policy.profile(ScoringMode.PAPER,
                TargetWorkload.fromPods(List.of(PodRequest.of("t", 1000, 0, 1, 1000))), new SplittableRandom(7)));
    }

    static PodRequest pod(String name, Map<String, String> labels) {
        return PodRequest.of("team/" + name, 1000, 1000, 0, 0).withLabels(labels);
    }

    static Term term(String key, String app) {
        return new Term(new LabelSelector(Map.of("app", app), List.of()), Set.of("team"), false, key);
    }

    static Terms required(List<Term> affinity, List<Term> anti) {
        return new Terms("team", affinity, anti, List.of(), List.of());
    }

    static String nodeOf(ScheduleResult r) {
        assertThat(r).as("%s", r).isInstanceOf(ScheduleResult.Scheduled.class);
        return ((ScheduleResult.Scheduled) r).allocation().nodeName();
    }

    static String failure(ScheduleResult r) {
        assertThat(r).as("%s", r).isInstanceOf(ScheduleResult.Unschedulable.class);
        return ((ScheduleResult.Unschedulable) r).explanation().message();
    }

    // ---- inter-pod affinity --------------------------------------------------------------------------------

    @Test
    void twoPodsWithRequiredHostnameAntiAffinityLandOnTwoNodes() {
        Scheduler s = scheduler(Policy.BESTFIT, node("n1", "a"), node("n2", "a"));
        Terms apart = required(List.of(), List.of(term(HOST, "web")));
        String first = nodeOf(s.schedule(pod("web-1", Map.of("app", "web")).withAttribute(InterPodAffinity.TERMS,
                apart)));
        String second = nodeOf(s.schedule(pod("web-2", Map.of("app", "web")).withAttribute(InterPodAffinity.TERMS,
                apart)));
        assertThat(second).isNotEqualTo(first);
        assertThat(failure(s.schedule(pod("web-3", Map.of("app", "web")).withAttribute(InterPodAffinity.TERMS,
                apart)))).isEqualTo("0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.");
        // A pod the terms do not select packs as BestFit wants.
        assertThat(nodeOf(s.schedule(pod("db", Map.of("app", "db"))))).isIn("n1", "n2");
    }

    @Test
    void existingPodsAntiAffinityKeepsThePodOutOfTheirTopology() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("a2", "a"), node("b1", "b"));
        s.recordPlaced(pod("loner", Map.of("app", "loner")).withAttribute(InterPodAffinity.TERMS,
                required(List.of(), List.of(term(ZONE, "web")))), "a1", List.of());
        // The incoming pod has no terms of its own: symmetry alone keeps it out of zone a.
        assertThat(nodeOf(s.schedule(pod("web", Map.of("app", "web"))))).isEqualTo("b1");
        s.release("team/web");
        s.updateNode(NodeSpec.of("b1", 0, 0, 0, "").withLabels(Map.of(HOST, "b1", ZONE, "b")));
        assertThat(failure(s.schedule(pod("web", Map.of("app", "web"))))).isEqualTo("0/3 nodes are available: "
                + "1 Insufficient cpu, 1 Insufficient memory,"
                + " 2 node(s) didn't satisfy existing pods anti-affinity rules.");
    }

    @Test
    void requiredAffinityFollowsMatchingPodsAndLetsTheFirstOfAGroupIn() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("b1", "b"), node("none", null));
        Terms withDb = required(List.of(term(ZONE, "db")), List.of());
        assertThat(failure(s.schedule(pod("app", Map.of("app", "web")).withAttribute(InterPodAffinity.TERMS, withDb))))
                .isEqualTo("0/3 nodes are available: 3 node(s) didn't match pod affinity rules.");
        // First of a group: nothing matches yet, but the pod matches its own term; any node with the key will do.
        Terms self = required(List.of(term(ZONE, "db")), List.of());
        String first = nodeOf(s.schedule(pod("db-1", Map.of("app", "db")).withAttribute(InterPodAffinity.TERMS,
                self)));
        assertThat(first).isIn("a1", "b1");
        assertThat(nodeOf(s.schedule(pod("app", Map.of("app", "web")).withAttribute(InterPodAffinity.TERMS,
                withDb)))).isEqualTo(first);
        assertThat(nodeOf(s.schedule(pod("db-2", Map.of("app", "db")).withAttribute(InterPodAffinity.TERMS,
                self)))).isEqualTo(first);
    }

    @Test
    void termsMatchInTheirNamespacesOnly() {
        Scheduler s = scheduler(Policy.BESTFIT, node("n1", "a"), node("n2", "a"));
        s.recordPlaced(PodRequest.of("other/web", 1000, 1000, 0, 0).withLabels(Map.of("app", "web")), "n1",
                List.of());
        Terms ownNamespace = required(List.of(), List.of(term(HOST, "web")));
        // BestFit prefers n1 (fuller); the web pod there is in another namespace, so it does not count.
        assertThat(nodeOf(s.schedule(pod("mine", Map.of()).withAttribute(InterPodAffinity.TERMS, ownNamespace))))
                .isEqualTo("n1");
        s.release("team/mine");
        Terms everywhere = required(List.of(), List.of(new Term(new LabelSelector(Map.of("app", "web"), List.of()),
                Set.of(), true, HOST)));
        assertThat(nodeOf(s.schedule(pod("mine", Map.of()).withAttribute(InterPodAffinity.TERMS, everywhere))))
                .isEqualTo("n2");
    }

    @Test
    void matchExpressionsSelectPods() {
        LabelSelector notWeb = new LabelSelector(Map.of(), List.of(new NodeSelectorRequirement("app", Operator.NOT_IN,
                List.of("web")), new NodeSelectorRequirement("tier", Operator.EXISTS, List.of())));
        assertThat(notWeb.matches(Map.of("app", "db", "tier", "1"))).isTrue();
        assertThat(notWeb.matches(Map.of("tier", "1"))).isTrue();
        assertThat(notWeb.matches(Map.of("app", "web", "tier", "1"))).isFalse();
        assertThat(notWeb.matches(Map.of("app", "db"))).isFalse();
        assertThat(LabelSelector.NOTHING.matches(Map.of())).isFalse();
        assertThat(LabelSelector.EVERYTHING.matches(Map.of("x", "y"))).isTrue();
    }

    @Test
    void preferredAffinityAndAntiAffinityOutweighThePolicy() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("b1", "b"));
        s.recordPlaced(pod("filler", Map.of("app", "filler")), "a1", List.of());
        s.recordPlaced(pod("cache", Map.of("app", "cache")), "b1", List.of());
        s.recordPlaced(PodRequest.of("team/big", 4000, 1000, 0, 0).withLabels(Map.of()), "a1", List.of());
        // BestFit picks the fuller a1; the preference for the cache's zone wins.
        assertThat(nodeOf(s.schedule(pod("plain", Map.of())))).isEqualTo("a1");
        s.release("team/plain");
        Terms nearCache = new Terms("team", List.of(), List.of(), List.of(new WeightedTerm(100, term(ZONE, "cache"))),
                List.of());
        assertThat(nodeOf(s.schedule(pod("near", Map.of()).withAttribute(InterPodAffinity.TERMS, nearCache))))
                .isEqualTo("b1");
        Terms awayFromFiller = new Terms("team", List.of(), List.of(), List.of(),
                List.of(new WeightedTerm(100, term(ZONE, "filler"))));
        assertThat(nodeOf(s.schedule(pod("away", Map.of()).withAttribute(InterPodAffinity.TERMS, awayFromFiller))))
                .isEqualTo("b1");
    }

    @Test
    void podsWithoutConstraintsScoreZeroFromTheStandardScores() {
        Scheduler s = scheduler(Policy.FGD, node("a1", "a"), node("b1", "b"), node("c1", null));
        s.recordPlaced(pod("x", Map.of("app", "x")), "a1", List.of());
        ClusterState state = s.state();
        PodRequest plain = pod("plain", Map.of("app", "x"));
        int[] feasible = {0, 1, 2};
        for (var plugin : List.of(new InterPodAffinity(), new PodTopologySpread())) {
            CycleContext cycle = CycleContext.of(plain, state);
            plugin.preScore(state, cycle, feasible, 3);
            assertThat(plugin.skipped()).as("%s skips the pod at pre-score", plugin.name()).isTrue();
            double[] scores = new double[3];
            for (int i = 0; i < 3; i++) {
                scores[i] = plugin.score(state, cycle, feasible[i]);
            }
            plugin.normalize(scores, 3);
            assertThat(scores).as(plugin.name()).containsExactly(0, 0, 0);
            assertThat(plugin.preFilter(state, cycle).code()).isEqualTo(Status.Code.SKIP);
        }
    }

    // ---- topology spread -----------------------------------------------------------------------------------

    static PodRequest spreadPod(String name, Constraint... constraints) {
        return pod(name, Map.of("app", "web")).withAttribute(PodTopologySpread.CONSTRAINTS,
                new PodTopologySpread.Constraints("team", List.of(constraints)));
    }

    static final LabelSelector WEB = new LabelSelector(Map.of("app", "web"), List.of());

    @Test
    void doNotScheduleKeepsTheSkewWithinMaxSkew() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("a2", "a"), node("b1", "b"));
        Constraint zones = Constraint.of(1, ZONE, true, WEB);
        List<String> zonesUsed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String n = nodeOf(s.schedule(spreadPod("web-" + i, zones)));
            zonesUsed.add(s.state().spec(s.state().slotOf(n)).labels().get(ZONE));
        }
        assertThat(zonesUsed.stream().filter("a"::equals).count()).isEqualTo(2);
        assertThat(zonesUsed.stream().filter("b"::equals).count()).isEqualTo(2);
        // Fill b1: zone a now holds 2, b 2; one more in a makes the skew 1, then a again would be 2.
        s.updateNode(NodeSpec.of("b1", 0, 0, 0, "").withLabels(Map.of(HOST, "b1", ZONE, "b")));
        nodeOf(s.schedule(spreadPod("web-4", zones)));
        assertThat(failure(s.schedule(spreadPod("web-5", zones)))).isEqualTo("0/3 nodes are available: "
                + "1 Insufficient cpu, 1 Insufficient memory,"
                + " 2 node(s) didn't match pod topology spread constraints.");
    }

    @Test
    void nodesWithoutTheKeyAreRejectedAndMinDomainsRaisesTheFloor() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("bare", null));
        assertThat(nodeOf(s.schedule(spreadPod("web-0", Constraint.of(1, ZONE, true, WEB))))).isEqualTo("a1");
        Constraint twoDomains = new Constraint(1, ZONE, true, WEB, 2, true, false);
        assertThat(failure(s.schedule(spreadPod("web-1", twoDomains)))).isEqualTo("0/2 nodes are available: "
                + "1 node(s) didn't match pod topology spread constraints, "
                + "1 node(s) didn't match pod topology spread constraints (missing required label).");
        // Without minDomains the single domain is its own minimum: skew 1 + 1 - 1 = 1 is allowed.
        assertThat(nodeOf(s.schedule(spreadPod("web-1", Constraint.of(1, ZONE, true, WEB))))).isEqualTo("a1");
    }

    @Test
    void nodeAffinityPolicyHonourLeavesUnselectedNodesOutOfTheCount() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("b1", "b"));
        s.recordPlaced(pod("w1", Map.of("app", "web")), "a1", List.of());
        s.recordPlaced(pod("w2", Map.of("app", "web")), "a1", List.of());
        var onlyA = new io.gantry.engine.placement.NodePlacement(Map.of(ZONE, "a"), List.of(), List.of());
        // Only zone a is eligible (Honor): its count is the minimum, so the skew stays 1.
        assertThat(nodeOf(s.schedule(spreadPod("web", Constraint.of(1, ZONE, true, WEB)).withPlacement(onlyA))))
                .isEqualTo("a1");
        s.release("team/web");
        // Ignore: zone b (0 pods) counts, the skew in a would be 3.
        Constraint ignore = new Constraint(1, ZONE, true, WEB, 1, false, false);
        assertThat(failure(s.schedule(spreadPod("web", ignore).withPlacement(onlyA)))).contains(
                "1 node(s) didn't match pod topology spread constraints");
    }

    @Test
    void scheduleAnywayPrefersTheEmptierDomain() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("b1", "b"));
        s.recordPlaced(pod("w1", Map.of("app", "web")), "a1", List.of());
        s.recordPlaced(pod("w2", Map.of("app", "web")), "a1", List.of());
        assertThat(nodeOf(s.schedule(pod("plain", Map.of("app", "web"))))).isEqualTo("a1");
        assertThat(nodeOf(s.schedule(spreadPod("web", Constraint.of(1, ZONE, false, WEB))))).isEqualTo("b1");
    }

    // ---- host ports ----------------------------------------------------------------------------------------

    static PodRequest portPod(String name, HostPort... ports) {
        return pod(name, Map.of()).withAttribute(NodePorts.PORTS, new NodePorts.HostPorts(List.of(ports)));
    }

    @Test
    void aTakenHostPortSendsThePodElsewhereOrNowhere() {
        Scheduler s = scheduler(Policy.BESTFIT, node("n1", "a"), node("n2", "a"));
        HostPort http = new HostPort("TCP", NodePorts.ANY_IP, 8080);
        String first = nodeOf(s.schedule(portPod("p1", http)));
        assertThat(nodeOf(s.schedule(portPod("p2", http)))).isNotEqualTo(first);
        assertThat(failure(s.schedule(portPod("p3", http)))).isEqualTo("0/2 nodes are available: "
                + "2 node(s) didn't have free ports for the requested pod ports.");
        // Another protocol is another port; BestFit keeps packing onto the first node.
        assertThat(nodeOf(s.schedule(portPod("udp", new HostPort("UDP", NodePorts.ANY_IP, 8080))))).isIn("n1", "n2");
        s.release("team/p1");
        assertThat(nodeOf(s.schedule(portPod("p3", http)))).isEqualTo(first);
    }

    @Test
    void hostIpsConflictWhenEqualOrEitherIsEveryAddress() {
        HostPort any = new HostPort("TCP", NodePorts.ANY_IP, 80);
        HostPort one = new HostPort("TCP", "10.0.0.1", 80);
        HostPort two = new HostPort("TCP", "10.0.0.2", 80);
        assertThat(one.conflictsWith(two)).isFalse();
        assertThat(one.conflictsWith(one)).isTrue();
        assertThat(any.conflictsWith(two)).isTrue();
        assertThat(two.conflictsWith(any)).isTrue();
        assertThat(one.conflictsWith(new HostPort("TCP", "10.0.0.1", 81))).isFalse();
    }

    // ---- volume topology -----------------------------------------------------------------------------------

    static PodRequest volumePod(String name, List<BoundVolume> bound, List<String> blockers) {
        return pod(name, Map.of()).withAttribute(VolumeTopology.VOLUMES, new VolumeTopology.Volumes(bound, blockers));
    }

    @Test
    void boundVolumesNodeAffinityAndZonePickTheNode() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("b1", "b"));
        s.recordPlaced(PodRequest.of("team/big", 4000, 1000, 0, 0), "a1", List.of());
        BoundVolume inB = new BoundVolume("pv-b", List.of(new NodeSelectorTerm(List.of(new NodeSelectorRequirement(
                ZONE, Operator.IN, List.of("b"))), List.of())), Map.of());
        assertThat(nodeOf(s.schedule(volumePod("uses-b", List.of(inB), List.of())))).isEqualTo("b1");
        BoundVolume inC = new BoundVolume("pv-c", List.of(new NodeSelectorTerm(List.of(new NodeSelectorRequirement(
                ZONE, Operator.IN, List.of("c"))), List.of())), Map.of());
        assertThat(failure(s.schedule(volumePod("uses-c", List.of(inC), List.of())))).isEqualTo(
                "0/2 nodes are available: 2 node(s) had volume node affinity conflict.");
        BoundVolume zoned = new BoundVolume("pv-z", List.of(), Map.of(ZONE, Set.of("b", "c")));
        assertThat(nodeOf(s.schedule(volumePod("zoned", List.of(zoned), List.of())))).isEqualTo("b1");
        BoundVolume elsewhere = new BoundVolume("pv-e", List.of(), Map.of(ZONE, Set.of("z")));
        assertThat(failure(s.schedule(volumePod("elsewhere", List.of(elsewhere), List.of())))).isEqualTo(
                "0/2 nodes are available: 2 node(s) had no available volume zone.");
    }

    @Test
    void unresolvedClaimsRejectThePodWithTheirReason() {
        Scheduler s = scheduler(Policy.BESTFIT, node("a1", "a"), node("b1", "b"));
        assertThat(failure(s.schedule(volumePod("waits", List.of(), List.of(
                "pod has unbound immediate PersistentVolumeClaims"))))).isEqualTo(
                "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
    }
}
