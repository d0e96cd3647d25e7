package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.SchedulingProfile.WeightedScore;
import io.gantry.engine.plugins.BindPlugin;
import io.gantry.engine.plugins.ClusterListener;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.PermitPlugin;
import io.gantry.engine.plugins.PostFilterPlugin;
import io.gantry.engine.plugins.PostFilterPlugin.PostFilterResult;
import io.gantry.engine.plugins.PreBindPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import io.gantry.engine.plugins.ReservePlugin;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The scheduling framework's cycle, in kube-scheduler's shape: pre-filter → filter every node → (none fits:
 * post-filter) → pre-score and weighted score of the feasible ones → the best node (ties to the lowest tie-break
 * rank) → GPU assignment inside it → reserve → permit. Then the host binds ({@link #bind}, or its own binding) and
 * reports a failure with {@link #unreserve}.
 *
 * <p>Also the single entry point for everything that changes the cluster (nodes added, removed or changed; pods
 * placed or removed), so a Kubernetes watch can drive it incrementally and listeners stay in step. Not thread-safe:
 * one thread drives one scheduler (bind plugins excepted, see {@link #bind}).
 */
public final class Scheduler implements FrameworkHandle {

    /** Enough for the ~100 pod shapes of a trace like openb; bounds memory in a long-running scheduler. */
    static final int MAX_CACHED_SHAPES = 512;

    private final ClusterState state;
    private final SchedulingProfile profile;
    private final LongSupplier clock;
    private final PreFilterPlugin[] preFilters;
    /** For each pre-filter, the index of the same plugin among the filters (its filter is skipped on SKIP), or -1. */
    private final int[] preFilterOwnsFilter;
    private final FilterPlugin[] filters;
    private final ScorePlugin[] scorers;
    private final int[] weights;
    private final boolean anyCacheable;
    private final ReservePlugin[] reservePlugins;
    private final PermitPlugin[] permitPlugins;
    private final ClusterListener[] listeners;
    /** Cached scores per pod shape, least recently used shapes dropped beyond {@link #MAX_CACHED_SHAPES}. */
    private final Map<ShapeKey, ScoreCache> scoreCaches = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ShapeKey, ScoreCache> eldest) {
            return size() > MAX_CACHED_SHAPES;
        }
    };
    /** Pods Permit holds, in the order they began waiting. */
    private final Map<String, WaitingPod> waiting = new LinkedHashMap<>();
    /** Held pods a plugin allowed from another pod's cycle (a gang's last member), for {@link #takeAllowed}. */
    private final List<GpuAllocation> allowed = new ArrayList<>();
    private final boolean[] filterSkipped;
    /** The filters this cycle runs (those not skipped at pre-filter), so the per-node loop touches no other. */
    private final FilterPlugin[] cycleFilters;
    private int cycleFilterCount;
    /** The last filter pass's rejected nodes and why: written for rejected nodes only, the hot loop's rare case. */
    private int[] rejectedSlots = new int[0];
    private Reason[] rejectedReasons = new Reason[0];
    private int rejectedCount;
    private int[] feasible = new int[0];
    private double[] scores = new double[0];
    private double[] total = new double[0];

    public Scheduler(ClusterState state, SchedulingProfile profile) {
        this(state, profile, System::nanoTime);
    }

    /** @param clock monotonic nanoseconds, for Permit timeouts (the simulator passes its simulated clock) */
    public Scheduler(ClusterState state, SchedulingProfile profile, LongSupplier clock) {
        this.state = requireNonNull(state, "state");
        this.profile = requireNonNull(profile, "profile");
        this.clock = requireNonNull(clock, "clock");
        this.preFilters = profile.preFilters().toArray(PreFilterPlugin[]::new);
        this.filters = profile.filters().toArray(FilterPlugin[]::new);
        this.preFilterOwnsFilter = new int[preFilters.length];
        for (int i = 0; i < preFilters.length; i++) {
            preFilterOwnsFilter[i] = -1;
            for (int f = 0; f < filters.length; f++) {
                if (filters[f] == (Object) preFilters[i]) {
                    preFilterOwnsFilter[i] = f;
                }
            }
        }
        this.filterSkipped = new boolean[filters.length];
        this.cycleFilters = new FilterPlugin[filters.length];
        List<WeightedScore> weighted = profile.scores();
        this.scorers = weighted.stream().map(WeightedScore::plugin).toArray(ScorePlugin[]::new);
        this.weights = weighted.stream().mapToInt(WeightedScore::weight).toArray();
        this.anyCacheable = Arrays.stream(scorers).anyMatch(ScorePlugin::cacheable);
        this.reservePlugins = profile.reservePlugins().toArray(ReservePlugin[]::new);
        this.permitPlugins = profile.permitPlugins().toArray(PermitPlugin[]::new);
        this.listeners = profile.listeners().toArray(ClusterListener[]::new);
    }

    public ClusterState state() {
        return state;
    }

    public SchedulingProfile profile() {
        return profile;
    }

    // ---- the scheduling cycle ------------------------------------------------------------------------------

    /** Runs one scheduling cycle for the pod: placed (or held by Permit), or why not. */
    public ScheduleResult schedule(PodRequest pod) {
        requireNonNull(pod, "pod");
        checkNotPlaced(pod.name());
        CycleContext cycle = new CycleContext(pod, state, this);
        Status pre = preFilter(cycle);
        if (!pre.isSuccess()) {
            if (pre.code() == Status.Code.UNSCHEDULABLE && !profile.postFilters().isEmpty()) {
                // e.g. a queue's quota is used up by borrowers: preemption may give it back
                return postFilter(cycle, Explanation.preFilter(state.nodeCount(), pre), pre);
            }
            return preFilterRejection(pod, pre);
        }
        int count = filterAll(cycle);
        if (count == 0) {
            return postFilter(cycle, explanation(), new Status(Status.Code.UNSCHEDULABLE, "", List.of(), 0));
        }
        int chosen = count == 1 ? feasible[0] : selectHost(cycle, count);
        return reserveAndPermit(cycle, chosen);
    }

    /**
     * Runs the cycle for a node chosen elsewhere (a kube-scheduler extender's bind): the pod is placed there if every
     * filter passes, with the GPUs chosen inside it; otherwise says why not. No post-filter.
     */
    public ScheduleResult scheduleOn(PodRequest pod, String nodeName) {
        requireNonNull(pod, "pod");
        checkNotPlaced(pod.name());
        if (!state.hasNode(nodeName)) {
            return new ScheduleResult.Unschedulable(pod.name(), new Explanation(0, Map.of()));
        }
        CycleContext cycle = new CycleContext(pod, state, this);
        Status pre = preFilter(cycle);
        if (!pre.isSuccess()) {
            return new ScheduleResult.Unschedulable(pod.name(), Explanation.preFilter(1, pre), pre, "");
        }
        int slot = state.slotOf(nodeName);
        Reason reason = filterOne(cycle, slot);
        if (reason != null) {
            Map<Reason, Integer> byReason = new HashMap<>();
            reason.faults().forEach(f -> byReason.put(f, 1));
            return new ScheduleResult.Unschedulable(pod.name(), new Explanation(1, byReason), reason.status(""), "");
        }
        return reserveAndPermit(cycle, slot);
    }

    private void checkNotPlaced(String podName) {
        Optional<GpuAllocation> placed = state.allocation(podName);
        if (placed.isPresent()) {
            throw new IllegalStateException("pod " + podName + " is already placed on " + placed.get().nodeName());
        }
    }

    private Status preFilter(CycleContext cycle) {
        Arrays.fill(filterSkipped, false);
        for (int i = 0; i < preFilters.length; i++) {
            Status s = preFilters[i].preFilter(state, cycle);
            if (s.code() == Status.Code.SKIP) {
                if (preFilterOwnsFilter[i] >= 0) {
                    filterSkipped[preFilterOwnsFilter[i]] = true;
                }
            } else if (!s.isSuccess()) {
                return s;
            }
        }
        int n = 0;
        for (int f = 0; f < filters.length; f++) {
            if (!filterSkipped[f]) {
                cycleFilters[n++] = filters[f];
            }
        }
        cycleFilterCount = n;
        return Status.SUCCESS;
    }

    /** A pre-filter rejection: every node counts under its reasons, as kube-scheduler reports it. */
    private ScheduleResult preFilterRejection(PodRequest pod, Status status) {
        return new ScheduleResult.Unschedulable(pod.name(), Explanation.preFilter(state.nodeCount(), status), status,
                "");
    }

    private int filterAll(CycleContext cycle) {
        int slots = state.slotCount();
        ensureBuffers(slots);
        int count = 0;
        int rejected = 0;
        for (int slot = 0; slot < slots; slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            Reason reason = filterOne(cycle, slot);
            if (reason == null) {
                feasible[count++] = slot;
            } else {
                rejectedSlots[rejected] = slot;
                rejectedReasons[rejected++] = reason;
            }
        }
        rejectedCount = rejected;
        return count;
    }

    /** The node through this cycle's filters (set by {@link #preFilter}); the first rejection, or null. */
    private Reason filterOne(CycleContext cycle, int slot) {
        FilterPlugin[] active = cycleFilters;
        for (int f = 0, n = cycleFilterCount; f < n; f++) {
            Reason reason = active[f].filter(state, cycle, slot);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    private ScheduleResult postFilter(CycleContext cycle, Explanation filtered, Status status) {
        Explanation explanation = filtered;
        String nominated = "";
        List<String> victims = List.of();
        StringBuilder messages = new StringBuilder();
        for (PostFilterPlugin plugin : profile.postFilters()) {
            PostFilterResult result = plugin.postFilter(state, cycle, filtered);
            if (!result.message().isEmpty()) {
                messages.append(messages.length() == 0 ? "" : " ").append(result.message());
            }
            if (result.nominated()) {
                nominated = result.nominatedNode();
                victims = result.victims();
                break;
            }
        }
        if (messages.length() > 0) {
            explanation = filtered.withPostFilterMessage(messages.toString());
        }
        return new ScheduleResult.Unschedulable(cycle.pod().name(), explanation, status, nominated, victims);
    }

    private int selectHost(CycleContext cycle, int count) {
        scoreFeasible(cycle, count, true);
        int best = feasible[0];
        double bestScore = total[0];
        for (int i = 1; i < count; i++) {
            int slot = feasible[i];
            double s = total[i];
            if (s > bestScore || (s == bestScore && state.tieRank(slot) < state.tieRank(best))) {
                best = slot;
                bestScore = s;
            }
        }
        return best;
    }

    /** Fills {@code total[0..count)}: the weighted sum of every score plugin's normalized score. */
    private void scoreFeasible(CycleContext cycle, int count, boolean useCache) {
        ScoreCache cache = null;
        if (useCache && anyCacheable) {
            cache = scoreCaches.computeIfAbsent(ShapeKey.of(cycle.pod()), k -> new ScoreCache(scorers.length));
            cache.ensure(state.slotCount());
        }
        Arrays.fill(total, 0, count, 0.0);
        for (int p = 0; p < scorers.length; p++) {
            ScorePlugin scorer = scorers[p];
            scorer.preScore(state, cycle, feasible, count);
            if (scorer.skipped()) {
                continue;
            }
            if (cache != null && scorer.cacheable()) {
                int[] stamp = cache.stamp[p];
                double[] cached = cache.score[p];
                for (int i = 0; i < count; i++) {
                    int slot = feasible[i];
                    int version = state.version(slot);
                    if (stamp[slot] == version) {
                        scores[i] = cached[slot];
                    } else {
                        double s = scorer.score(state, cycle, slot);
                        stamp[slot] = version;
                        cached[slot] = s;
                        scores[i] = s;
                    }
                }
            } else {
                for (int i = 0; i < count; i++) {
                    scores[i] = scorer.score(state, cycle, feasible[i]);
                }
            }
            scorer.normalize(scores, count);
            int w = weights[p];
            for (int i = 0; i < count; i++) {
                total[i] += w * scores[i];
            }
        }
    }

    private ScheduleResult reserveAndPermit(CycleContext cycle, int slot) {
        PodRequest pod = cycle.pod();
        int[] gpus = profile.gpuSelector().select(state, cycle, slot);
        GpuAllocation allocation = state.allocate(pod, slot, gpus);
        for (ClusterListener l : listeners) {
            l.placed(state, allocation);
        }
        for (ReservePlugin plugin : reservePlugins) {
            Status s = plugin.reserve(state, cycle, allocation);
            if (!s.isSuccess()) {
                rollBack(cycle, allocation);
                return rejected(pod, s, plugin.name());
            }
        }
        long deadline = Long.MAX_VALUE;
        Set<String> waitingOn = null;
        for (PermitPlugin plugin : permitPlugins) {
            Status s = plugin.permit(state, cycle, allocation);
            if (s.code() == Status.Code.WAIT) {
                if (waitingOn == null) {
                    waitingOn = new LinkedHashSet<>();
                }
                waitingOn.add(plugin.name());
                deadline = Math.min(deadline, saturatedAdd(clock.getAsLong(), s.waitNanos()));
            } else if (!s.isSuccess()) {
                rollBack(cycle, allocation);
                return rejected(pod, s, plugin.name());
            }
        }
        if (waitingOn != null) {
            waiting.put(pod.name(), new WaitingPod(cycle, allocation, waitingOn, deadline));
            return new ScheduleResult.Waiting(allocation, deadline);
        }
        return new ScheduleResult.Scheduled(allocation);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private ScheduleResult rejected(PodRequest pod, Status status, String plugin) {
        Status named = status.plugin().isEmpty() ? new Status(status.code(), plugin, status.reasons(), 0) : status;
        Map<Reason, Integer> byReason = new HashMap<>();
        List<Reason> reasons = named.reasons().isEmpty()
                ? List.of(Reason.unresolvable("Rejected", "rejected by plugin " + plugin)) : named.reasons();
        for (Reason r : reasons) {
            byReason.put(r, 1);
        }
        return new ScheduleResult.Unschedulable(pod.name(), new Explanation(state.nodeCount(), byReason), named, "");
    }

    /** Unreserve (every reserve plugin, in reverse order, as kube-scheduler does) and give the placement back. */
    private void rollBack(CycleContext cycle, GpuAllocation allocation) {
        for (int i = reservePlugins.length - 1; i >= 0; i--) {
            reservePlugins[i].unreserve(state, cycle, allocation);
        }
        state.release(allocation.podName());
        for (ClusterListener l : listeners) {
            l.removed(state, allocation);
        }
    }

    // ---- permit: waiting pods ------------------------------------------------------------------------------

    /**
     * One waiting plugin allows the pod. Returns its allocation once no plugin is left waiting (the host binds it
     * then); empty while others still wait, or if the pod is not waiting.
     */
    public Optional<GpuAllocation> allow(String podName, String plugin) {
        WaitingPod w = waiting.get(requireNonNull(podName, "podName"));
        if (w == null) {
            return Optional.empty();
        }
        w.pendingPlugins.remove(plugin);
        if (!w.pendingPlugins.isEmpty()) {
            return Optional.empty();
        }
        waiting.remove(podName);
        return Optional.of(w.allocation);
    }

    /** Rejects a waiting pod: unreserved and given back. False if it was not waiting. */
    public boolean reject(String podName) {
        WaitingPod w = waiting.remove(requireNonNull(podName, "podName"));
        if (w == null) {
            return false;
        }
        rollBack(w.cycle, w.allocation);
        return true;
    }

    /** Rejects every waiting pod whose Permit timeout has passed; returns their names, oldest wait first. */
    public List<String> expireWaiting() {
        long now = clock.getAsLong();
        List<String> expired = new ArrayList<>();
        for (WaitingPod w : waiting.values()) {
            if (w.deadlineNanos <= now) {
                expired.add(w.allocation.podName());
            }
        }
        for (String pod : expired) {
            reject(pod);
        }
        return expired;
    }

    /** The pods Permit holds, oldest first. */
    @Override
    public List<String> waitingPods() {
        return List.copyOf(waiting.keySet());
    }

    @Override
    public boolean allowWaiting(String podName, String plugin) {
        if (!waiting.containsKey(requireNonNull(podName, "podName"))) {
            return false;
        }
        allow(podName, plugin).ifPresent(allowed::add);
        return true;
    }

    @Override
    public boolean rejectWaiting(String podName) {
        return reject(podName);
    }

    /**
     * The held pods that plugins allowed from other pods' cycles since the last call (a gang's members once its last
     * one reserved), in the order they were allowed: the host binds them as it binds a {@code Scheduled} result.
     */
    public List<GpuAllocation> takeAllowed() {
        if (allowed.isEmpty()) {
            return List.of();
        }
        List<GpuAllocation> taken = List.copyOf(allowed);
        allowed.clear();
        return taken;
    }

    @Override
    public boolean fitsWithout(CycleContext cycle, int slot, Collection<String> removed) {
        requireNonNull(cycle, "cycle");
        List<PodRequest> pods = new ArrayList<>(removed.size());
        List<GpuAllocation> allocations = new ArrayList<>(removed.size());
        for (String name : removed) {
            Optional<PodRequest> pod = state.placedPod(name);
            if (pod.isEmpty()) {
                continue;
            }
            GpuAllocation a = state.release(name).orElseThrow();
            pods.add(pod.get());
            allocations.add(a);
            for (ClusterListener l : listeners) {
                l.removed(state, a);
            }
        }
        try {
            CycleContext probe = new CycleContext(cycle.pod(), state, this);
            return preFilter(probe).isSuccess()
                    && (slot < 0 || (state.isActive(slot) && filterOne(probe, slot) == null));
        } finally {
            for (int i = pods.size() - 1; i >= 0; i--) {
                GpuAllocation a = state.recordPlaced(pods.get(i), allocations.get(i));
                for (ClusterListener l : listeners) {
                    l.placed(state, a);
                }
            }
        }
    }

    @Override
    public long nowNanos() {
        return clock.getAsLong();
    }

    // ---- the binding cycle ---------------------------------------------------------------------------------

    /**
     * Runs the profile's pre-bind and bind plugins for a placed pod. Touches no cluster state, so a host may run it on
     * another thread; on failure the host calls {@link #unreserve} on the scheduling thread.
     */
    public Status bind(PodRequest pod, GpuAllocation allocation) {
        for (PreBindPlugin plugin : profile.preBindPlugins()) {
            Status s = plugin.preBind(pod, allocation);
            if (!s.isSuccess()) {
                return s;
            }
        }
        for (BindPlugin plugin : profile.bindPlugins()) {
            Status s = plugin.bind(pod, allocation);
            if (s.code() != Status.Code.SKIP) {
                return s;
            }
        }
        return Status.error("", "no bind plugin bound pod " + pod.name());
    }

    /**
     * Undoes a placement whose binding failed: every reserve plugin unreserves it, then it is given back. Empty if
     * the pod is not placed.
     */
    public Optional<GpuAllocation> unreserve(String podName) {
        Optional<GpuAllocation> placed = state.allocation(requireNonNull(podName, "podName"));
        if (placed.isEmpty()) {
            return placed;
        }
        PodRequest pod = state.placedPod(podName).orElseThrow();
        waiting.remove(podName);
        rollBack(new CycleContext(pod, state, this), placed.get());
        return placed;
    }

    // ---- reads ---------------------------------------------------------------------------------------------

    /**
     * Every node's verdict on the pod without placing it: why each infeasible node was rejected, and each feasible
     * node's weighted score (higher is better). For a kube-scheduler extender's filter and prioritize calls and
     * "what if" questions.
     */
    public Assessment assess(PodRequest pod) {
        CycleContext cycle = new CycleContext(requireNonNull(pod, "pod"), state, this);
        Map<String, Reason> rejected = new LinkedHashMap<>();
        Status pre = preFilter(cycle);
        if (!pre.isSuccess()) {
            Reason r = pre.reasons().isEmpty() ? Reason.unresolvable("PreFilter", pre.message()) : pre.reasons().get(0);
            for (int slot = 0; slot < state.slotCount(); slot++) {
                if (state.isActive(slot)) {
                    rejected.put(state.nodeName(slot), r);
                }
            }
            return new Assessment(rejected, Map.of());
        }
        int count = filterAll(cycle);
        for (int i = 0; i < rejectedCount; i++) {
            rejected.put(state.nodeName(rejectedSlots[i]), rejectedReasons[i]);
        }
        Map<String, Double> scored = new LinkedHashMap<>();
        if (count > 0) {
            scoreFeasible(cycle, count, false);
            for (int i = 0; i < count; i++) {
                scored.put(state.nodeName(feasible[i]), total[i]);
            }
        }
        return new Assessment(rejected, scored);
    }

    /** Why the pod fits nowhere right now, or empty if it fits somewhere. Changes nothing. */
    public Optional<Explanation> explain(PodRequest pod) {
        CycleContext cycle = new CycleContext(requireNonNull(pod, "pod"), state, this);
        Status pre = preFilter(cycle);
        if (!pre.isSuccess()) {
            return Optional.of(Explanation.preFilter(state.nodeCount(), pre));
        }
        return filterAll(cycle) == 0 ? Optional.of(explanation()) : Optional.empty();
    }

    private Explanation explanation() {
        Map<Reason, Integer> byReason = new HashMap<>();
        for (int i = 0; i < rejectedCount; i++) {
            for (Reason fault : rejectedReasons[i].faults()) {
                byReason.merge(fault, 1, Integer::sum);
            }
        }
        return new Explanation(state.nodeCount(), byReason);
    }

    private void ensureBuffers(int slots) {
        if (feasible.length < slots) {
            feasible = new int[slots];
            scores = new double[slots];
            total = new double[slots];
            rejectedSlots = new int[slots];
            rejectedReasons = new Reason[slots];
        }
    }

    // ---- pods ----------------------------------------------------------------------------------------------

    /**
     * Gives back what the pod took (it finished or was deleted). Empty if the pod is not placed (already released,
     * or never placed). A pod Permit was holding stops waiting.
     */
    public Optional<GpuAllocation> release(String podName) {
        waiting.remove(requireNonNull(podName, "podName"));
        allowed.removeIf(a -> a.podName().equals(podName));
        Optional<GpuAllocation> released = state.release(podName);
        released.ifPresent(a -> {
            for (ClusterListener l : listeners) {
                l.removed(state, a);
            }
        });
        return released;
    }

    /**
     * Records a pod that is already placed (e.g. found bound when a scheduler restarts), on the GPUs it holds.
     * The cluster is the truth, so this does not check fit: an overcommitted node simply fits nothing more.
     */
    public GpuAllocation recordPlaced(PodRequest pod, String nodeName, List<Integer> gpuIndices) {
        requireNonNull(pod, "pod");
        requireNonNull(gpuIndices, "gpuIndices");
        if (gpuIndices.size() != pod.gpuCount()) {
            throw new IllegalArgumentException("pod " + pod.name() + " asks for " + pod.gpuCount() + " GPUs but "
                    + gpuIndices.size() + " are recorded: " + gpuIndices);
        }
        state.slotOf(nodeName);
        if (gpuIndices.stream().anyMatch(g -> g < 0) || gpuIndices.stream().distinct().count() != gpuIndices.size()) {
            throw new IllegalArgumentException("pod " + pod.name() + " on " + nodeName
                    + ": GPU indices must be distinct and not negative, got " + gpuIndices);
        }
        GpuAllocation allocation = state.recordPlaced(pod, new GpuAllocation(pod.name(), nodeName, pod.cpuMilli(),
                pod.memoryMib(), gpuIndices, pod.gpuMilliPerGpu()));
        for (ClusterListener l : listeners) {
            l.placed(state, allocation);
        }
        return allocation;
    }

    public Optional<GpuAllocation> allocation(String podName) {
        return state.allocation(podName);
    }

    public Collection<GpuAllocation> allocations() {
        return state.allocations();
    }

    // ---- nodes ---------------------------------------------------------------------------------------------

    public void addNode(NodeSpec spec) {
        state.addNode(spec);
        nodeChanged(spec.name());
    }

    /** Removes the node; the pods that were on it are forgotten and returned. */
    public List<GpuAllocation> removeNode(String nodeName) {
        state.slotOf(nodeName);
        List<GpuAllocation> dropped = state.removeNode(nodeName);
        for (GpuAllocation a : dropped) {
            waiting.remove(a.podName());
        }
        nodeChanged(nodeName);
        return dropped;
    }

    /**
     * Changes a node's capacity, model, GPU count or unavailable GPUs. What is placed on it stays placed, even if it
     * no longer fits (the node then fits nothing more until enough is released).
     */
    public void updateNode(NodeSpec spec) {
        state.updateNode(spec);
        nodeChanged(spec.name());
    }

    private void nodeChanged(String nodeName) {
        for (ClusterListener l : listeners) {
            l.nodeChanged(state, nodeName);
        }
    }

    /** The pod fields a cacheable score may depend on. */
    private record ShapeKey(long cpuMilli, int gpuCount, int gpuMilli, List<String> models) {
        static ShapeKey of(PodRequest pod) {
            return new ShapeKey(pod.cpuMilli(), pod.gpuCount(), pod.gpuMilliPerGpu(), pod.allowedGpuModels());
        }
    }

    /** Scores of one pod shape per score plugin and node slot, valid while the slot's version equals the stamp. */
    private static final class ScoreCache {
        final int[][] stamp;
        final double[][] score;

        ScoreCache(int plugins) {
            stamp = new int[plugins][0];
            score = new double[plugins][0];
        }

        void ensure(int slots) {
            if (stamp[0].length < slots) {
                for (int p = 0; p < stamp.length; p++) {
                    int old = stamp[p].length;
                    stamp[p] = Arrays.copyOf(stamp[p], slots);
                    Arrays.fill(stamp[p], old, slots, Integer.MIN_VALUE);
                    score[p] = Arrays.copyOf(score[p], slots);
                }
            }
        }
    }

    /** A pod Permit holds: reserved, waiting for the named plugins to allow it before the deadline. */
    private static final class WaitingPod {
        final CycleContext cycle;
        final GpuAllocation allocation;
        final Set<String> pendingPlugins;
        final long deadlineNanos;

        WaitingPod(CycleContext cycle, GpuAllocation allocation, Set<String> pendingPlugins, long deadlineNanos) {
            this.cycle = cycle;
            this.allocation = allocation;
            this.pendingPlugins = pendingPlugins;
            this.deadlineNanos = deadlineNanos;
        }
    }
}
