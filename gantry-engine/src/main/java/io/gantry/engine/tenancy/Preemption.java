package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.Explanation;
import io.gantry.engine.FrameworkHandle;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.plugins.PostFilterPlugin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Preemption by queue and priority, at PostFilter: when a pod is not admitted by its queue's quota or fits on no
 * node, which placed pods may go so that it fits? A pod may take from
 * <ul>
 *   <li>pods of its own queue of strictly lower priority, unless the queue's {@code withinQueue} policy is Never;</li>
 *   <li>pods of another queue that borrows (uses more than its guarantee, at the level below the two queues' common
 *       ancestor), when the pod's queue stays within its own guarantee at that level and the queue's
 *       {@code reclaim} policy allows it by priority (Kueue's reclaimWithinCohort).</li>
 * </ul>
 * Never a pod of higher priority, never a pod held at Permit or already being evicted, never when the pod's preemptionPolicy is Never. A
 * member of a gang goes only with its whole gang. First the fewest pods that let the queue admit the pod are chosen
 * (anywhere), then on each node the fewest more that let it fit there, kept to the least valuable by reprieving the
 * most valuable first, as kube-scheduler does. Of the nodes that work, the one whose most important victim has the
 * lowest priority wins, then the one with fewest victims, then least GPU taken, then the most recently started.
 * The engine evicts nothing: the result names the node and the victims for the host.
 */
public final class Preemption implements PostFilterPlugin {

    public static final String NAME = "QueuePreemption";

    /** Enough candidate nodes to choose well, few enough to stay cheap in a large cluster (as kube-scheduler). */
    static final int MIN_CANDIDATES = 10;
    static final int MAX_CANDIDATES = 100;

    private final QueueLedger ledger;
    private final QueueTree tree;
    private final Nominations nominations;

    public Preemption(QueueLedger ledger, Nominations nominations) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.tree = ledger.tree();
        this.nominations = requireNonNull(nominations, "nominations");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Pods that go together: one pod, or every placed member of a gang. */
    private record Unit(List<String> pods, int priority, long gpuMilli, long latestStart, Set<String> nodes,
            int lender) {
    }

    private record Candidate(String node, List<Unit> units) {
        int topPriority() {
            return units.stream().mapToInt(Unit::priority).max().orElse(Integer.MIN_VALUE);
        }

        int podCount() {
            return units.stream().mapToInt(u -> u.pods().size()).sum();
        }

        long gpuMilli() {
            return units.stream().mapToLong(Unit::gpuMilli).sum();
        }

        long latestStart() {
            return units.stream().mapToLong(Unit::latestStart).min().orElse(Long.MAX_VALUE);
        }
    }

    /** Least valuable first: lower priority, then started later (less work lost), then less GPU. */
    private static final Comparator<Unit> LEAST_VALUABLE = Comparator.comparingInt(Unit::priority)
            .thenComparing(Comparator.comparingLong(Unit::latestStart).reversed())
            .thenComparingLong(Unit::gpuMilli);

    private static final Comparator<Candidate> BEST = Comparator.comparingInt(Candidate::topPriority)
            .thenComparingInt(Candidate::podCount).thenComparingLong(Candidate::gpuMilli)
            .thenComparing(Comparator.comparingLong(Candidate::latestStart).reversed())
            .thenComparing(Candidate::node);

    @Override
    public PostFilterResult postFilter(ClusterState state, CycleContext cycle, Explanation filtered) {
        PodRequest pod = cycle.pod();
        if (!TenancyKeys.mayPreempt(pod)) {
            return new PostFilterResult("", "preemptionPolicy is Never: the pod waits instead of evicting others");
        }
        int leaf = tree.indexOf(TenancyKeys.queueOf(pod));
        if (leaf < 0 || !tree.isLeaf(leaf)) {
            return PostFilterResult.NOTHING;
        }
        FrameworkHandle framework = cycle.framework();
        nominations.forget(pod.name()); // it looks again: what it waited for may be gone
        List<Unit> units = eligibleUnits(state, pod, leaf, Set.copyOf(framework.waitingPods()));
        if (units.isEmpty()) {
            return new PostFilterResult("", "preemption: no pod it may evict (none of lower priority in queue "
                    + tree.name(leaf) + ", and no borrowing queue it may reclaim from)");
        }
        GangSpec gang = TenancyKeys.gangOf(pod);
        int missing = gang == null ? 1 : gang.minMember() - ledger.gangPlaced(gang.name());
        List<Unit> quotaVictims = List.of();
        if (!framework.fitsWithout(cycle, -1, List.of())) {
            quotaVictims = fewest(units, u -> framework.fitsWithout(cycle, -1, names(u)));
            if (quotaVictims == null) {
                return new PostFilterResult("", "preemption: evicting every pod it may evict would not let queue "
                        + tree.name(leaf) + " admit it");
            }
        }
        if (missing <= 1) {
            Found found = best(state, cycle, cycle, units, quotaVictims, Map.of(), false);
            if (found.best() == null) {
                return new PostFilterResult("", found.whyNot());
            }
            Candidate best = found.best();
            List<String> victims = names(best.units());
            nominations.nominate(pod, Map.of(best.node(), 1));
            return new PostFilterResult(best.node(), victims, "preempting " + victims.size() + " pod(s) for it on "
                    + best.node() + ": " + String.join(", ", victims));
        }
        // a gang: victims for every missing member at once, so that the gang starts when they are gone
        CycleContext member = CycleContext.of(TenancyKeys.probedAlone(pod), state, framework);
        List<Unit> taken = new ArrayList<>(quotaVictims);
        Map<String, Integer> assigned = new java.util.LinkedHashMap<>();
        String first = null;
        for (int m = 0; m < missing; m++) {
            Candidate best = best(state, cycle, member, units, taken, assigned, true).best();
            if (best == null) {
                return new PostFilterResult("", "preemption: room for " + m + " of the " + missing + " members of"
                        + " pod group " + gang.name() + " still to place, not all: nothing evicted");
            }
            first = first == null ? best.node() : first;
            assigned.merge(best.node(), 1, Integer::sum);
            for (Unit u : best.units()) {
                if (!taken.contains(u)) {
                    taken.add(u);
                }
            }
        }
        List<String> victims = names(taken);
        if (victims.isEmpty()) {
            return PostFilterResult.NOTHING; // room enough without evicting: not this plugin's case
        }
        nominations.nominate(pod, assigned); // the free nodes it counted on too, until its victims are gone
        return new PostFilterResult(first, victims, "preempting " + victims.size() + " pod(s) for pod group "
                + gang.name() + " (" + missing + " members) on " + String.join(", ", assigned.keySet()) + ": "
                + String.join(", ", victims));
    }

    /** The best candidate, or null and why there is none (for the explanation). */
    private record Found(Candidate best, String whyNot) {
    }

    /**
     * The best node for one more pod of this shape with {@code fixed} gone, and the fewest more victims it needs
     * there; none, and why, if there is none. With {@code gangMembers}, {@code assigned} says how many
     * members the node already counts for, and a node that has room without victims is a candidate too.
     */
    private Found best(ClusterState state, CycleContext cycle, CycleContext probe, List<Unit> units,
            List<Unit> fixed, Map<String, Integer> assigned, boolean gangMembers) {
        FrameworkHandle framework = cycle.framework();
        PodRequest pod = cycle.pod();
        List<Candidate> candidates = new ArrayList<>();
        int wanted = Math.min(MAX_CANDIDATES, Math.max(MIN_CANDIDATES, state.nodeCount() / 10));
        Set<Unit> gone = new HashSet<>(fixed);
        for (int slot = 0; slot < state.slotCount() && candidates.size() < wanted; slot++) {
            if (!state.isActive(slot) || !mightFit(state, cycle, slot, units)) {
                continue;
            }
            String node = state.nodeName(slot);
            int already = assigned.getOrDefault(node, 0);
            int s = slot;
            java.util.function.Predicate<List<Unit>> fits = u -> framework.fitsWithout(probe, s, names(u))
                    && (!gangMembers || membersFitting(state, s, pod, names(u)) > already);
            if (fits.test(fixed)) {
                if (!fixed.isEmpty() || gangMembers) {
                    candidates.add(new Candidate(node, fixed));
                }
                continue; // without victims it fits already: not this plugin's case
            }
            List<Unit> local = new ArrayList<>();
            for (Unit u : units) {
                if (!gone.contains(u) && u.nodes().contains(node)) {
                    local.add(u);
                }
            }
            if (local.isEmpty()) {
                continue;
            }
            List<Unit> kept = reprieve(fixed, local, fits);
            if (kept != null) {
                candidates.add(new Candidate(node, kept));
            }
        }
        if (candidates.isEmpty()) {
            return new Found(null, "preemption: no node where evicting the pods it may evict would make room");
        }
        int r = resource(pod);
        candidates.removeIf(c -> !takesOnlyBorrowed(c, r));
        if (candidates.isEmpty()) {
            return new Found(null, "preemption: making room would take more than the borrowing queues borrow");
        }
        return new Found(candidates.stream().min(BEST).orElseThrow(), "");
    }

    /** How many pods of this shape the node would hold with these pods gone (at least one: the filters said so). */
    private static long membersFitting(ClusterState state, int slot, PodRequest pod, List<String> gone) {
        int[] left = new int[state.gpuCount(slot)];
        for (int g = 0; g < left.length; g++) {
            left[g] = state.gpuUnavailable(slot, g) ? 0 : state.gpuLeft(slot, g);
        }
        long cpu = state.cpuLeft(slot);
        long memory = state.memoryLeft(slot);
        for (String name : gone) {
            GpuAllocation a = state.allocation(name).orElse(null);
            if (a == null || !a.nodeName().equals(state.nodeName(slot))) {
                continue;
            }
            for (int g : a.gpuIndices()) {
                left[g] += a.gpuMilliPerGpu();
            }
            cpu += a.cpuMilli();
            memory += a.memoryMib();
        }
        long n = Long.MAX_VALUE;
        if (pod.needsGpu()) {
            long slots = 0;
            for (int l : left) {
                slots += l / pod.gpuMilliPerGpu();
            }
            n = slots / pod.gpuCount();
        }
        if (pod.cpuMilli() > 0) {
            n = Math.min(n, cpu / pod.cpuMilli());
        }
        if (pod.memoryMib() > 0) {
            n = Math.min(n, memory / pod.memoryMib());
        }
        return Math.max(1, n == Long.MAX_VALUE ? 1 : n);
    }

    /**
     * The fewest units (least valuable first) that make {@code fits} true, then with the most valuable of them given
     * back wherever it still holds; null if even all of them do not.
     */
    private static List<Unit> fewest(List<Unit> units, java.util.function.Predicate<List<Unit>> fits) {
        List<Unit> sorted = new ArrayList<>(units);
        sorted.sort(LEAST_VALUABLE);
        List<Unit> taken = new ArrayList<>();
        for (Unit u : sorted) {
            taken.add(u);
            if (fits.test(taken)) {
                return reprieve(List.of(), taken, fits);
            }
        }
        return null;
    }

    /**
     * kube-scheduler's reprieve: with {@code fixed} gone for sure, all of {@code local} gone must make room; then
     * each local unit, most valuable first, is given back if room remains without it. Null if there is no room.
     */
    private static List<Unit> reprieve(List<Unit> fixed, List<Unit> local,
            java.util.function.Predicate<List<Unit>> fits) {
        List<Unit> gone = new ArrayList<>(fixed);
        gone.addAll(local);
        if (!fits.test(gone)) {
            return null;
        }
        List<Unit> byValue = new ArrayList<>(local);
        byValue.sort(LEAST_VALUABLE.reversed());
        for (Unit u : byValue) {
            gone.remove(u);
            if (!fits.test(gone)) {
                gone.add(u);
            }
        }
        return gone;
    }

    /** Cheap bound before any real check: the node has the model and enough GPU once every eligible unit on it went. */
    private static boolean mightFit(ClusterState state, CycleContext cycle, int slot, List<Unit> units) {
        PodRequest pod = cycle.pod();
        if (!pod.needsGpu()) {
            return true;
        }
        if (state.gpuCount(slot) < pod.gpuCount() || !cycle.modelAllowed(state.modelId(slot))) {
            return false;
        }
        long free = state.gpuLeftTotal(slot);
        for (GpuAllocation a : state.allocationsOn(slot)) {
            free += a.totalGpuMilli();
        }
        return free >= pod.totalGpuMilli();
    }

    private List<Unit> eligibleUnits(ClusterState state, PodRequest pod, int leaf, Set<String> waiting) {
        long[] demand = ledger.demand(pod, "");
        GangSpec ownGang = TenancyKeys.gangOf(pod);
        Map<String, List<GpuAllocation>> gangs = new LinkedHashMap<>();
        Set<String> badGangs = new HashSet<>();
        List<Unit> units = new ArrayList<>();
        for (GpuAllocation a : state.allocations()) {
            QueueLedger.Charge c = ledger.charge(a.podName());
            int lender = c == null || waiting.contains(a.podName()) || ledger.isTerminating(a.podName()) ? NOT_ELIGIBLE
                    : lender(pod, leaf, c, demand);
            boolean ok = lender != NOT_ELIGIBLE;
            GangSpec gang = c == null ? null : c.gang();
            if (gang != null) {
                if (ownGang != null && ownGang.name().equals(gang.name())) {
                    continue;
                }
                gangs.computeIfAbsent(gang.name(), k -> new ArrayList<>()).add(a);
                if (!ok) {
                    badGangs.add(gang.name());
                }
            } else if (ok) {
                units.add(new Unit(List.of(a.podName()), c.priority(), a.totalGpuMilli(), c.sequence(),
                        Set.of(a.nodeName()), lender));
            }
        }
        for (Map.Entry<String, List<GpuAllocation>> g : gangs.entrySet()) {
            if (badGangs.contains(g.getKey())) {
                continue;
            }
            List<String> pods = new ArrayList<>();
            Set<String> nodes = new LinkedHashSet<>();
            int priority = Integer.MIN_VALUE;
            long gpu = 0;
            long start = Long.MIN_VALUE;
            int lender = NOT_ELIGIBLE;
            for (GpuAllocation a : g.getValue()) {
                QueueLedger.Charge c = ledger.charge(a.podName());
                lender = lender(pod, leaf, c, demand);
                pods.add(a.podName());
                nodes.add(a.nodeName());
                priority = Math.max(priority, c.priority());
                gpu += a.totalGpuMilli();
                start = Math.max(start, c.sequence());
            }
            units.add(new Unit(List.copyOf(pods), priority, gpu, start, Set.copyOf(nodes), lender));
        }
        return units;
    }

    private static final int NOT_ELIGIBLE = -2;
    private static final int SAME_QUEUE = -1;

    /**
     * Whether the preemptor of queue {@code leaf} may evict the placed pod charged as {@code c}: {@link #NOT_ELIGIBLE},
     * {@link #SAME_QUEUE}, or the queue (below the two queues' common ancestor) whose borrowing it reclaims.
     */
    private int lender(PodRequest pod, int leaf, QueueLedger.Charge c, long[] demand) {
        if (c.queue() < 0 || c.priority() > pod.priority()) {
            return NOT_ELIGIBLE;
        }
        if (c.queue() == leaf) {
            return tree.spec(leaf).withinQueue().allows(pod.priority(), c.priority()) ? SAME_QUEUE : NOT_ELIGIBLE;
        }
        if (!tree.spec(leaf).reclaim().allows(pod.priority(), c.priority())) {
            return NOT_ELIGIBLE;
        }
        int r = resource(pod);
        int[] mine = tree.path(leaf);
        int[] theirs = tree.path(c.queue());
        int i = mine.length - 1;
        int j = theirs.length - 1;
        while (i > 0 && j > 0 && mine[i] == theirs[j]) {
            i--;
            j--;
        }
        if (mine[i] == theirs[j]) {
            return NOT_ELIGIBLE; // one is the other's ancestor: cannot happen for two leaves
        }
        int a = mine[i];
        int b = theirs[j];
        boolean theyBorrow = ledger.used(b, r) - ledger.leaving(b, r) > tree.guaranteed(b, r);
        // preemptors still waiting for their victims to go count as in their queue already
        boolean weStayWithin = ledger.used(a, r) + ledger.nominated(a, r) + demand[r] <= tree.guaranteed(a, r);
        return theyBorrow && weStayWithin ? b : NOT_ELIGIBLE;
    }

    private static int resource(PodRequest pod) {
        return pod.needsGpu() ? QueueTree.GPU : QueueTree.CPU;
    }

    /**
     * Reclaim takes only what a queue borrows: every unit taken from a lender but the smallest must leave it still
     * borrowing, so a lender is never pushed well below its guarantee.
     */
    private boolean takesOnlyBorrowed(Candidate c, int r) {
        Map<Integer, long[]> byLender = new LinkedHashMap<>();
        for (Unit u : c.units()) {
            if (u.lender() >= 0) {
                long amount = r == QueueTree.GPU ? u.gpuMilli() : 0;
                long[] t = byLender.computeIfAbsent(u.lender(), k -> new long[] {0, Long.MAX_VALUE});
                t[0] += amount;
                t[1] = Math.min(t[1], amount);
            }
        }
        for (Map.Entry<Integer, long[]> e : byLender.entrySet()) {
            long borrowed = ledger.used(e.getKey(), r) - ledger.leaving(e.getKey(), r)
                    - tree.guaranteed(e.getKey(), r);
            if (e.getValue()[0] - e.getValue()[1] >= borrowed) {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(List<Unit> units) {
        List<String> names = new ArrayList<>();
        for (Unit u : units) {
            names.addAll(u.pods());
        }
        return names;
    }
}
