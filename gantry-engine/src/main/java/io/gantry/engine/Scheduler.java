package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.ReservePlugin;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduling cycle: filter every node, score the feasible ones, pick the best (ties to the lowest tie-break
 * rank), choose GPUs inside it, reserve. Also the single entry point for everything that changes the cluster
 * (nodes added, removed or changed; pods placed or removed), so callers such as a Kubernetes watch can drive it
 * incrementally. Not thread-safe: one thread drives one scheduler.
 */
public final class Scheduler {

    /** Enough for the ~100 pod shapes of a trace like openb; bounds memory in a long-running scheduler. */
    static final int MAX_CACHED_SHAPES = 512;

    private final ClusterState state;
    private final SchedulingProfile profile;
    private final FilterPlugin[] filters;
    private final ScorePlugin scorer;
    private final ReservePlugin[] reservePlugins;
    /** Cached scores per pod shape, least recently used shapes dropped beyond {@link #MAX_CACHED_SHAPES}. */
    private final Map<ShapeKey, ScoreCache> scoreCaches = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ShapeKey, ScoreCache> eldest) {
            return size() > MAX_CACHED_SHAPES;
        }
    };
    private final int[] reasonCounts = new int[Reason.values().length];
    private int[] feasible = new int[0];
    private double[] scores = new double[0];

    public Scheduler(ClusterState state, SchedulingProfile profile) {
        this.state = requireNonNull(state, "state");
        this.profile = requireNonNull(profile, "profile");
        this.filters = profile.filters().toArray(FilterPlugin[]::new);
        this.scorer = profile.score();
        this.reservePlugins = profile.reservePlugins().toArray(ReservePlugin[]::new);
    }

    public ClusterState state() {
        return state;
    }

    public SchedulingProfile profile() {
        return profile;
    }

    // ---- the cycle -----------------------------------------------------------------------------------------

    /** Places the pod if any node fits it, taking its resources; otherwise says why not. */
    public ScheduleResult schedule(PodRequest pod) {
        requireNonNull(pod, "pod");
        Optional<GpuAllocation> placed = state.allocation(pod.name());
        if (placed.isPresent()) {
            throw new IllegalStateException("pod " + pod.name() + " is already placed on " + placed.get().nodeName());
        }
        CycleContext cycle = new CycleContext(pod, state);
        int count = filter(cycle);
        if (count == 0) {
            return new ScheduleResult.Unschedulable(pod.name(), explanation());
        }
        int chosen = count == 1 ? feasible[0] : selectHost(cycle, count);
        return reserve(cycle, chosen);
    }

    private ScheduleResult reserve(CycleContext cycle, int slot) {
        int[] gpus = profile.gpuSelector().select(state, cycle, slot);
        GpuAllocation allocation = state.allocate(cycle.pod(), slot, gpus);
        for (ReservePlugin plugin : reservePlugins) {
            plugin.reserved(state, allocation);
        }
        return new ScheduleResult.Scheduled(allocation);
    }

    private int filter(CycleContext cycle) {
        int slots = state.slotCount();
        ensureBuffers(slots);
        Arrays.fill(reasonCounts, 0);
        int count = 0;
        for (int slot = 0; slot < slots; slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            Reason reason = null;
            for (FilterPlugin f : filters) {
                reason = f.filter(state, cycle, slot);
                if (reason != null) {
                    break;
                }
            }
            if (reason == null) {
                feasible[count++] = slot;
            } else {
                reasonCounts[reason.ordinal()]++;
            }
        }
        return count;
    }

    private int selectHost(CycleContext cycle, int count) {
        scorer.preScore(state, cycle, feasible, count);
        if (scorer.cacheable()) {
            ScoreCache cache = scoreCaches.computeIfAbsent(ShapeKey.of(cycle.pod()), k -> new ScoreCache());
            cache.ensure(state.slotCount());
            for (int i = 0; i < count; i++) {
                int slot = feasible[i];
                int stamp = state.version(slot);
                if (cache.stamp[slot] == stamp) {
                    scores[i] = cache.score[slot];
                } else {
                    double s = scorer.score(state, cycle, slot);
                    cache.stamp[slot] = stamp;
                    cache.score[slot] = s;
                    scores[i] = s;
                }
            }
        } else {
            for (int i = 0; i < count; i++) {
                scores[i] = scorer.score(state, cycle, feasible[i]);
            }
        }
        scorer.normalize(scores, count);
        int best = feasible[0];
        double bestScore = scores[0];
        for (int i = 1; i < count; i++) {
            int slot = feasible[i];
            double s = scores[i];
            if (s > bestScore || (s == bestScore && state.tieRank(slot) < state.tieRank(best))) {
                best = slot;
                bestScore = s;
            }
        }
        return best;
    }

    /**
     * Places the pod on this node if it fits there (all filters pass), choosing the GPUs inside it; otherwise says
     * why not. For callers that chose the node themselves, such as a kube-scheduler extender's bind.
     */
    public ScheduleResult scheduleOn(PodRequest pod, String nodeName) {
        requireNonNull(pod, "pod");
        if (state.allocation(pod.name()).isPresent()) {
            throw new IllegalStateException("pod " + pod.name() + " is already placed on "
                    + state.allocation(pod.name()).get().nodeName());
        }
        if (!state.hasNode(nodeName)) {
            return new ScheduleResult.Unschedulable(pod.name(), new Explanation(0, Map.of()));
        }
        int slot = state.slotOf(nodeName);
        CycleContext cycle = new CycleContext(pod, state);
        Reason reason = filterOne(cycle, slot);
        if (reason != null) {
            return new ScheduleResult.Unschedulable(pod.name(), new Explanation(1, Map.of(reason, 1)));
        }
        return reserve(cycle, slot);
    }

    /**
     * Every node's verdict on the pod without placing it: why each infeasible node was rejected, and each feasible
     * node's normalized score (higher is better). For a kube-scheduler extender's filter and prioritize calls.
     */
    public Assessment assess(PodRequest pod) {
        CycleContext cycle = new CycleContext(requireNonNull(pod, "pod"), state);
        Map<String, Reason> rejected = new LinkedHashMap<>();
        int count = 0;
        int slots = state.slotCount();
        ensureBuffers(slots);
        for (int slot = 0; slot < slots; slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            Reason reason = filterOne(cycle, slot);
            if (reason == null) {
                feasible[count++] = slot;
            } else {
                rejected.put(state.nodeName(slot), reason);
            }
        }
        Map<String, Double> scored = new LinkedHashMap<>();
        if (count > 0) {
            scorer.preScore(state, cycle, feasible, count);
            for (int i = 0; i < count; i++) {
                scores[i] = scorer.score(state, cycle, feasible[i]);
            }
            scorer.normalize(scores, count);
            for (int i = 0; i < count; i++) {
                scored.put(state.nodeName(feasible[i]), scores[i]);
            }
        }
        return new Assessment(rejected, scored);
    }

    private Reason filterOne(CycleContext cycle, int slot) {
        for (FilterPlugin f : filters) {
            Reason reason = f.filter(state, cycle, slot);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    private void ensureBuffers(int slots) {
        if (feasible.length < slots) {
            feasible = new int[slots];
            scores = new double[slots];
        }
    }

    private Explanation explanation() {
        Map<Reason, Integer> byReason = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            if (reasonCounts[r.ordinal()] > 0) {
                byReason.put(r, reasonCounts[r.ordinal()]);
            }
        }
        return new Explanation(state.nodeCount(), byReason);
    }

    /** Why the pod fits nowhere right now, or empty if it fits somewhere. Changes nothing. */
    public Optional<Explanation> explain(PodRequest pod) {
        return filter(new CycleContext(requireNonNull(pod, "pod"), state)) == 0 ? Optional.of(explanation())
                : Optional.empty();
    }

    // ---- pods ----------------------------------------------------------------------------------------------

    /** Gives back what the pod took. Empty if the pod is not placed (already released, or never placed). */
    public Optional<GpuAllocation> release(String podName) {
        Optional<GpuAllocation> released = state.release(requireNonNull(podName, "podName"));
        released.ifPresent(a -> {
            for (ReservePlugin plugin : reservePlugins) {
                plugin.released(state, a);
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
        GpuAllocation allocation = state.recordPlaced(new GpuAllocation(pod.name(), nodeName, pod.cpuMilli(),
                pod.memoryMib(), gpuIndices, pod.gpuMilliPerGpu()));
        for (ReservePlugin plugin : reservePlugins) {
            plugin.reserved(state, allocation);
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
        nodeChanged(nodeName);
        return dropped;
    }

    /**
     * Changes a node's capacity, model or GPU count. What is placed on it stays placed, even if it no longer fits
     * (the node then fits nothing more until enough is released).
     */
    public void updateNode(NodeSpec spec) {
        state.updateNode(spec);
        nodeChanged(spec.name());
    }

    private void nodeChanged(String nodeName) {
        for (ReservePlugin plugin : reservePlugins) {
            plugin.nodeChanged(state, nodeName);
        }
    }

    /** The pod fields a cacheable score may depend on. */
    private record ShapeKey(long cpuMilli, int gpuCount, int gpuMilli, List<String> models) {
        static ShapeKey of(PodRequest pod) {
            return new ShapeKey(pod.cpuMilli(), pod.gpuCount(), pod.gpuMilliPerGpu(), pod.allowedGpuModels());
        }
    }

    /** Scores of one pod shape per node slot, valid while the slot's version equals the stamp. */
    private static final class ScoreCache {
        int[] stamp = new int[0];
        double[] score = new double[0];

        void ensure(int slots) {
            if (stamp.length < slots) {
                stamp = Arrays.copyOf(stamp, slots);
                score = Arrays.copyOf(score, slots);
            }
        }
    }
}
