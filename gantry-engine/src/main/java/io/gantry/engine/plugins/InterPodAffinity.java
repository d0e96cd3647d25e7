package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.placement.LabelSelector;
import io.gantry.engine.placement.PodNamespaces;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kube-scheduler's InterPodAffinity: required pod affinity and anti-affinity (filter) and the preferred ones (score),
 * with its semantics. A term selects pods by labels in some namespaces; its topology is the set of nodes sharing the
 * value of {@code topologyKey}. Required affinity: for every term, the node's topology already holds a pod matching
 * all the terms (or no pod anywhere matches them and the pod matches them itself: the first of a group). Required
 * anti-affinity: no term's topology holds a matching pod. Symmetry: a placed pod's required anti-affinity keeps the
 * incoming pod out of its topology too. The score adds, per topology, the weights of the incoming pod's preferred
 * terms that placed pods match (anti-affinity subtracts), placed pods' preferred terms the incoming pod matches, and
 * placed pods' required affinity terms at weight {@link #HARD_POD_AFFINITY_WEIGHT}; then normalizes to 0..100.
 *
 * <p>Pods carry their terms under {@link #TERMS}. The placed pods that carry terms are listed per node, refreshed
 * when the node's version changes; a pod with no terms, in a cluster where no placed pod has any, skips the filter
 * (pre-filter SKIP) and scores 0 on every node.
 */
public final class InterPodAffinity implements PreFilterPlugin, FilterPlugin, ScorePlugin {

    /** Made once: the pre-filter runs for every pod. */
    private static final Status SKIP = Status.skip("InterPodAffinity");

    /** kube-scheduler's default hardPodAffinityWeight. */
    public static final int HARD_POD_AFFINITY_WEIGHT = 1;

    public static final Reason AFFINITY_NOT_MATCH = Reason.unresolvable("InterPodAffinity",
            "node(s) didn't match pod affinity rules");
    public static final Reason ANTI_AFFINITY_NOT_MATCH = Reason.resolvable("InterPodAntiAffinity",
            "node(s) didn't match pod anti-affinity rules");
    public static final Reason EXISTING_ANTI_AFFINITY_NOT_MATCH = Reason.resolvable("ExistingPodsAntiAffinity",
            "node(s) didn't satisfy existing pods anti-affinity rules");

    /**
     * One pod affinity term: pods whose labels match {@code selector}, in {@code namespaces} (or every namespace when
     * {@code allNamespaces}, kube's empty namespaceSelector), in the topology of {@code topologyKey}.
     */
    public record Term(LabelSelector selector, Set<String> namespaces, boolean allNamespaces, String topologyKey) {
        public Term {
            requireNonNull(selector, "selector");
            namespaces = Set.copyOf(requireNonNull(namespaces, "namespaces"));
            requireNonNull(topologyKey, "topologyKey");
            if (topologyKey.isEmpty()) {
                throw new IllegalArgumentException("pod affinity term has an empty topologyKey");
            }
        }

        /** Whether a pod with these labels, in this namespace, is one the term selects. */
        public boolean matches(Map<String, String> labels, String namespace) {
            return (allNamespaces || namespaces.contains(namespace)) && selector.matches(labels);
        }
    }

    /** A preferred term and its weight (1..100). */
    public record WeightedTerm(int weight, Term term) {
        public WeightedTerm {
            requireNonNull(term, "term");
            if (weight < 1 || weight > 100) {
                throw new IllegalArgumentException("preferred pod affinity weight must be 1..100, got " + weight);
            }
        }
    }

    /** A pod's inter-pod terms and its namespace (which pods it is matched in). */
    public record Terms(String namespace, List<Term> requiredAffinity, List<Term> requiredAntiAffinity,
            List<WeightedTerm> preferredAffinity, List<WeightedTerm> preferredAntiAffinity) {
        public Terms {
            requireNonNull(namespace, "namespace");
            requiredAffinity = List.copyOf(requireNonNull(requiredAffinity, "requiredAffinity"));
            requiredAntiAffinity = List.copyOf(requireNonNull(requiredAntiAffinity, "requiredAntiAffinity"));
            preferredAffinity = List.copyOf(requireNonNull(preferredAffinity, "preferredAffinity"));
            preferredAntiAffinity = List.copyOf(requireNonNull(preferredAntiAffinity, "preferredAntiAffinity"));
        }

        public boolean hasRequired() {
            return !requiredAffinity.isEmpty() || !requiredAntiAffinity.isEmpty();
        }

        public boolean hasPreferred() {
            return !preferredAffinity.isEmpty() || !preferredAntiAffinity.isEmpty();
        }
    }

    public static final PodAttributes.Key<Terms> TERMS = PodAttributes.Key.of("InterPodAffinity.terms", Terms.class);

    private static final CycleContext.Key<FilterState> FILTER_STATE = CycleContext.Key.of("InterPodAffinity.filter",
            FilterState.class);
    private static final PodRequest[] NO_PODS = new PodRequest[0];

    /** Per slot: the placed pods carrying terms, valid while {@code stamp[slot]} equals the node's version. */
    private PodRequest[][] termPods = new PodRequest[0][];
    private int[] stamp = new int[0];
    /** Per slot: how many of those have required anti-affinity. */
    private int[] requiredAntiPods = new int[0];

    // Score state of the current cycle: topology key → value → summed weight.
    private Map<String, Map<String, Long>> topologyScore = Map.of();

    @Override
    public String name() {
        return "InterPodAffinity";
    }

    /** The namespace of a pod for matching: its terms' namespace, or its name's. */
    public static String namespaceOf(PodRequest pod) {
        Terms t = pod.attributes().getOrNull(TERMS);
        return t != null ? t.namespace() : PodNamespaces.of(pod);
    }

    // ---- filter --------------------------------------------------------------------------------------------

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        FilterState fs = filterState(state, cycle);
        return fs == FilterState.NOTHING ? SKIP : Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        FilterState fs = filterState(state, cycle);
        if (fs == FilterState.NOTHING) {
            return null;
        }
        Map<String, String> labels = state.spec(node).labels();
        if (!fs.satisfiesAffinity(labels)) {
            return AFFINITY_NOT_MATCH;
        }
        if (!fs.satisfiesAntiAffinity(labels)) {
            return ANTI_AFFINITY_NOT_MATCH;
        }
        if (!fs.satisfiesExistingAntiAffinity(labels)) {
            return EXISTING_ANTI_AFFINITY_NOT_MATCH;
        }
        return null;
    }

    /** The cycle's filter state, computed once per cycle (by the pre-filter, or by the first filter call). */
    private FilterState filterState(ClusterState state, CycleContext cycle) {
        FilterState fs = cycle.read(FILTER_STATE);
        if (fs == null) {
            fs = computeFilterState(state, cycle.pod());
            cycle.write(FILTER_STATE, fs);
        }
        return fs;
    }

    private FilterState computeFilterState(ClusterState state, PodRequest pod) {
        Terms own = pod.attributes().getOrNull(TERMS);
        boolean ownRequired = own != null && own.hasRequired();
        if (!ownRequired && state.placedCarrying(TERMS) == 0) {
            return FilterState.NOTHING; // the common case: nothing to check, and no pass over the nodes
        }
        int existingAnti = refreshAll(state);
        if (!ownRequired && existingAnti == 0) {
            return FilterState.NOTHING;
        }
        String ns = own != null ? own.namespace() : PodNamespaces.of(pod);
        FilterState fs = new FilterState(own == null ? List.of() : own.requiredAffinity(),
                own == null ? List.of() : own.requiredAntiAffinity());
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            Map<String, String> nodeLabels = state.spec(slot).labels();
            if (requiredAntiPods[slot] > 0) {
                for (PodRequest placed : termPods[slot]) {
                    for (Term t : placed.attributes().getOrNull(TERMS).requiredAntiAffinity()) {
                        if (t.matches(pod.labels(), ns)) {
                            add(fs.existingAnti, t.topologyKey(), nodeLabels, 1);
                        }
                    }
                }
            }
            if (ownRequired) {
                for (GpuAllocation a : state.allocationsOn(slot)) {
                    PodRequest placed = state.placedPod(a.podName()).orElseThrow();
                    Map<String, String> placedLabels = placed.labels();
                    String placedNs = namespaceOf(placed);
                    if (!fs.affinity.isEmpty() && matchesAll(fs.affinity, placedLabels, placedNs)) {
                        for (Term t : fs.affinity) {
                            add(fs.affinityCounts, t.topologyKey(), nodeLabels, 1);
                        }
                    }
                    for (Term t : fs.antiAffinity) {
                        if (t.matches(placedLabels, placedNs)) {
                            add(fs.antiAffinityCounts, t.topologyKey(), nodeLabels, 1);
                        }
                    }
                }
            }
        }
        fs.firstOfGroup = fs.affinityCounts.isEmpty() && matchesAll(fs.affinity, pod.labels(), ns);
        return fs;
    }

    private static boolean matchesAll(List<Term> terms, Map<String, String> labels, String namespace) {
        for (Term t : terms) {
            if (!t.matches(labels, namespace)) {
                return false;
            }
        }
        return true;
    }

    private static void add(Map<String, Map<String, Long>> counts, String key, Map<String, String> nodeLabels,
            long value) {
        String v = nodeLabels.get(key);
        if (v != null) {
            counts.computeIfAbsent(key, k -> new HashMap<>()).merge(v, value, Long::sum);
        }
    }

    private static long get(Map<String, Map<String, Long>> counts, String key, String value) {
        Map<String, Long> byValue = counts.get(key);
        Long n = byValue == null ? null : byValue.get(value);
        return n == null ? 0 : n;
    }

    /** What the filter checks for one pod, worked out once per cycle. */
    private static final class FilterState {
        static final FilterState NOTHING = new FilterState(List.of(), List.of());

        final List<Term> affinity;
        final List<Term> antiAffinity;
        final Map<String, Map<String, Long>> affinityCounts = new HashMap<>();
        final Map<String, Map<String, Long>> antiAffinityCounts = new HashMap<>();
        final Map<String, Map<String, Long>> existingAnti = new HashMap<>();
        boolean firstOfGroup;

        FilterState(List<Term> affinity, List<Term> antiAffinity) {
            this.affinity = affinity;
            this.antiAffinity = antiAffinity;
        }

        boolean satisfiesAffinity(Map<String, String> labels) {
            boolean podsExist = true;
            for (Term t : affinity) {
                String v = labels.get(t.topologyKey());
                if (v == null) {
                    return false; // every topology label must exist on the node
                }
                if (get(affinityCounts, t.topologyKey(), v) <= 0) {
                    podsExist = false;
                }
            }
            // The first pod of a group with affinity to itself: nothing matches anywhere yet, but the pod matches
            // its own terms, so it may go to any node that has the topology labels.
            return podsExist || firstOfGroup;
        }

        boolean satisfiesAntiAffinity(Map<String, String> labels) {
            if (antiAffinityCounts.isEmpty()) {
                return true;
            }
            for (Term t : antiAffinity) {
                String v = labels.get(t.topologyKey());
                if (v != null && get(antiAffinityCounts, t.topologyKey(), v) > 0) {
                    return false;
                }
            }
            return true;
        }

        boolean satisfiesExistingAntiAffinity(Map<String, String> labels) {
            for (Map.Entry<String, Map<String, Long>> e : existingAnti.entrySet()) {
                String v = labels.get(e.getKey());
                if (v != null && e.getValue().getOrDefault(v, 0L) > 0) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---- score ---------------------------------------------------------------------------------------------

    @Override
    public void preScore(ClusterState state, CycleContext cycle, int[] feasible, int count) {
        PodRequest pod = cycle.pod();
        Terms own = pod.attributes().getOrNull(TERMS);
        boolean ownPreferred = own != null && own.hasPreferred();
        if (!ownPreferred && state.placedCarrying(TERMS) == 0) {
            topologyScore = Map.of();
            return;
        }
        refreshAll(state);
        boolean anyPlacedTerms = false;
        for (int slot = 0; slot < state.slotCount() && !anyPlacedTerms; slot++) {
            anyPlacedTerms = state.isActive(slot) && termPods[slot].length > 0;
        }
        if (!ownPreferred && !anyPlacedTerms) {
            topologyScore = Map.of();
            return;
        }
        String ns = own != null ? own.namespace() : PodNamespaces.of(pod);
        Map<String, Map<String, Long>> scores = new HashMap<>();
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            Map<String, String> nodeLabels = state.spec(slot).labels();
            if (ownPreferred) {
                for (GpuAllocation a : state.allocationsOn(slot)) {
                    PodRequest placed = state.placedPod(a.podName()).orElseThrow();
                    String placedNs = namespaceOf(placed);
                    for (WeightedTerm w : own.preferredAffinity()) {
                        if (w.term().matches(placed.labels(), placedNs)) {
                            add(scores, w.term().topologyKey(), nodeLabels, w.weight());
                        }
                    }
                    for (WeightedTerm w : own.preferredAntiAffinity()) {
                        if (w.term().matches(placed.labels(), placedNs)) {
                            add(scores, w.term().topologyKey(), nodeLabels, -w.weight());
                        }
                    }
                }
            }
            if (nodeLabels.isEmpty()) {
                continue;
            }
            for (PodRequest placed : termPods[slot]) {
                Terms theirs = placed.attributes().getOrNull(TERMS);
                for (Term t : theirs.requiredAffinity()) {
                    if (t.matches(pod.labels(), ns)) {
                        add(scores, t.topologyKey(), nodeLabels, HARD_POD_AFFINITY_WEIGHT);
                    }
                }
                for (WeightedTerm w : theirs.preferredAffinity()) {
                    if (w.term().matches(pod.labels(), ns)) {
                        add(scores, w.term().topologyKey(), nodeLabels, w.weight());
                    }
                }
                for (WeightedTerm w : theirs.preferredAntiAffinity()) {
                    if (w.term().matches(pod.labels(), ns)) {
                        add(scores, w.term().topologyKey(), nodeLabels, -w.weight());
                    }
                }
            }
        }
        topologyScore = scores;
    }

    @Override
    public boolean skipped() {
        return topologyScore.isEmpty();
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        if (topologyScore.isEmpty()) {
            return 0;
        }
        Map<String, String> labels = state.spec(node).labels();
        long sum = 0;
        for (Map.Entry<String, Map<String, Long>> e : topologyScore.entrySet()) {
            String v = labels.get(e.getKey());
            if (v != null) {
                sum += e.getValue().getOrDefault(v, 0L);
            }
        }
        return sum;
    }

    /** kube-scheduler's normalization: (s - min) / (max - min) × 100, truncated; all 0 when every node is equal. */
    @Override
    public void normalize(double[] scores, int count) {
        if (topologyScore.isEmpty()) {
            return;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, scores[i]);
            max = Math.max(max, scores[i]);
        }
        double diff = max - min;
        for (int i = 0; i < count; i++) {
            scores[i] = diff > 0 ? (long) (100 * ((scores[i] - min) / diff)) : 0;
        }
    }

    // ---- placed pods with terms, per node ------------------------------------------------------------------

    /** Brings every node's list up to date; returns how many placed pods have required anti-affinity. */
    private int refreshAll(ClusterState state) {
        int slots = state.slotCount();
        if (stamp.length < slots) {
            int old = stamp.length;
            stamp = Arrays.copyOf(stamp, slots);
            Arrays.fill(stamp, old, slots, Integer.MIN_VALUE);
            termPods = Arrays.copyOf(termPods, slots);
            requiredAntiPods = Arrays.copyOf(requiredAntiPods, slots);
        }
        int total = 0;
        for (int slot = 0; slot < slots; slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            int version = state.version(slot);
            if (stamp[slot] != version || termPods[slot] == null) {
                refresh(state, slot);
                stamp[slot] = version;
            }
            total += requiredAntiPods[slot];
        }
        return total;
    }

    private void refresh(ClusterState state, int slot) {
        List<PodRequest> withTerms = null;
        int anti = 0;
        for (GpuAllocation a : state.allocationsOn(slot)) {
            PodRequest placed = state.placedPod(a.podName()).orElseThrow();
            Terms t = placed.attributes().getOrNull(TERMS);
            if (t != null) {
                if (withTerms == null) {
                    withTerms = new ArrayList<>();
                }
                withTerms.add(placed);
                if (!t.requiredAntiAffinity().isEmpty()) {
                    anti++;
                }
            }
        }
        termPods[slot] = withTerms == null ? NO_PODS : withTerms.toArray(NO_PODS);
        requiredAntiPods[slot] = anti;
    }
}
