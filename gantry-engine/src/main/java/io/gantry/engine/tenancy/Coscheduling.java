package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.Explanation;
import io.gantry.engine.FrameworkHandle;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.plugins.PermitPlugin;
import io.gantry.engine.plugins.PostFilterPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import io.gantry.engine.plugins.ReservePlugin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * All-or-nothing placement of a gang, as scheduler-plugins' Coscheduling does it for a PodGroup. PreFilter turns a
 * member away while fewer than {@code minMember} members exist at all. Each member that gets a node is reserved and
 * held at Permit; the member that brings the placed count to {@code minMember} lets all of them go to bind together.
 * If a member fits nowhere (PostFilter), one member is unreserved (a failed bind, a rejection) or the wait times out,
 * every held member of the gang is released: no gang is ever partly bound.
 *
 * <p>The host tells it which pods exist ({@link #memberAdded}, {@link #memberGone}): pending and placed members
 * alike, as the PodGroup's pods are listed in a cluster.
 */
public final class Coscheduling implements PreFilterPlugin, ReservePlugin, PermitPlugin, PostFilterPlugin {

    public static final String NAME = "Coscheduling";
    private static final String INCOMPLETE = "GangIncomplete";

    private final QueueLedger ledger;
    private final java.util.function.BiPredicate<PodRequest, Integer> turnedAway;
    private final Map<String, Set<String>> members = new HashMap<>();
    /** Gangs being released right now: releasing one member must not start releasing the others again. */
    private final Set<String> releasing = new HashSet<>();

    public Coscheduling(QueueLedger ledger) {
        this(ledger, (pod, slot) -> false);
    }

    /**
     * @param turnedAway whether something other than room keeps a member off a node (a reservation): such a node is
     *     no room for the gang
     */
    public Coscheduling(QueueLedger ledger, java.util.function.BiPredicate<PodRequest, Integer> turnedAway) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.turnedAway = requireNonNull(turnedAway, "turnedAway");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A pod of a gang exists (pending or placed). Pods without a gang are ignored. */
    public void memberAdded(PodRequest pod) {
        GangSpec gang = TenancyKeys.gangOf(requireNonNull(pod, "pod"));
        if (gang != null) {
            members.computeIfAbsent(gang.name(), k -> new LinkedHashSet<>()).add(pod.name());
        }
    }

    /** A member is gone for good (deleted, completed, given up). */
    public void memberGone(PodRequest pod) {
        GangSpec gang = TenancyKeys.gangOf(requireNonNull(pod, "pod"));
        if (gang == null) {
            return;
        }
        Set<String> m = members.get(gang.name());
        if (m != null && m.remove(pod.name()) && m.isEmpty()) {
            members.remove(gang.name());
        }
    }

    /** The members the gang has now, in the order they appeared. */
    public List<String> members(String gang) {
        return List.copyOf(members.getOrDefault(gang, Set.of()));
    }

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        GangSpec gang = TenancyKeys.gangOf(cycle.pod());
        if (gang == null) {
            return Status.skip(NAME);
        }
        int known = members.getOrDefault(gang.name(), Set.of()).size();
        if (known < gang.minMember()) {
            return Status.unresolvable(NAME, Reason.unresolvable(INCOMPLETE, "pod group " + gang.name()
                    + ": " + known + " of " + gang.minMember() + " members exist; waiting for "
                    + (gang.minMember() - known) + " more"));
        }
        int missing = gang.minMember() - ledger.gangPlaced(gang.name());
        if (missing > 1) {
            PodRequest pod = cycle.pod();
            long room = room(state, cycle, pod, missing);
            if (room < missing) {
                return Status.unschedulable(NAME, Reason.resolvable("GangDoesNotFit", "pod group " + gang.name()
                        + ": " + missing + " members still to place, the cluster has room for " + room + " now"));
            }
        }
        return Status.SUCCESS;
    }

    /** Whether the status is a gang waiting for members to exist (arrivals change it, releases do not). */
    public static boolean waitsForMembers(Status status) {
        return status.reasons().stream().anyMatch(r -> r.code().equals(INCOMPLETE));
    }

    /**
     * How many pods of this shape the free GPUs could take at once, up to {@code enough}: whole GPUs count per node
     * (a member's GPUs are on one node), shares by free milli. CPU and memory are the filters' say. Reserving
     * members one by one only to release them all when the last does not fit would make every other waiting pod
     * retry for nothing.
     */
    private long room(ClusterState state, CycleContext cycle, PodRequest pod, int enough) {
        if (!pod.needsGpu()) {
            return enough;
        }
        long room = 0;
        for (int slot = 0; slot < state.slotCount() && room < enough; slot++) {
            if (!state.isActive(slot) || state.spec(slot).unschedulable() || !cycle.modelAllowed(state.modelId(slot))
                    || turnedAway.test(pod, slot)) {
                continue;
            }
            room += membersFitting(state, slot, pod);
        }
        return room;
    }

    /** Members of this pod's shape a node's free GPUs take at once: whole GPUs by fully free GPU, shares by milli. */
    static long membersFitting(ClusterState state, int slot, PodRequest pod) {
        if (!pod.needsGpu()) {
            return 1;
        }
        return pod.isGpuShare() ? state.gpuLeftTotal(slot) / pod.gpuMilliPerGpu()
                : state.fullyFreeGpus(slot) / pod.gpuCount();
    }

    @Override
    public Status reserve(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
        return Status.SUCCESS;
    }

    @Override
    public void unreserve(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
        GangSpec gang = TenancyKeys.gangOf(cycle.pod());
        if (gang != null) {
            releaseWaiting(cycle.framework(), gang.name());
        }
    }

    @Override
    public Status permit(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
        GangSpec gang = TenancyKeys.gangOf(cycle.pod());
        if (gang == null) {
            return Status.SUCCESS;
        }
        if (ledger.gangPlaced(gang.name()) < gang.minMember()) {
            return Status.waitFor(NAME, TimeUnit.SECONDS.toNanos(gang.timeoutSeconds()));
        }
        FrameworkHandle framework = cycle.framework();
        for (String member : members.getOrDefault(gang.name(), Set.of())) {
            if (!member.equals(cycle.pod().name())) {
                framework.allowWaiting(member, NAME);
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public PostFilterResult postFilter(ClusterState state, CycleContext cycle, Explanation filtered) {
        GangSpec gang = TenancyKeys.gangOf(cycle.pod());
        if (gang == null) {
            return PostFilterResult.NOTHING;
        }
        if (ledger.gangPlaced(gang.name()) == 0) {
            return PostFilterResult.NOTHING;
        }
        int released = releaseWaiting(cycle.framework(), gang.name());
        return new PostFilterResult("", released == 0 ? ""
                : "pod group " + gang.name() + ": a member fits nowhere, so the " + released
                        + " member(s) waiting for it were released");
    }

    /** Rejects every held member of the gang; returns how many. */
    private int releaseWaiting(FrameworkHandle framework, String gang) {
        if (!releasing.add(gang)) {
            return 0;
        }
        try {
            List<String> held = new ArrayList<>();
            Set<String> of = members.getOrDefault(gang, Set.of());
            for (String w : framework.waitingPods()) {
                if (of.contains(w)) {
                    held.add(w);
                }
            }
            int n = 0;
            for (String w : held) {
                if (framework.rejectWaiting(w)) {
                    n++;
                }
            }
            return n;
        } finally {
            releasing.remove(gang);
        }
    }
}
