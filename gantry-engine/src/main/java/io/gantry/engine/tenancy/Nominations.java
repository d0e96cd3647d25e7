package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.plugins.ClusterListener;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The room a preemptor waits for while its victims end their grace period (kube-scheduler's nominated pods): on a
 * nominated node, a pod of lower or equal priority fits only in what is left once the nominated pods are counted as
 * placed, so the room an eviction makes is not taken by someone else before its preemptor gets it. A gang's
 * nomination covers every node its members were counted on, free ones included. A nomination ends when its pod (or
 * its whole gang) is placed, when its pod preempts again, or when the host forgets it.
 */
public final class Nominations implements PreFilterPlugin, FilterPlugin, ClusterListener {

    public static final String NAME = "NominatedPods";
    private static final Reason NOMINATED = Reason.resolvable("Nominated",
            "node(s) had room only for pods nominated there by preemption");

    /** One preemptor's claim: its gang (or null), priority, and per node how many pods of its shape it needs. */
    private record Nomination(String pod, String gang, int priority, PodRequest shape, Map<String, Integer> nodes) {
    }

    private final QueueLedger ledger;
    private final Map<String, Nomination> byPod = new LinkedHashMap<>();

    public Nominations(QueueLedger ledger) {
        this.ledger = requireNonNull(ledger, "ledger");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The preemptor (a gang member standing for its gang) waits for room on these nodes, this many pods each. */
    void nominate(PodRequest preemptor, Map<String, Integer> nodes) {
        GangSpec gang = TenancyKeys.gangOf(preemptor);
        forget(preemptor.name());
        byPod.put(preemptor.name(), new Nomination(preemptor.name(), gang == null ? null : gang.name(),
                preemptor.priority(), preemptor, Map.copyOf(nodes)));
    }

    /** The pod is gone or gave up: its nomination, and its gang's, end. */
    public void forget(String podName) {
        Nomination n = byPod.remove(podName);
        if (n != null && n.gang() != null) {
            byPod.values().removeIf(o -> n.gang().equals(o.gang()));
        }
    }

    /** The nodes nominated for this pod or its gang, with how many pods each. */
    public Map<String, Integer> nominatedFor(PodRequest pod) {
        Nomination n = find(pod);
        return n == null ? Map.of() : n.nodes();
    }

    private Nomination find(PodRequest pod) {
        Nomination n = byPod.get(pod.name());
        GangSpec gang = TenancyKeys.gangOrProbedOf(pod);
        if (n == null && gang != null) {
            for (Nomination o : byPod.values()) {
                if (gang.name().equals(o.gang())) {
                    return o;
                }
            }
        }
        return n;
    }

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        return byPod.isEmpty() ? Status.skip(NAME) : Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        Nomination own = find(pod);
        String nodeName = state.nodeName(node);
        int wholeGpus = 0;
        long milli = 0;
        long cpu = 0;
        long memory = 0;
        for (Nomination n : byPod.values()) {
            Integer count = n.nodes().get(nodeName);
            if (count == null || n == own || n.priority() < pod.priority()) {
                continue;
            }
            PodRequest s = n.shape();
            if (s.isGpuShare()) {
                milli += (long) count * s.totalGpuMilli();
            } else {
                wholeGpus += count * s.gpuCount();
            }
            cpu += count * s.cpuMilli();
            memory += count * s.memoryMib();
        }
        if (wholeGpus == 0 && milli == 0 && cpu == 0 && memory == 0) {
            return null;
        }
        if (state.cpuLeft(node) - cpu < pod.cpuMilli() || state.memoryLeft(node) - memory < pod.memoryMib()) {
            return NOMINATED;
        }
        if (!pod.needsGpu()) {
            return null;
        }
        int fullyFree = state.fullyFreeGpus(node) - wholeGpus - (int) ((milli + NodeSpec.MILLI_PER_GPU - 1)
                / NodeSpec.MILLI_PER_GPU);
        if (pod.isGpuShare()) {
            for (int g = 0; g < state.gpuCount(node); g++) {
                int left = state.gpuLeft(node, g);
                if (left < NodeSpec.MILLI_PER_GPU && left >= pod.gpuMilliPerGpu()) {
                    return null; // a GPU in use already has room: no nominated whole GPU is needed for it
                }
            }
            return fullyFree >= 1 ? null : NOMINATED;
        }
        return fullyFree >= pod.gpuCount() ? null : NOMINATED;
    }

    @Override
    public void placed(ClusterState state, GpuAllocation allocation) {
        Nomination n = byPod.get(allocation.podName());
        PodRequest pod = n != null ? n.shape() : state.placedPod(allocation.podName()).orElse(null);
        if (pod == null) {
            return;
        }
        GangSpec gang = TenancyKeys.gangOf(pod);
        if (gang == null) {
            byPod.remove(allocation.podName());
        } else if (ledger.gangPlaced(gang.name()) >= gang.minMember()) {
            byPod.values().removeIf(o -> gang.name().equals(o.gang()));
        }
    }

    @Override
    public void removed(ClusterState state, GpuAllocation allocation) {
        // a nomination waits for pods to go: nothing to do
    }

    /** For tests and reports: how many preemptors wait. */
    public int size() {
        return byPod.size();
    }
}
