package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.placement.LabelSelector;
import io.gantry.engine.placement.PodNamespaces;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kube-scheduler's PodTopologySpread. A constraint counts, per domain (value of {@code topologyKey} on the eligible
 * nodes), the placed pods of the pod's namespace its selector matches. {@code DoNotSchedule} (filter): placing the
 * pod in the node's domain must keep {@code count + self − global minimum ≤ maxSkew}, the minimum being 0 while
 * fewer than {@code minDomains} domains exist. {@code ScheduleAnyway} (score): fewer matching pods in the node's
 * domains score higher (weighted by log(domains + 2), normalized to 0..100; nodes without the keys score 0).
 * Eligible nodes have every constraint's key and, by kube 1.27's defaults, match the pod's node affinity and
 * selector ({@code nodeAffinityPolicy: Honor}) whatever their taints ({@code nodeTaintsPolicy: Ignore}); each
 * constraint may say otherwise. Pods without constraints skip the filter and score 0 on every node.
 */
public final class PodTopologySpread implements PreFilterPlugin, FilterPlugin, ScorePlugin {

    /** Made once: the pre-filter runs for every pod. */
    private static final Status SKIP = Status.skip("PodTopologySpread");

    public static final Reason CONSTRAINTS_NOT_MATCH = Reason.resolvable("PodTopologySpread",
            "node(s) didn't match pod topology spread constraints");
    public static final Reason MISSING_LABEL = Reason.unresolvable("PodTopologySpreadLabel",
            "node(s) didn't match pod topology spread constraints (missing required label)");

    /** kube's MaxNodeScore. */
    private static final int MAX_SCORE = 100;

    /**
     * One constraint. {@code doNotSchedule} is kube's {@code whenUnsatisfiable: DoNotSchedule} (false:
     * ScheduleAnyway); {@code minDomains} is 1 when unset; {@code honorNodeAffinity} / {@code honorNodeTaints} are
     * the inclusion policies (kube's defaults: true / false). Any matchLabelKeys are already merged into the selector.
     */
    public record Constraint(int maxSkew, String topologyKey, boolean doNotSchedule, LabelSelector selector,
            int minDomains, boolean honorNodeAffinity, boolean honorNodeTaints) {
        public Constraint {
            requireNonNull(topologyKey, "topologyKey");
            requireNonNull(selector, "selector");
            if (maxSkew < 1) {
                throw new IllegalArgumentException("topology spread maxSkew must be at least 1, got " + maxSkew);
            }
            if (topologyKey.isEmpty()) {
                throw new IllegalArgumentException("topology spread constraint has an empty topologyKey");
            }
            if (minDomains < 1) {
                throw new IllegalArgumentException("topology spread minDomains must be at least 1, got "
                        + minDomains);
            }
            if (minDomains > 1 && !doNotSchedule) {
                throw new IllegalArgumentException("topology spread minDomains applies to whenUnsatisfiable: "
                        + "DoNotSchedule only");
            }
        }

        /** With kube's defaults: minDomains 1, honour node affinity, ignore taints. */
        public static Constraint of(int maxSkew, String topologyKey, boolean doNotSchedule, LabelSelector selector) {
            return new Constraint(maxSkew, topologyKey, doNotSchedule, selector, 1, true, false);
        }
    }

    /** A pod's constraints and its namespace (only pods of that namespace are counted). */
    public record Constraints(String namespace, List<Constraint> constraints) {
        public Constraints {
            requireNonNull(namespace, "namespace");
            constraints = List.copyOf(requireNonNull(constraints, "constraints"));
        }
    }

    public static final PodAttributes.Key<Constraints> CONSTRAINTS = PodAttributes.Key.of(
            "PodTopologySpread.constraints", Constraints.class);

    private static final CycleContext.Key<Counts> FILTER_COUNTS = CycleContext.Key.of("PodTopologySpread.filter",
            Counts.class);

    // Score state of the current cycle.
    private Counts scoreCounts;
    private boolean[] ignored = new boolean[0];

    @Override
    public String name() {
        return "PodTopologySpread";
    }

    // ---- filter --------------------------------------------------------------------------------------------

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        return filterCounts(state, cycle) == Counts.NONE ? SKIP : Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        Counts counts = filterCounts(state, cycle);
        if (counts == Counts.NONE) {
            return null;
        }
        Map<String, String> labels = state.spec(node).labels();
        Map<String, String> podLabels = cycle.pod().labels();
        for (int i = 0; i < counts.constraints.size(); i++) {
            Constraint c = counts.constraints.get(i);
            String value = labels.get(c.topologyKey());
            if (value == null) {
                return MISSING_LABEL;
            }
            int self = c.selector().matches(podLabels) ? 1 : 0;
            if (counts.of(i, value) + self - counts.minimum(i, c.minDomains()) > c.maxSkew()) {
                return CONSTRAINTS_NOT_MATCH;
            }
        }
        return null;
    }

    private Counts filterCounts(ClusterState state, CycleContext cycle) {
        Counts counts = cycle.read(FILTER_COUNTS);
        if (counts == null) {
            List<Constraint> hard = select(cycle.pod(), true);
            counts = hard.isEmpty() ? Counts.NONE : count(state, cycle.pod(), hard, null, 0);
            cycle.write(FILTER_COUNTS, counts);
        }
        return counts;
    }

    private static List<Constraint> select(PodRequest pod, boolean doNotSchedule) {
        Constraints all = pod.attributes().getOrNull(CONSTRAINTS);
        if (all == null) {
            return List.of();
        }
        return all.constraints().stream().filter(c -> c.doNotSchedule() == doNotSchedule).toList();
    }

    /**
     * Counts matching pods per domain of each constraint over the eligible nodes. With {@code domainsOf} (score),
     * only domains of those nodes are counted; without (filter), every eligible node's domain is.
     */
    private static Counts count(ClusterState state, PodRequest pod, List<Constraint> constraints, int[] domainsOf,
            int domainNodes) {
        Constraints own = pod.attributes().getOrNull(CONSTRAINTS);
        String ns = own != null ? own.namespace() : PodNamespaces.of(pod);
        Counts counts = new Counts(constraints);
        if (domainsOf != null) {
            for (int i = 0; i < domainNodes; i++) {
                Map<String, String> labels = state.spec(domainsOf[i]).labels();
                for (int c = 0; c < constraints.size(); c++) {
                    counts.byDomain.get(c).putIfAbsent(labels.get(constraints.get(c).topologyKey()), 0);
                }
            }
        }
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            NodeSpec spec = state.spec(slot);
            if (!hasAllKeys(spec.labels(), constraints)) {
                continue;
            }
            for (int c = 0; c < constraints.size(); c++) {
                Constraint con = constraints.get(c);
                if (!eligible(con, pod, spec)) {
                    continue;
                }
                String value = spec.labels().get(con.topologyKey());
                Map<String, Integer> domains = counts.byDomain.get(c);
                if (domainsOf != null && !domains.containsKey(value)) {
                    continue;
                }
                int matching = 0;
                for (GpuAllocation a : state.allocationsOn(slot)) {
                    PodRequest placed = state.placedPod(a.podName()).orElseThrow();
                    if (namespaceOf(placed).equals(ns) && con.selector().matches(placed.labels())) {
                        matching++;
                    }
                }
                domains.merge(value, matching, Integer::sum);
            }
        }
        return counts;
    }

    private static String namespaceOf(PodRequest pod) {
        Constraints c = pod.attributes().getOrNull(CONSTRAINTS);
        return c != null ? c.namespace() : InterPodAffinity.namespaceOf(pod);
    }

    private static boolean hasAllKeys(Map<String, String> labels, List<Constraint> constraints) {
        for (Constraint c : constraints) {
            if (!labels.containsKey(c.topologyKey())) {
                return false;
            }
        }
        return true;
    }

    /** The node inclusion policies: node affinity and selector honoured, taints ignored, unless the constraint says. */
    private static boolean eligible(Constraint c, PodRequest pod, NodeSpec node) {
        if (c.honorNodeAffinity() && !pod.placement().selects(node.name(), node.labels())) {
            return false;
        }
        return !c.honorNodeTaints() || !pod.placement().blockedBy(node.taints());
    }

    /** Matching pods per domain, one map per constraint. */
    private static final class Counts {
        static final Counts NONE = new Counts(List.of());

        final List<Constraint> constraints;
        final List<Map<String, Integer>> byDomain;
        private final int[] minimum;
        /** Score only: each constraint's log(domains + 2). */
        double[] weights;

        Counts(List<Constraint> constraints) {
            this.constraints = constraints;
            this.byDomain = constraints.stream().map(c -> (Map<String, Integer>) new HashMap<String, Integer>())
                    .toList();
            this.minimum = new int[constraints.size()];
            java.util.Arrays.fill(minimum, -1);
        }

        int of(int constraint, String domain) {
            Integer n = byDomain.get(constraint).get(domain);
            return n == null ? 0 : n;
        }

        /** The global minimum over the domains; 0 while there are fewer than minDomains of them. */
        int minimum(int constraint, int minDomains) {
            Map<String, Integer> domains = byDomain.get(constraint);
            if (domains.size() < minDomains) {
                return 0;
            }
            if (minimum[constraint] < 0) {
                int min = Integer.MAX_VALUE;
                for (int n : domains.values()) {
                    min = Math.min(min, n);
                }
                minimum[constraint] = domains.isEmpty() ? 0 : min;
            }
            return minimum[constraint];
        }
    }

    // ---- score ---------------------------------------------------------------------------------------------

    @Override
    public void preScore(ClusterState state, CycleContext cycle, int[] feasible, int count) {
        List<Constraint> soft = select(cycle.pod(), false);
        if (soft.isEmpty()) {
            scoreCounts = null;
            return;
        }
        if (ignored.length < count) {
            ignored = new boolean[Math.max(count, ignored.length * 2)];
        }
        int[] kept = new int[count];
        int keptCount = 0;
        for (int i = 0; i < count; i++) {
            ignored[i] = !hasAllKeys(state.spec(feasible[i]).labels(), soft);
            if (!ignored[i]) {
                kept[keptCount++] = feasible[i];
            }
        }
        scoreCounts = count(state, cycle.pod(), soft, kept, keptCount);
        scoreCounts.weights = new double[soft.size()];
        for (int c = 0; c < soft.size(); c++) {
            int size = "kubernetes.io/hostname".equals(soft.get(c).topologyKey()) ? keptCount
                    : scoreCounts.byDomain.get(c).size();
            scoreCounts.weights[c] = Math.log(size + 2);
        }
    }

    @Override
    public boolean skipped() {
        return scoreCounts == null;
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        Counts counts = scoreCounts;
        if (counts == null) {
            return 0;
        }
        Map<String, String> labels = state.spec(node).labels();
        if (!hasAllKeys(labels, counts.constraints)) {
            return 0;
        }
        double score = 0;
        for (int c = 0; c < counts.constraints.size(); c++) {
            Constraint con = counts.constraints.get(c);
            score += counts.of(c, labels.get(con.topologyKey())) * counts.weights[c] + (con.maxSkew() - 1);
        }
        return Math.round(score);
    }

    /** kube's normalization: fewer matching pods score higher, 100 × (max + min − s) / max; ignored nodes 0. */
    @Override
    public void normalize(double[] scores, int count) {
        if (scoreCounts == null) {
            return;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < count; i++) {
            if (!ignored[i]) {
                min = Math.min(min, (long) scores[i]);
                max = Math.max(max, (long) scores[i]);
            }
        }
        for (int i = 0; i < count; i++) {
            if (ignored[i]) {
                scores[i] = 0;
            } else if (max == 0) {
                scores[i] = MAX_SCORE;
            } else {
                scores[i] = MAX_SCORE * (max + min - (long) scores[i]) / max;
            }
        }
    }
}
