package io.gantry.sim.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import io.gantry.engine.tenancy.FairShare;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.QueueLedger;
import io.gantry.engine.tenancy.Backfill;
import io.gantry.sim.report.PodClass;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.QueueTree;
import io.gantry.engine.tenancy.Tenancy;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.sim.report.DelayStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Watches one timed run under an admission policy and keeps, per queue, GPU use and fair-share entitlement
 * integrated over simulated time, waits, preemptions; and checks the invariants after every moment. The run calls
 * it at each event it handles; it reads the queues' use from the engine's {@link QueueLedger}.
 */
public final class TenantRecorder {

    private final Tenancy tenancy;
    private final QueueLedger ledger;
    /** The declared queues with borrowing: entitlements are the same fair ideal for every admission policy. */
    private final QueueTree declared;
    private final QueueTree enforced;
    private final long capacity;
    private final long start;
    private final long stop;
    private final int n;
    private final long[] pendingGpu;
    private final int[] pendingPods;
    private final long[] used;
    private final long[] entitled;
    private final boolean[] backlogged;
    private final double[] allocIntegral;
    private final double[] entIntegral;
    private final double[] metIntegral;
    private final double[] metDenominator;
    private final double[] backloggedMillis;
    private final long[] belowSince;
    /** Per leaf queue, the GPU demand of each waiting pod (a gang member's: its whole gang's), with counts. */
    private final Map<Integer, java.util.TreeMap<Long, Integer>> pendingDemands = new HashMap<>();
    private final long[] longestBelow;
    private final int[] arrived;
    private final int[] placed;
    private final int[] preempted;
    private final double[] lost;
    private final Map<Integer, List<Long>> waits = new HashMap<>();
    /** 8-GPU pods' wait until their last start (after an eviction they wait again), by pod, with their queue. */
    private final Map<String, long[]> gpu8Waits = new HashMap<>();
    private final Set<String> firstStarted = new HashSet<>();
    private final Map<String, Integer> runningMembers = new HashMap<>();
    private final Map<String, GangSpec> gangsTouched = new HashMap<>();
    private final Set<String> gangsStartedFully = new HashSet<>();
    private final Set<String> gangsSeen = new HashSet<>();
    private long last;
    private long violations;
    private final Set<String> partial = new HashSet<>();
    private int inversions;
    private int preemptions;
    private double gpuHoursLost;

    /**
     * @param declared the queues as declared (with borrowing)
     * @param start the first arrival: figures are averaged from here …
     * @param stop … to the last arrival (the offered load's span)
     */
    public TenantRecorder(Tenancy tenancy, List<QueueSpec> declared, long capacity, long start, long stop) {
        this.tenancy = requireNonNull(tenancy, "tenancy");
        this.ledger = tenancy.ledger();
        this.enforced = tenancy.tree();
        this.declared = QueueTree.of(declared);
        this.capacity = capacity;
        this.start = start;
        this.stop = Math.max(stop, start + 1);
        this.n = enforced.size();
        pendingGpu = new long[n];
        pendingPods = new int[n];
        used = new long[n];
        entitled = new long[n];
        backlogged = new boolean[n];
        allocIntegral = new double[n];
        entIntegral = new double[n];
        metIntegral = new double[n];
        metDenominator = new double[n];
        backloggedMillis = new double[n];
        belowSince = new long[n];
        java.util.Arrays.fill(belowSince, -1);
        longestBelow = new long[n];
        arrived = new int[n];
        placed = new int[n];
        preempted = new int[n];
        lost = new double[n];
        last = start;
    }

    private int queueOf(PodRequest pod) {
        return enforced.indexOf(TenancyKeys.queueOf(pod));
    }

    public void arrived(PodRequest pod) {
        int q = queueOf(pod);
        if (q >= 0) {
            arrived[q]++;
        }
        GangSpec gang = TenancyKeys.gangOf(pod);
        if (gang != null) {
            gangsSeen.add(gang.name());
        }
    }

    /** The pod waits (arrived, or back after a rejection or an eviction) or stops waiting (+1 / −1). */
    public void pending(PodRequest pod, int delta) {
        int q = queueOf(pod);
        if (q >= 0) {
            pendingGpu[q] += delta * pod.totalGpuMilli();
            pendingPods[q] += delta;
            GangSpec gang = TenancyKeys.gangOf(pod);
            long demand = pod.totalGpuMilli() * (gang == null ? 1 : gang.minMember());
            pendingDemands.computeIfAbsent(q, k -> new java.util.TreeMap<>()).merge(demand, delta,
                    (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    /** The pod is bound and runs, {@code waitMillis} after it arrived. */
    public void started(PodRequest pod, long waitMillis) {
        int q = queueOf(pod);
        if (q >= 0 && firstStarted.add(pod.name())) {
            placed[q]++;
            waits.computeIfAbsent(q, k -> new ArrayList<>()).add(waitMillis);
        }
        if (q >= 0 && PodClass.of(pod) == PodClass.GPU_8) {
            gpu8Waits.put(pod.name(), new long[] {q, waitMillis});
        }
        GangSpec gang = TenancyKeys.gangOf(pod);
        if (gang != null) {
            runningMembers.merge(gang.name(), 1, Integer::sum);
            gangsTouched.put(gang.name(), gang);
        }
    }

    /** The pod stopped running (completed or evicted). */
    public void stopped(PodRequest pod) {
        GangSpec gang = TenancyKeys.gangOf(pod);
        if (gang != null) {
            runningMembers.computeIfPresent(gang.name(), (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    /** {@code victim} was evicted for {@code preemptor} after running {@code ranMillis}. */
    public void evicted(PodRequest victim, PodRequest preemptor, long ranMillis) {
        preemptions++;
        if (victim.priority() > preemptor.priority()) {
            inversions++;
        }
        double hours = victim.totalGpuMilli() / 1000.0 * ranMillis / 3_600_000.0;
        gpuHoursLost += hours;
        int q = queueOf(victim);
        if (q >= 0) {
            preempted[q]++;
            lost[q] += hours;
        }
        stopped(victim);
        GangSpec gang = TenancyKeys.gangOf(victim);
        if (gang != null) {
            gangsStartedFully.remove(gang.name()); // back to the queue: it must start whole again
        }
    }

    /** Everything of the moment {@code now} has happened: integrate up to it, then check and snapshot. */
    public void moment(long now) {
        integrate(now);
        for (Map.Entry<String, GangSpec> g : gangsTouched.entrySet()) {
            int running = runningMembers.getOrDefault(g.getKey(), 0);
            if (running > 0 && running < g.getValue().minMember() && !gangsStartedFully.contains(g.getKey())) {
                partial.add(g.getKey());
            }
            if (running >= g.getValue().minMember()) {
                gangsStartedFully.add(g.getKey());
            }
        }
        gangsTouched.clear();
        if (tenancy.mode() != Tenancy.Mode.FIFO) {
            for (int q = 0; q < n; q++) {
                for (int r = 0; r < enforced.resourceCount(); r++) {
                    if (ledger.used(q, r) > enforced.limit(q, r)) {
                        violations++;
                        q = n;
                        break;
                    }
                }
            }
        }
        snapshot(now);
    }

    private void integrate(long now) {
        long from = Math.max(last, start);
        long to = Math.min(now, stop);
        if (to > from) {
            double dt = to - from;
            for (int q = 0; q < n; q++) {
                allocIntegral[q] += used[q] * dt;
                entIntegral[q] += entitled[q] * dt;
                if (backlogged[q]) {
                    backloggedMillis[q] += dt;
                    metIntegral[q] += Math.min(used[q], entitled[q]) * dt;
                    metDenominator[q] += entitled[q] * dt;
                }
            }
        }
        last = Math.max(last, now);
    }

    /** The smallest demand waiting in the queue or its descendants (Long.MAX_VALUE / 2 when none). */
    private long smallestPending(int q) {
        long smallest = Long.MAX_VALUE / 2;
        for (Map.Entry<Integer, java.util.TreeMap<Long, Integer>> e : pendingDemands.entrySet()) {
            if (!e.getValue().isEmpty() && contains(enforced.path(e.getKey()), q)) {
                smallest = Math.min(smallest, e.getValue().firstKey());
            }
        }
        return smallest;
    }

    private void snapshot(long now) {
        long[] wanted = new long[n];
        for (int q = 0; q < n; q++) {
            used[q] = ledger.used(q, QueueTree.GPU);
        }
        int[] pendingSubtree = new int[n];
        for (int q = 0; q < n; q++) {
            if (enforced.isLeaf(q)) {
                wanted[q] = used[q] + pendingGpu[q];
                for (int a : enforced.path(q)) {
                    pendingSubtree[a] += pendingPods[q];
                }
            }
        }
        long[] share = FairShare.entitlements(declared, reorder(wanted), capacity);
        for (int q = 0; q < n; q++) {
            entitled[q] = share[declared.indexOf(enforced.name(q))];
            backlogged[q] = pendingSubtree[q] > 0;
            // owed: below its guarantee with a pod waiting that the guarantee has room for (Kueue's nominal quota)
            boolean below = backlogged[q] && used[q] + smallestPending(q) <= enforced.guaranteed(q, QueueTree.GPU)
                    && used[q] < enforced.guaranteed(q, QueueTree.GPU);
            if (below && belowSince[q] < 0) {
                belowSince[q] = now;
            } else if (!below && belowSince[q] >= 0) {
                longestBelow[q] = Math.max(longestBelow[q], now - belowSince[q]);
                belowSince[q] = -1;
            }
        }
    }

    private long[] reorder(long[] byEnforced) {
        long[] out = new long[declared.size()];
        for (int q = 0; q < n; q++) {
            out[declared.indexOf(enforced.name(q))] = byEnforced[q];
        }
        return out;
    }

    public TenantReport report(long end) {
        integrate(end);
        double span = stop - start;
        List<TenantReport.QueueRow> rows = new ArrayList<>();
        double sum = 0;
        double sumSq = 0;
        int backloggedLeaves = 0;
        for (int q = 0; q < n; q++) {
            if (belowSince[q] >= 0) {
                longestBelow[q] = Math.max(longestBelow[q], end - belowSince[q]);
            }
            long[] w = waits.getOrDefault(q, List.of()).stream().mapToLong(Long::longValue).sorted().toArray();
            int queue = q;
            long[] w8 = gpu8Waits.values().stream().filter(x -> contains(enforced.path((int) x[0]), queue))
                    .mapToLong(x -> x[1]).sorted().toArray();
            double met = metDenominator[q] > 0 ? metIntegral[q] / metDenominator[q] : Double.NaN;
            if (enforced.isLeaf(q) && !Double.isNaN(met)) {
                sum += met;
                sumSq += met * met;
                backloggedLeaves++;
            }
            QueueSpec spec = enforced.spec(q);
            long guaranteed = declared.guaranteed(declared.indexOf(spec.name()), QueueTree.GPU);
            rows.add(new TenantReport.QueueRow(spec.name(), spec.parent(), enforced.isLeaf(q), guaranteed / 1000.0,
                    allocIntegral[q] / span / 1000.0, 100.0 * allocIntegral[q] / span / capacity,
                    entIntegral[q] / span / 1000.0, met, backloggedMillis[q] / 3_600_000.0, arrived(q), placed(q),
                    arrived(q) - placed(q), seconds(w, 50), seconds(w, 95), seconds(w, 99),
                    w.length == 0 ? Double.NaN : w[w.length - 1] / 1000.0, preempted[q], lost[q], longestBelow[q],
                    seconds(w8, 99)));
        }
        double jain = backloggedLeaves == 0 || sumSq == 0 ? 1.0 : sum * sum / (backloggedLeaves * sumSq);
        return new TenantReport(tenancy.mode().label(), rows, violations, partial.size(), inversions, preemptions,
                gpuHoursLost, jain, gangsSeen.size(), gangsStartedFully.size(),
                tenancy.backfill().map(Backfill::stats).orElse(null));
    }

    private int arrived(int q) {
        int total = 0;
        for (int x = 0; x < n; x++) {
            if (contains(enforced.path(x), q)) {
                total += arrived[x];
            }
        }
        return total;
    }

    private int placed(int q) {
        int total = 0;
        for (int x = 0; x < n; x++) {
            if (contains(enforced.path(x), q)) {
                total += placed[x];
            }
        }
        return total;
    }

    private static boolean contains(int[] path, int q) {
        for (int x : path) {
            if (x == q) {
                return true;
            }
        }
        return false;
    }

    private static double seconds(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : DelayStats.percentile(sorted, p) / 1000.0;
    }
}
