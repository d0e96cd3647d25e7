package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.Explanation;
import io.gantry.engine.FrameworkHandle;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.plugins.ClusterListener;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.PostFilterPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import io.gantry.engine.plugins.ReservePlugin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Backfill with reservations, as Slurm's backfill and Volcano's reservation do it, so that a big pod (an 8-GPU
 * trainer, a gang) is not starved by a stream of small ones that always take the GPUs first.
 *
 * <p>When a leaf queue's pod fits nowhere for want of room (not of quota), it becomes its queue's <em>holder</em>
 * and reserves the node(s) that will have room for it soonest: for each node, the running pods are taken in order of
 * predicted end ({@link RuntimePredictor}) until the pod would fit; one node per gang member still to place. The
 * reservation is needed at the latest of those times. Until the holder is placed, any other pod may use a reserved
 * node only if it is predicted to finish before then, or if it takes only what the holder will not need there
 * (GPUs, CPU, memory to spare at that time). A pod with no prediction counts as running for ever: it delays no
 * reservation, and it never backfills.
 *
 * <p>A reservation holds a queue's turn, no more: it never stands in the way of a pod that fair share would serve
 * before the holder's queue ({@link QueueLedger#ranksBefore}), nor of a pod that stays within its queue's guarantee
 * (and its ancestors') when the holder's queue would borrow. Turned away, such a pod would reclaim its due by
 * preemption elsewhere, and an eviction loses work that an idle reservation does not.
 *
 * <p>One reservation per leaf queue, for the first pod in queue order that fails for room; a pod of higher priority
 * in the same queue takes it over. The holder refreshes it each time it is tried; a reservation not refreshed for
 * {@value #IDLE_MINUTES} minutes (its holder was deleted) lapses. A pod that overruns its prediction delays the
 * holder; it is not killed, unlike Slurm's time limit.
 */
public final class Backfill implements PreFilterPlugin, FilterPlugin, ReservePlugin, PostFilterPlugin,
        ClusterListener {

    public static final String NAME = "Backfill";
    static final long IDLE_MINUTES = 15;
    private static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(IDLE_MINUTES);
    private static final Reason RESERVED = Reason.unresolvable("Reserved",
            "node(s) were reserved for a larger waiting pod, and this pod is not predicted to finish before it starts");
    /**
     * What filter needs of the pod: exempt queue (or -1), predicted end, whole GPUs, CPU, memory it takes, and 1 if
     * it stays within its queue's guarantee, and its queue (or -1).
     */
    private static final CycleContext.Key<long[]> POD = CycleContext.Key.of("backfillPod", long[].class);

    /** A placed pod's run: when it started and how long it was predicted to run then. */
    private record Run(long start, long predicted) {
        long end() {
            return predicted == RuntimePredictor.UNKNOWN ? Long.MAX_VALUE : start + predicted;
        }
    }

    /** The node(s) held for one queue's waiting pod (or gang), and from when it needs them. */
    public record Reservation(String holder, String gang, int priority, long readyAtNanos, List<String> nodes,
            long gpuMilli) {
        public Reservation {
            requireNonNull(holder, "holder");
            nodes = List.copyOf(nodes);
        }

        boolean holds(PodRequest pod) {
            GangSpec g = TenancyKeys.gangOrProbedOf(pod);
            return holder.equals(pod.name()) || (gang != null && g != null && gang.equals(g.name()));
        }
    }

    /** How soon one node would have room for the holder, and what it would have to spare then. */
    private record Candidate(int slot, long readyAt, List<String> before, int spareGpus, long spareCpu,
            long spareMemory) {
    }

    private final QueueLedger ledger;
    private final QueueTree tree;
    private final RuntimePredictor predictor;
    private final LongSupplier clock;
    private final Map<String, Run> runs = new HashMap<>();
    private final Reservation[] reservations;
    private final long[] refreshedAt;
    private int[] reservedBy = new int[0];
    private int[] spareGpus = new int[0];
    private long[] spareCpu = new long[0];
    private long[] spareMemory = new long[0];
    private int active;
    private long version;
    private long reservationsMade;
    private long backfilled;

    /**
     * @param clock the scheduler's clock in nanoseconds (the simulator's simulated time), for run starts and ends
     */
    public Backfill(QueueLedger ledger, RuntimePredictor predictor, LongSupplier clock) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.tree = ledger.tree();
        this.predictor = requireNonNull(predictor, "predictor");
        this.clock = requireNonNull(clock, "clock");
        this.reservations = new Reservation[tree.size()];
        this.refreshedAt = new long[tree.size()];
    }

    @Override
    public String name() {
        return NAME;
    }

    public RuntimePredictor predictor() {
        return predictor;
    }

    /** The reservations in force, by leaf queue name. */
    public Map<String, Reservation> reservations() {
        Map<String, Reservation> byQueue = new HashMap<>();
        for (int q = 0; q < reservations.length; q++) {
            if (reservations[q] != null) {
                byQueue.put(tree.name(q), reservations[q]);
            }
        }
        return byQueue;
    }

    /**
     * What backfill did: reservations made (a refresh by the same holder is not a new one), pods placed on reserved
     * nodes other than the holders, and the predictor's error on completed pods.
     */
    public record Stats(long reservations, long backfilled, RuntimePredictor.Error predictorError) {
    }

    public Stats stats() {
        return new Stats(reservationsMade, backfilled, predictor.error());
    }

    /** Changes whenever a reservation is made, moved or dropped: what fitted nowhere before may fit now. */
    public long version() {
        return version;
    }

    /** Whether the pod (or its gang) holds its queue's reservation: its own reservation never turns it away. */
    public boolean holdsReservation(PodRequest pod) {
        int q = tree.indexOf(TenancyKeys.queueOf(pod));
        return q >= 0 && reservations[q] != null && reservations[q].holds(pod);
    }

    /**
     * A placed pod ran to completion: its run time teaches the predictor. Call it before the pod is released; not for
     * pods that were evicted or deleted.
     */
    public void completed(PodRequest pod) {
        Run run = runs.remove(requireNonNull(pod, "pod").name());
        if (run != null) {
            predictor.completed(pod, run.predicted(), Math.max(0, clock.getAsLong() - run.start()));
        }
    }

    /** A pending pod is gone (deleted, given up): a reservation it holds is dropped. */
    public void forget(String podName) {
        for (int q = 0; q < reservations.length; q++) {
            if (reservations[q] != null && reservations[q].holder().equals(podName)) {
                drop(q);
            }
        }
    }

    // ---- the cycle -----------------------------------------------------------------------------------------

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        if (active == 0) {
            return Status.skip(NAME);
        }
        long now = clock.getAsLong();
        lapse(now);
        if (active == 0) {
            return Status.skip(NAME);
        }
        cycle.write(POD, describe(cycle.pod(), now));
        return Status.SUCCESS;
    }

    /** What {@link #turnsAway} needs of a pod, worked out once per cycle. */
    private long[] describe(PodRequest pod, long now) {
        int q = tree.indexOf(TenancyKeys.queueOf(pod));
        long exempt = q >= 0 && reservations[q] != null && reservations[q].holds(pod) ? q : -1;
        long predicted = predictor.predictNanos(pod);
        long end = predicted == RuntimePredictor.UNKNOWN ? Long.MAX_VALUE : now + predicted;
        // the whole rest of a gang counts, so that every member gets the same answer
        GangSpec gang = TenancyKeys.gangOrProbedOf(pod);
        long members = gang == null ? 1 : Math.max(1, gang.minMember() - ledger.gangPlaced(gang.name()));
        long within = q >= 0 && withinGuarantee(q, pod.totalGpuMilli() * members) ? 1 : 0;
        return new long[] {exempt, end, wholeGpusTaken(pod), pod.cpuMilli(), pod.memoryMib(), within, q};
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        if (node >= reservedBy.length || reservedBy[node] < 0) {
            return null;
        }
        return turnsAway(cycle.read(POD), node) ? RESERVED : null;
    }

    /**
     * Whether a reservation keeps this pod off this node: for room checks made before the filters run, such as a
     * gang's (a member the filters turn away is no room for the gang).
     */
    public boolean turnsAway(PodRequest pod, int slot) {
        if (active == 0 || slot >= reservedBy.length || reservedBy[slot] < 0) {
            return false;
        }
        return turnsAway(describe(pod, clock.getAsLong()), slot);
    }

    private boolean turnsAway(long[] p, int node) {
        int q = reservedBy[node];
        Reservation r = reservations[q];
        if (p[0] == q || p[1] <= r.readyAtNanos() || (p[5] == 1 && !withinGuarantee(q, r.gpuMilli()))
                || (p[6] >= 0 && ledger.ranksBefore((int) p[6], q))) {
            return false;
        }
        return p[2] > spareGpus[node] || p[3] > spareCpu[node] || p[4] > spareMemory[node];
    }

    @Override
    public Status reserve(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
        PodRequest pod = cycle.pod();
        long now = clock.getAsLong();
        Run run = new Run(now, predictor.predictNanos(pod));
        runs.put(pod.name(), run);
        int slot = state.slotOf(allocation.nodeName());
        if (slot >= 0 && slot < reservedBy.length && reservedBy[slot] >= 0) {
            int q = reservedBy[slot];
            Reservation r = reservations[q];
            if (!r.holds(pod)) {
                backfilled++;
            }
            if (!r.holds(pod) && run.end() > r.readyAtNanos()) {
                // it runs past the reservation on what the holder can spare there: less is left to spare
                spareGpus[slot] -= wholeGpusTaken(pod);
                spareCpu[slot] -= pod.cpuMilli();
                spareMemory[slot] -= pod.memoryMib();
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public void unreserve(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
        runs.remove(allocation.podName());
    }

    @Override
    public void placed(ClusterState state, GpuAllocation allocation) {
        PodRequest pod = state.placedPod(allocation.podName()).orElse(null);
        if (pod == null) {
            return;
        }
        // pods the host places directly (found running after a restart) start when first seen
        runs.computeIfAbsent(pod.name(), n -> new Run(clock.getAsLong(), predictor.predictNanos(pod)));
        int q = tree.indexOf(TenancyKeys.queueOf(pod));
        if (q >= 0 && reservations[q] != null && reservations[q].holds(pod)) {
            GangSpec gang = TenancyKeys.gangOf(pod);
            if (gang == null || ledger.gangPlaced(gang.name()) >= gang.minMember()) {
                drop(q);
            }
        }
    }

    @Override
    public void removed(ClusterState state, GpuAllocation allocation) {
        // runs are kept: a preemption probe releases pods and places them back at once; see purge
    }

    @Override
    public void nodeChanged(ClusterState state, String nodeName) {
        int slot = state.slotOf(nodeName);
        if (slot >= 0 && slot < reservedBy.length && reservedBy[slot] >= 0
                && (!state.hasNode(nodeName) || state.spec(slot).unschedulable())) {
            drop(reservedBy[slot]); // the holder recomputes on its next try
        }
    }

    @Override
    public PostFilterResult postFilter(ClusterState state, CycleContext cycle, Explanation filtered) {
        PodRequest pod = cycle.pod();
        int q = tree.indexOf(TenancyKeys.queueOf(pod));
        if (q < 0 || !tree.isLeaf(q) || !starves(pod) || !forWantOfRoom(filtered)) {
            return PostFilterResult.NOTHING;
        }
        long now = clock.getAsLong();
        lapse(now);
        Reservation current = reservations[q];
        if (current != null && !current.holds(pod) && pod.priority() <= current.priority()) {
            return PostFilterResult.NOTHING;
        }
        purge(state);
        boolean refresh = current != null && current.holds(pod);
        if (current != null) {
            drop(q);
        }
        GangSpec gang = TenancyKeys.gangOf(pod);
        int members = gang == null ? 1 : Math.max(1, gang.minMember() - ledger.gangPlaced(gang.name()));
        // a member is probed alone: the gang's own check (room for all members at once) is what failed
        PodRequest member = TenancyKeys.probedAlone(pod);
        FrameworkHandle framework = cycle.framework();
        CycleContext probe = CycleContext.of(member, state, framework);
        List<Candidate> candidates = new ArrayList<>();
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (!state.isActive(slot) || (slot < reservedBy.length && reservedBy[slot] >= 0)
                    || state.spec(slot).unschedulable() || !cycle.modelAllowed(state.modelId(slot))
                    || state.gpuCount(slot) < pod.gpuCount()) {
                continue;
            }
            Candidate c = candidate(state, slot, pod, now);
            if (c != null) {
                candidates.add(c);
            }
        }
        candidates.sort(Comparator.comparingLong(Candidate::readyAt).thenComparingInt(c -> state.tieRank(c.slot()))
                .thenComparingInt(Candidate::slot));
        List<Candidate> chosen = new ArrayList<>(members);
        for (Candidate c : candidates) {
            if (chosen.size() == members) {
                break;
            }
            if (framework.fitsWithout(probe, c.slot(), c.before())) {
                chosen.add(c);
            }
        }
        if (chosen.size() < members) {
            return PostFilterResult.NOTHING;
        }
        long readyAt = chosen.stream().mapToLong(Candidate::readyAt).max().orElse(now);
        List<String> nodes = chosen.stream().map(c -> state.nodeName(c.slot())).toList();
        reservations[q] = new Reservation(pod.name(), gang == null ? null : gang.name(), pod.priority(), readyAt,
                nodes, pod.totalGpuMilli() * members);
        refreshedAt[q] = now;
        if (!refresh) {
            reservationsMade++;
        }
        active++;
        version++;
        ensureSlots(state.slotCount());
        for (Candidate c : chosen) {
            reservedBy[c.slot()] = q;
            spareGpus[c.slot()] = c.spareGpus();
            spareCpu[c.slot()] = c.spareCpu();
            spareMemory[c.slot()] = c.spareMemory();
        }
        return new PostFilterResult("", "Backfill: " + String.join(", ", nodes) + " reserved for this pod"
                + (gang == null ? "" : "'s pod group") + ", expected to have room in " + inWords(readyAt - now)
                + "; pods predicted to finish sooner may use them until then.");
    }

    /**
     * Whether the pod is one that small pods can starve: a gang, or several whole GPUs on one node. A pod of one GPU
     * (or a share) fits as soon as any one GPU frees up, so holding nodes idle for it would only waste them.
     */
    private static boolean starves(PodRequest pod) {
        return TenancyKeys.gangOf(pod) != null || (!pod.isGpuShare() && pod.gpuCount() > 1);
    }

    /** Room, not quota: a filter found no node, or the gang's room check failed. */
    private static boolean forWantOfRoom(Explanation filtered) {
        if (filtered.preFilterMessage().isEmpty()) {
            return true;
        }
        return filtered.nodesByReason().keySet().stream().anyMatch(r -> r.code().equals("GangDoesNotFit"));
    }

    /**
     * When this node would have room for the pod: its running pods in order of predicted end, added back until the
     * pod fits by GPUs, CPU and memory. Null when it never would (pods with no prediction never end).
     */
    private Candidate candidate(ClusterState state, int slot, PodRequest pod, long now) {
        List<GpuAllocation> ending = new ArrayList<>();
        for (GpuAllocation a : state.allocationsOn(slot)) {
            Run run = runs.get(a.podName());
            if (run != null && run.end() != Long.MAX_VALUE) {
                ending.add(a);
            }
        }
        ending.sort(Comparator.comparingLong((GpuAllocation a) -> runs.get(a.podName()).end())
                .thenComparing(GpuAllocation::podName));
        int gpus = state.gpuCount(slot);
        int[] left = new int[gpus];
        for (int g = 0; g < gpus; g++) {
            left[g] = state.gpuUnavailable(slot, g) ? -1 : state.gpuLeft(slot, g);
        }
        long cpu = state.cpuLeft(slot);
        long memory = state.memoryLeft(slot);
        int k = 0;
        while (!fits(pod, left, cpu, memory)) {
            if (k == ending.size()) {
                return null;
            }
            GpuAllocation a = ending.get(k++);
            for (int g : a.gpuIndices()) {
                if (left[g] >= 0) {
                    left[g] += a.gpuMilliPerGpu();
                }
            }
            cpu += a.cpuMilli();
            memory += a.memoryMib();
        }
        long readyAt = k == 0 ? now : Math.max(now, runs.get(ending.get(k - 1).podName()).end());
        List<String> before = ending.subList(0, k).stream().map(GpuAllocation::podName).toList();
        return new Candidate(slot, readyAt, before, Math.max(0, fullyFree(left) - wholeGpusTaken(pod)),
                cpu - pod.cpuMilli(), memory - pod.memoryMib());
    }

    /** Whether the queue and its ancestors would stay within their GPU guarantees with this much more. */
    private boolean withinGuarantee(int q, long gpuMilli) {
        for (int a : tree.path(q)) {
            if (ledger.used(a, QueueTree.GPU) + gpuMilli > tree.guaranteed(a, QueueTree.GPU)) {
                return false;
            }
        }
        return true;
    }

    private static boolean fits(PodRequest pod, int[] left, long cpu, long memory) {
        if (cpu < pod.cpuMilli() || memory < pod.memoryMib()) {
            return false;
        }
        int room = 0;
        for (int l : left) {
            if (l >= pod.gpuMilliPerGpu()) {
                room++;
            }
        }
        return room >= pod.gpuCount();
    }

    private static int fullyFree(int[] left) {
        int n = 0;
        for (int l : left) {
            if (l == NodeSpec.MILLI_PER_GPU) {
                n++;
            }
        }
        return n;
    }

    /** Whole GPUs a pod takes from what a reservation spares: a share counts as one, as it may land on a free GPU. */
    private static int wholeGpusTaken(PodRequest pod) {
        return pod.gpuCount();
    }

    private static String inWords(long nanos) {
        long minutes = Math.max(0, TimeUnit.NANOSECONDS.toMinutes(nanos));
        return minutes < 60 ? minutes + "m" : minutes / 60 + "h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + "m");
    }

    // ---- bookkeeping -------------------------------------------------------------------------------------------

    private void lapse(long now) {
        for (int q = 0; q < reservations.length; q++) {
            if (reservations[q] != null && now - refreshedAt[q] > IDLE_NANOS) {
                drop(q);
            }
        }
    }

    private void drop(int q) {
        if (reservations[q] == null) {
            return;
        }
        reservations[q] = null;
        active--;
        version++;
        for (int s = 0; s < reservedBy.length; s++) {
            if (reservedBy[s] == q) {
                reservedBy[s] = -1;
            }
        }
    }

    /** Runs of pods no longer placed (completed or evicted without a word): dropped once they pile up. */
    private void purge(ClusterState state) {
        if (runs.size() > 2 * state.allocations().size() + 64) {
            runs.keySet().removeIf(name -> state.allocation(name).isEmpty());
        }
    }

    private void ensureSlots(int slots) {
        if (reservedBy.length < slots) {
            int from = reservedBy.length;
            reservedBy = Arrays.copyOf(reservedBy, slots);
            Arrays.fill(reservedBy, from, slots, -1);
            spareGpus = Arrays.copyOf(spareGpus, slots);
            spareCpu = Arrays.copyOf(spareCpu, slots);
            spareMemory = Arrays.copyOf(spareMemory, slots);
        }
    }
}
