package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.SchedulingProfile;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.Fragmentation;
import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.plugins.GroupDensityLimit;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.queue.PodQueue;
import io.gantry.engine.queue.QueueConfig;
import io.gantry.engine.tenancy.Backfill;
import io.gantry.engine.tenancy.Coscheduling;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.Tenancy;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.sim.tenancy.TenantRecorder;
import io.gantry.engine.queue.QueuedPod;
import io.gantry.engine.queue.SchedulingQueue;
import io.gantry.sim.report.DelayStats;
import io.gantry.sim.report.PodClass;
import io.gantry.sim.report.TimeSeries;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.workload.TimedWorkload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The simulator with a clock. Events, in time order: a pod <b>arrives</b> (it enters the engine's
 * {@link SchedulingQueue}), a placed pod <b>completes</b> (its resources are released and the queue is told the
 * cluster changed), a waiting pod's backoff or maximum unschedulable stay ends (<b>retry</b>), or a pod that has
 * waited {@link Options#maxWaitMillis()} is <b>given up</b>. At equal times completions go first, then arrivals
 * (in the workload's seeded order), give-ups, retries. After the events of one moment, every pod the queue has
 * ready is tried, in the profile's queue-sort order: placed, it runs for its duration (or until the trace ends); not placed, it
 * waits as unschedulable. Nothing is dropped for not fitting.
 *
 * <p>A pod whose shape (every field a filter reads) was found to fit nowhere since the last release is not run
 * through the engine again until something is released: placements only take resources, so it still fits nowhere.
 * This keeps waves of retries cheap without changing any outcome.
 */
public record TimedReplay(Options options) implements Scenario<TimedWorkload, TimedRunResult> {

    /** Keeps Random's draws apart from the workload's stream of the same seed, as in paper mode. */
    private static final long POLICY_STREAM = 0x9E3779B97F4A7C15L;

    public static final long NO_MAX_WAIT = -1;
    /** Sample interval 0: one sample after every moment with events, so no peak is missed. */
    public static final long AT_EVENTS = 0;
    /** Kubernetes' default terminationGracePeriodSeconds. */
    public static final long DEFAULT_EVICTION_GRACE_MILLIS = 30_000;

    /**
     * @param queue backoff and maximum unschedulable stay, in milliseconds
     * @param maxWaitMillis give a pod up after waiting this long, or {@link #NO_MAX_WAIT}
     * @param sampleIntervalMillis simulated time between two samples of the time series, or {@link #AT_EVENTS}
     * @param evictionGraceMillis how long an evicted pod keeps running (and holding its node) before it is gone, as a
     *     pod's terminationGracePeriodSeconds; its preemptor waits for it
     */
    public record Options(QueueConfig queue, long maxWaitMillis, long sampleIntervalMillis, Tenancy.Mode admission,
            List<QueueSpec> queues, long evictionGraceMillis) {
        public Options {
            if (evictionGraceMillis < 0) {
                throw new IllegalArgumentException("eviction grace period must not be negative, got "
                        + evictionGraceMillis);
            }
            requireNonNull(queue, "queue");
            queues = List.copyOf(requireNonNull(queues, "queues"));
            if (maxWaitMillis < 0 && maxWaitMillis != NO_MAX_WAIT) {
                throw new IllegalArgumentException("max wait must not be negative, got " + maxWaitMillis);
            }
            if (sampleIntervalMillis < 0) {
                throw new IllegalArgumentException("sample interval must not be negative, got " + sampleIntervalMillis);
            }
        }

        /** Without queues: every pod in one scheduling queue, no quotas, gangs or preemption. */
        public Options(QueueConfig queue, long maxWaitMillis, long sampleIntervalMillis) {
            this(queue, maxWaitMillis, sampleIntervalMillis, null, List.of(), DEFAULT_EVICTION_GRACE_MILLIS);
        }

        /** kube-scheduler's queue timings, no give-up, a sample after every moment with events. */
        public static Options defaults() {
            return new Options(QueueConfig.kubeDefaultsMillis(), NO_MAX_WAIT, AT_EVENTS);
        }

        /** The same options under an admission policy ({@code null}: none) with these queues. */
        public Options withAdmission(Tenancy.Mode mode, List<QueueSpec> queueSpecs) {
            return new Options(queue, maxWaitMillis, sampleIntervalMillis, mode, queueSpecs, evictionGraceMillis);
        }

        /** The same options with evicted pods running this long before they are gone (0: at once). */
        public Options withEvictionGrace(long millis) {
            return new Options(queue, maxWaitMillis, sampleIntervalMillis, admission, queues, millis);
        }
    }

    public TimedReplay {
        requireNonNull(options, "options");
    }

    @Override
    public String name() {
        return "time";
    }

    private static final int COMPLETION = 0;
    private static final int ARRIVAL = 1;
    private static final int GIVE_UP = 2;
    private static final int RETRY = 3;
    private static final int PERMIT_TIMEOUT = 4;
    private static final int TERMINATED = 5;

    /** {@code generation}: a completion is stale once its pod was evicted (and perhaps placed again). */
    private record Event(long time, int kind, int pod, int generation) {
        Event(long time, int kind, int pod) {
            this(time, kind, pod, 0);
        }
    }

    /** Every field a filter reads: two pods with equal shapes fit on exactly the same nodes. */
    private record Shape(long cpuMilli, long memoryMib, int gpuCount, int gpuMilli, List<String> models,
            NodePlacement placement, PodAttributes attributes, int priority) {
        /** With preemption, priority decides what a pod may evict, so it is part of the shape. */
        static Shape of(PodRequest p, boolean byPriority) {
            return new Shape(p.cpuMilli(), p.memoryMib(), p.gpuCount(), p.gpuMilliPerGpu(), p.allowedGpuModels(),
                    p.placement(), p.attributes(), byPriority ? p.priority() : 0);
        }
    }

    @Override
    public TimedRunResult run(TimedWorkload workload, Policy policy, ScoringMode scoring, long seed) {
        return new Run(workload, policy, scoring, seed).run();
    }

    /** The state of one run. */
    private final class Run {
        final TimedWorkload workload;
        final Policy policy;
        final ScoringMode scoring;
        final long seed;
        final List<TimedPod> pods;
        final Map<String, Integer> index = new HashMap<>();
        final long[] placedAt;
        final boolean[] givenUp;
        /** The pod waits and its give-up event is still to come (placed pods' give-ups are stale). */
        final boolean[] giveUpPending;
        final ClusterState state = new ClusterState();
        final FragmentationTracker tracker;
        final Scheduler scheduler;
        final PodQueue queue;
        /** Queues, quotas, gangs and preemption, or null for a run without admission policy. */
        final Tenancy tenancy;
        final TenantRecorder recorder;
        final int[] generation;
        /** Pods Permit holds (gang members waiting for the rest), by name, with their index. */
        final Map<String, Integer> held = new HashMap<>();
        /** Preemptors waiting for their victims' grace periods to end: how many victims are still terminating. */
        final Map<Integer, Integer> awaitingVictims = new HashMap<>();
        /** The preemptors waiting for a terminating victim, by the victim's index. */
        final Map<Integer, List<Integer>> preemptorsOf = new HashMap<>();
        long nowMillis;
        final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.time != b.time
                ? Long.compare(a.time, b.time) : a.kind != b.kind ? Integer.compare(a.kind, b.kind)
                : Integer.compare(a.pod, b.pod));
        final Set<Shape> fitsNowhere = new HashSet<>();
        final TimeSeries series = new TimeSeries();
        final List<String> placementOrder = new ArrayList<>();
        final long capacity;
        long cpuCapacity;
        long cpuUsed;
        int running;
        /** Arrivals, completions and give-ups still to come: while there are none, retries cannot change anything. */
        int pendingChanges;
        long retryAt = Long.MAX_VALUE;
        /** The last arrival, completion or give-up: retries alone do not extend the simulated time. */
        long lastChange;
        long lastPlacement;
        long nextSample;
        long attempts;
        long skipped;
        long evictions;

        Run(TimedWorkload workload, Policy policy, ScoringMode scoring, long seed) {
            this.workload = requireNonNull(workload, "workload");
            this.policy = requireNonNull(policy, "policy");
            this.scoring = requireNonNull(scoring, "scoring");
            this.seed = seed;
            this.pods = workload.pods();
            int[] ranks = workload.nodeRanks();
            for (int i = 0; i < workload.nodes().size(); i++) {
                int slot = state.addNode(workload.nodes().get(i));
                state.setTieRank(slot, ranks[i]);
                cpuCapacity += workload.nodes().get(i).cpuMilli();
            }
            List<PodRequest> requests = pods.stream().map(TimedPod::pod).toList();
            TargetWorkload target = TargetWorkload.fromPods(requests);
            tracker = new FragmentationTracker(new Fragmentation(target), state);
            SchedulingProfile base = policy.profile(scoring, target, new SplittableRandom(seed ^ POLICY_STREAM));
            GroupDensityLimit density = new GroupDensityLimit();
            SchedulingProfile profile = base.toBuilder().filter(density).listener(density).listener(tracker).build();
            if (options.admission() != null) {
                tenancy = Tenancy.create(options.admission(), options.queues(), state, () -> nowMillis * 1_000_000L);
                profile = tenancy.apply(profile);
                queue = tenancy.newQueue(profile, options.queue());
            } else {
                tenancy = null;
                queue = new SchedulingQueue(profile.queueSort(), options.queue());
            }
            scheduler = new Scheduler(state, profile, () -> nowMillis * 1_000_000L);
            capacity = state.totalGpuMilli();
            placedAt = new long[pods.size()];
            givenUp = new boolean[pods.size()];
            giveUpPending = new boolean[pods.size()];
            generation = new int[pods.size()];
            for (int i = 0; i < pods.size(); i++) {
                placedAt[i] = -1;
                if (index.put(pods.get(i).pod().name(), i) != null) {
                    throw new IllegalArgumentException("pod name " + pods.get(i).pod().name() + " appears twice");
                }
                events.add(new Event(pods.get(i).arrivalMillis(), ARRIVAL, i));
                pendingChanges++;
            }
            nextSample = pods.isEmpty() ? 0 : pods.get(0).arrivalMillis();
            recorder = tenancy == null ? null : new TenantRecorder(tenancy, options.queues(), capacity,
                    nextSample, pods.isEmpty() ? 0 : pods.get(pods.size() - 1).arrivalMillis());
        }

        TimedRunResult run() {
            long start = System.nanoTime();
            long now = nextSample;
            while (!events.isEmpty()) {
                if (pendingChanges == 0 && queue.activeCount() == 0 && queue.backoffCount() == 0) {
                    break; // only unschedulable pods are left, and nothing will change for them
                }
                now = events.peek().time;
                nowMillis = now;
                sampleBefore(now);
                while (!events.isEmpty() && events.peek().time == now) {
                    handle(events.poll(), now);
                }
                schedulePass(now);
                if (recorder != null) {
                    recorder.moment(now);
                }
                if (options.sampleIntervalMillis() == AT_EVENTS) {
                    sample(now);
                }
                OptionalLong wake = queue.nextWake();
                if (wake.isPresent() && wake.getAsLong() < retryAt) {
                    retryAt = wake.getAsLong();
                    events.add(new Event(retryAt, RETRY, -1));
                }
            }
            long end = Math.max(Math.max(lastChange, lastPlacement), workload.endMillis());
            if (options.sampleIntervalMillis() == AT_EVENTS) {
                if (end > now) {
                    sample(end);
                }
            } else {
                sampleBefore(end + 1);
            }
            return result(end, System.nanoTime() - start);
        }

        void handle(Event e, long now) {
            switch (e.kind) {
                case ARRIVAL -> {
                    pendingChanges--;
                    lastChange = now;
                    PodRequest arriving = pods.get(e.pod).pod();
                    queue.add(arriving, now);
                    if (tenancy != null) {
                        tenancy.coscheduling().memberAdded(arriving);
                        recorder.arrived(arriving);
                        recorder.pending(arriving, +1);
                        if (TenancyKeys.gangOf(arriving) != null) {
                            fitsNowhere.clear(); // a gang that was short of members may be complete now
                        }
                    }
                    if (options.maxWaitMillis() != NO_MAX_WAIT) {
                        events.add(new Event(now + options.maxWaitMillis(), GIVE_UP, e.pod));
                        giveUpPending[e.pod] = true;
                        pendingChanges++;
                    }
                }
                case COMPLETION -> {
                    if (e.generation != generation[e.pod]) {
                        return; // the pod was evicted since (and counted off then): this run never completes
                    }
                    pendingChanges--;
                    lastChange = now;
                    PodRequest pod = pods.get(e.pod).pod();
                    if (tenancy != null) {
                        tenancy.coscheduling().memberGone(pod);
                        tenancy.backfill().ifPresent(b -> b.completed(pod));
                        recorder.stopped(pod);
                    }
                    scheduler.release(pod.name());
                    cpuUsed -= pod.cpuMilli();
                    running--;
                    fitsNowhere.clear();
                    queue.onClusterChange(now);
                }
                case GIVE_UP -> {
                    if (giveUpPending[e.pod]) {
                        giveUpPending[e.pod] = false;
                        pendingChanges--;
                        lastChange = now;
                        PodRequest gone = pods.get(e.pod).pod();
                        queue.delete(gone.name());
                        givenUp[e.pod] = true;
                        if (tenancy != null) {
                            tenancy.coscheduling().memberGone(gone);
                            tenancy.backfill().ifPresent(b -> b.forget(gone.name()));
                            tenancy.nominations().forget(gone.name());
                            tenancy.ledger().nominationDone(gone.name());
                            recorder.pending(gone, -1);
                        }
                    }
                }
                case RETRY -> {
                    if (e.time == retryAt) {
                        retryAt = Long.MAX_VALUE;
                    }
                }
                case PERMIT_TIMEOUT -> {
                    pendingChanges--;
                    scheduler.expireWaiting();
                    settleHeld(now);
                }
                case TERMINATED -> {
                    pendingChanges--;
                    lastChange = now;
                    gone(e.pod, now);
                }
                default -> throw new IllegalStateException("unknown event kind " + e.kind);
            }
        }

        void schedulePass(long now) {
            queue.flush(now);
            boolean byPriority = tenancy != null && tenancy.mode() != Tenancy.Mode.FIFO;
            for (Optional<QueuedPod> next = queue.pop(); next.isPresent(); next = queue.pop()) {
                attempt(next.get().pod(), now, byPriority);
            }
        }

        /** One popped (or taken) pod through the cycle, and what follows from the result. */
        void attempt(PodRequest pod, long now, boolean byPriority) {
            Shape shape = Shape.of(pod, byPriority);
            Backfill backfill = tenancy == null ? null : tenancy.backfill().orElse(null);
            long reservations = backfill == null ? 0 : backfill.version();
            if (fitsNowhere.contains(shape) && (backfill == null || !backfill.holdsReservation(pod))) {
                skipped++;
                queue.requeueUnschedulable(pod.name(), now);
                return;
            }
            attempts++;
            ScheduleResult result = scheduler.schedule(pod);
            if (result instanceof ScheduleResult.Unschedulable u && !u.victims().isEmpty()) {
                evict(u.victims(), pod, now);
                if (options.evictionGraceMillis() > 0) {
                    return; // it waits, in flight, for its victims to go: then it is tried first (gone)
                }
                attempts++;
                result = scheduler.schedule(pod); // the room it made is its own at once
            }
            if (result instanceof ScheduleResult.Waiting w) {
                held.put(pod.name(), index.get(pod.name()));
                long deadlineMillis = (w.deadlineNanos() + 999_999) / 1_000_000;
                events.add(new Event(Math.max(deadlineMillis, now + 1), PERMIT_TIMEOUT, -1));
                pendingChanges++;
                if (recorder != null) {
                    recorder.pending(pod, -1);
                }
            } else if (result.isScheduled()) {
                queue.done(pod.name());
                if (recorder != null) {
                    recorder.pending(pod, -1);
                }
                started(index.get(pod.name()), now);
            } else {
                if (!(result instanceof ScheduleResult.Unschedulable u && Coscheduling.waitsForMembers(u.status()))) {
                    fitsNowhere.add(shape); // a gang short of members waits for arrivals, not releases
                }
                queue.requeueUnschedulable(pod.name(), now);
            }
            if (backfill != null && backfill.version() != reservations) {
                fitsNowhere.clear(); // nodes were reserved or freed: what fitted nowhere may fit now, and vice versa
            }
            if (!held.isEmpty()) {
                settleHeld(now);
            }
            if (result instanceof ScheduleResult.Waiting && held.containsKey(pod.name())) {
                // the rest of its gang goes next, before anything takes the room it counted on
                GangSpec gang = TenancyKeys.gangOf(pod);
                for (String sibling : tenancy.coscheduling().members(gang.name())) {
                    if (!held.containsKey(pod.name())) {
                        break; // the gang was released meanwhile
                    }
                    Optional<QueuedPod> taken = queue.take(sibling);
                    if (taken.isPresent()) {
                        attempt(taken.get().pod(), now, byPriority);
                    }
                }
            }
        }

        /** The pod is bound and runs from now. */
        void started(int i, long now) {
            TimedPod timed = pods.get(i);
            PodRequest pod = timed.pod();
            boolean first = placedAt[i] < 0;
            placedAt[i] = now;
            if (giveUpPending[i]) {
                giveUpPending[i] = false; // its give-up event is stale now
                pendingChanges--;
            }
            if (first) {
                placementOrder.add(pod.name());
            }
            lastPlacement = now;
            cpuUsed += pod.cpuMilli();
            running++;
            if (recorder != null) {
                recorder.started(pod, now - timed.arrivalMillis());
            }
            if (!timed.runsToEnd()) {
                events.add(new Event(now + timed.durationMillis(), COMPLETION, i, generation[i]));
                pendingChanges++;
            }
        }

        /**
         * Held gang members the last cycle let go are bound; those it (or a timeout) rejected are given back and wait
         * again, as after any failed attempt: their release is a cluster change.
         */
        void settleHeld(long now) {
            for (GpuAllocation a : scheduler.takeAllowed()) {
                Integer i = held.remove(a.podName());
                if (i != null) {
                    queue.done(a.podName());
                    started(i, now);
                }
            }
            if (held.isEmpty()) {
                return;
            }
            List<String> stillHeld = scheduler.waitingPods();
            List<String> rejected = new ArrayList<>();
            for (String name : held.keySet()) {
                if (!stillHeld.contains(name)) {
                    rejected.add(name);
                }
            }
            if (rejected.isEmpty()) {
                return;
            }
            for (String name : rejected) {
                int i = held.remove(name);
                queue.requeueUnschedulable(name, now);
                if (recorder != null) {
                    recorder.pending(pods.get(i).pod(), +1);
                }
            }
            fitsNowhere.clear();
            queue.onClusterChange(now);
        }

        /**
         * Preemption chose these running pods: each is told to go, and keeps running (holding its node) for the
         * grace period; then it is gone and waits again, to run from the start. Its preemptor waits for all of them.
         */
        void evict(List<String> victims, PodRequest preemptor, long now) {
            long grace = options.evictionGraceMillis();
            int p = index.get(preemptor.name());
            for (String name : victims) {
                int i = index.get(name);
                PodRequest victim = pods.get(i).pod();
                generation[i]++;
                if (!pods.get(i).runsToEnd()) {
                    pendingChanges--; // its completion event is stale now
                }
                recorder.evicted(victim, preemptor, now + grace - placedAt[i]);
                evictions++;
                if (grace == 0) {
                    release(i, now);
                } else {
                    tenancy.ledger().evicting(name);
                    preemptorsOf.computeIfAbsent(i, k -> new ArrayList<>()).add(p);
                    awaitingVictims.merge(p, 1, Integer::sum);
                    events.add(new Event(now + grace, TERMINATED, i, generation[i]));
                    pendingChanges++;
                }
            }
            if (grace == 0) {
                fitsNowhere.clear();
                queue.onClusterChange(now);
            } else {
                tenancy.ledger().nominate(preemptor);
            }
        }

        /** An evicted pod's grace period is over: it is gone; the preemptor whose last victim it was goes next. */
        void gone(int i, long now) {
            release(i, now);
            fitsNowhere.clear();
            queue.onClusterChange(now);
            for (int p : preemptorsOf.getOrDefault(i, List.of())) {
                if (awaitingVictims.merge(p, -1, Integer::sum) != 0) {
                    continue;
                }
                awaitingVictims.remove(p);
                tenancy.ledger().nominationDone(pods.get(p).pod().name());
                if (!givenUp[p] && placedAt[p] < 0 && !held.containsKey(pods.get(p).pod().name())) {
                    boolean byPriority = tenancy.mode() != Tenancy.Mode.FIFO;
                    attempt(pods.get(p).pod(), now, byPriority); // the room it made is its own first
                }
            }
            preemptorsOf.remove(i);
        }

        /** The evicted pod leaves its node and waits again. */
        void release(int i, long now) {
            PodRequest victim = pods.get(i).pod();
            scheduler.release(victim.name());
            tenancy.ledger().evicted(victim.name());
            cpuUsed -= victim.cpuMilli();
            running--;
            lastChange = now;
            placedAt[i] = -1;
            queue.add(victim, now);
            recorder.pending(victim, +1);
        }

        /** Samples every sample time before {@code time}: the cluster as after every event up to that time. */
        void sampleBefore(long time) {
            if (options.sampleIntervalMillis() == AT_EVENTS) {
                return;
            }
            while (nextSample < time) {
                sample(nextSample);
                nextSample += options.sampleIntervalMillis();
            }
        }

        void sample(long time) {
            long used = state.usedGpuMilli();
            double frag = tracker.total();
            long idle = capacity - used;
            series.add(time, percent(used, capacity), percent(cpuUsed, cpuCapacity), percent(frag, capacity),
                    idle <= 0 ? 0 : 100.0 * frag / idle, running, queue.size());
        }

        TimedRunResult result(long end, long wallNanos) {
            Map<PodClass, List<Long>> delays = new HashMap<>();
            int[] arrived = new int[PodClass.values().length];
            int[] gaveUp = new int[arrived.length];
            int[] waiting = new int[arrived.length];
            double requested = 0;
            double served = 0;
            int placed = 0;
            int givenUpTotal = 0;
            long traceEnd = workload.endMillis();
            for (int i = 0; i < pods.size(); i++) {
                TimedPod p = pods.get(i);
                PodClass c = PodClass.of(p.pod());
                arrived[c.ordinal()]++;
                double gpus = p.pod().totalGpuMilli() / 1000.0;
                requested += gpus * (p.runsToEnd() ? Math.max(0, traceEnd - p.arrivalMillis()) : p.durationMillis());
                if (placedAt[i] >= 0) {
                    placed++;
                    delays.computeIfAbsent(c, k -> new ArrayList<>()).add(placedAt[i] - p.arrivalMillis());
                    served += gpus * (p.runsToEnd() ? Math.max(0, traceEnd - placedAt[i]) : p.durationMillis());
                } else if (givenUp[i]) {
                    gaveUp[c.ordinal()]++;
                    givenUpTotal++;
                } else {
                    waiting[c.ordinal()]++;
                }
            }
            List<DelayStats> stats = new ArrayList<>();
            for (PodClass c : PodClass.values()) {
                if (arrived[c.ordinal()] == 0) {
                    continue;
                }
                long[] d = delays.getOrDefault(c, List.of()).stream().mapToLong(Long::longValue).toArray();
                stats.add(DelayStats.of(c, arrived[c.ordinal()], d, gaveUp[c.ordinal()], waiting[c.ordinal()]));
            }
            int waitingTotal = pods.size() - placed - givenUpTotal;
            return new TimedRunResult(workload.name(), policy, scoring, seed, workload.nodes().size(),
                    (int) (capacity / 1000), pods.size(), placed, givenUpTotal, waitingTotal, stats,
                    requested / 3_600_000.0, served / 3_600_000.0,
                    pods.isEmpty() ? 0 : pods.get(0).arrivalMillis(),
                    pods.isEmpty() ? 0 : pods.get(pods.size() - 1).arrivalMillis(), end,
                    attempts, skipped, series, placementOrder, workload.notModelled(), wallNanos,
                    recorder == null ? null : recorder.report(end));
        }
    }

    private static double percent(double part, double whole) {
        return whole <= 0 ? 0 : 100.0 * part / whole;
    }
}
