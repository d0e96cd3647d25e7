package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.plugins.ClusterListener;
import java.util.HashMap;
import java.util.Map;

/**
 * What every queue uses, kept current from the cluster's placements (reserved, waiting and bound pods alike): per
 * queue (a leaf and each of its ancestors) and resource of the {@link QueueTree}, plus the cluster's capacity of each
 * resource and how many members of each gang are placed. Placed pods of a queue the tree does not know count
 * against nothing. Not thread-safe, as the scheduler that drives it.
 */
public final class QueueLedger implements ClusterListener {

    /** One placed pod: its leaf queue, what it counts against, its place in placement order. */
    public record Charge(int queue, long[] demand, long sequence, int priority, GangSpec gang) {
    }

    private final QueueTree tree;
    private final long[][] used;
    private final int[] admitted;
    private final long[] capacity;
    private final Map<String, Charge> charges = new HashMap<>();
    private final Map<String, Integer> gangPlaced = new HashMap<>();
    private long sequence;

    private final java.util.Set<String> terminating = new java.util.HashSet<>();
    /** Preemptors waiting for their victims to go, with their queue and demand. */
    private final Map<String, Charge> nominations = new HashMap<>();

    public QueueLedger(QueueTree tree, ClusterState state) {
        this.tree = requireNonNull(tree, "tree");
        this.used = new long[tree.size()][tree.resourceCount()];
        this.admitted = new int[tree.size()];
        this.capacity = new long[tree.resourceCount()];
        recomputeCapacity(state);
        for (GpuAllocation a : state.allocations()) {
            placed(state, a);
        }
    }

    @Override
    public String name() {
        return "QueueLedger";
    }

    public QueueTree tree() {
        return tree;
    }

    @Override
    public void placed(ClusterState state, GpuAllocation allocation) {
        PodRequest pod = state.placedPod(allocation.podName()).orElse(null);
        if (pod == null || charges.containsKey(allocation.podName())) {
            return;
        }
        int q = tree.indexOf(TenancyKeys.queueOf(pod));
        long[] demand = demand(pod, state.spec(state.slotOf(allocation.nodeName())).gpuModel());
        GangSpec gang = TenancyKeys.gangOf(pod);
        charges.put(allocation.podName(), new Charge(q, demand, sequence++, pod.priority(), gang));
        if (gang != null) {
            gangPlaced.merge(gang.name(), 1, Integer::sum);
        }
        if (q >= 0) {
            add(q, demand, +1);
        }
    }

    @Override
    public void removed(ClusterState state, GpuAllocation allocation) {
        Charge c = charges.remove(allocation.podName());
        if (c == null) {
            return;
        }
        if (c.gang() != null) {
            gangPlaced.computeIfPresent(c.gang().name(), (k, n) -> n <= 1 ? null : n - 1);
        }
        if (c.queue() >= 0) {
            add(c.queue(), c.demand(), -1);
        }
    }

    @Override
    public void nodeChanged(ClusterState state, String nodeName) {
        recomputeCapacity(state);
    }

    private void add(int leaf, long[] demand, int sign) {
        for (int q : tree.path(leaf)) {
            long[] u = used[q];
            for (int r = 0; r < u.length; r++) {
                u[r] += sign * demand[r];
            }
            admitted[q] += sign;
        }
    }

    /**
     * What a pod counts against each resource when placed on a node of {@code model} (empty: not known yet, so no
     * model-specific quota is counted).
     */
    public long[] demand(PodRequest pod, String model) {
        long[] d = new long[tree.resourceCount()];
        d[QueueTree.GPU] = pod.totalGpuMilli();
        d[QueueTree.CPU] = pod.cpuMilli();
        d[QueueTree.MEMORY] = pod.memoryMib();
        if (pod.needsGpu() && !model.isEmpty()) {
            int r = tree.modelResource(model);
            if (r >= 0) {
                d[r] = pod.totalGpuMilli();
            }
        }
        return d;
    }

    private void recomputeCapacity(ClusterState state) {
        java.util.Arrays.fill(capacity, 0);
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            var spec = state.spec(slot);
            long gpu = (long) spec.gpuCount() * io.gantry.engine.NodeSpec.MILLI_PER_GPU;
            capacity[QueueTree.GPU] += gpu;
            capacity[QueueTree.CPU] += spec.cpuMilli();
            capacity[QueueTree.MEMORY] += spec.memoryMib();
            int r = tree.modelResource(spec.gpuModel());
            if (r >= 0) {
                capacity[r] += gpu;
            }
        }
    }

    public long used(int q, int r) {
        return used[q][r];
    }

    /** Pods of the queue (and its descendants) placed now. */
    public int admitted(int q) {
        return admitted[q];
    }

    /** The cluster's capacity of a resource (GPUs in milli, CPU in milli-cores, memory in MiB). */
    public long capacity(int r) {
        return capacity[r];
    }

    /** What the queue borrows of a resource: its use beyond its guarantee. */
    public long borrowed(int q, int r) {
        return Math.max(0, used[q][r] - tree.guaranteed(q, r));
    }

    /** The charge of a placed pod, or null if it is not placed (or placed before the ledger began and unknown). */
    public Charge charge(String podName) {
        return charges.get(podName);
    }

    /** How many members of the gang are placed (reserved, waiting or bound). */
    public int gangPlaced(String gang) {
        return gangPlaced.getOrDefault(gang, 0);
    }

    /**
     * The queue's weighted dominant share: the largest of its uses of GPU, CPU and memory as a fraction of the
     * cluster's capacity, divided by its weight.
     */
    public double dominantShare(int q) {
        double share = 0;
        for (int r = 0; r <= QueueTree.MEMORY; r++) {
            if (capacity[r] > 0) {
                share = Math.max(share, (double) used[q][r] / capacity[r]);
            }
        }
        return share / tree.spec(q).weight();
    }

    /** Whether the queue uses no more GPUs than it is guaranteed (a queue with no GPU guarantee: when it uses none). */
    public boolean withinGpuGuarantee(int q) {
        return used[q][QueueTree.GPU] <= tree.guaranteed(q, QueueTree.GPU);
    }

    /**
     * The fair-share order of two sibling queues: one below its GPU guarantee goes first, then the smaller weighted
     * dominant share, then the name.
     */
    public boolean servedBefore(int a, int b) {
        boolean belowA = used[a][QueueTree.GPU] < tree.guaranteed(a, QueueTree.GPU);
        boolean belowB = used[b][QueueTree.GPU] < tree.guaranteed(b, QueueTree.GPU);
        if (belowA != belowB) {
            return belowA;
        }
        int byShare = Double.compare(dominantShare(a), dominantShare(b));
        return byShare != 0 ? byShare < 0 : tree.name(a).compareTo(tree.name(b)) < 0;
    }

    /**
     * Whether fair share would serve queue a before queue b (any two queues): their ancestors just below the
     * nearest common one are compared. False for the same queue, or when one contains the other.
     */
    public boolean ranksBefore(int a, int b) {
        int[] pa = tree.path(a);
        int[] pb = tree.path(b);
        int i = pa.length - 1;
        int j = pb.length - 1;
        while (i >= 0 && j >= 0 && pa[i] == pb[j]) {
            i--;
            j--;
        }
        return i >= 0 && j >= 0 && servedBefore(pa[i], pb[j]);
    }

    /**
     * The host evicts this placed pod: it keeps its node through its grace period, and no preemption may choose it
     * again meanwhile (kube-scheduler skips pods being deleted).
     */
    public void evicting(String podName) {
        terminating.add(requireNonNull(podName, "podName"));
    }

    /** The evicted pod is gone (or never left): it may be chosen again once placed again. */
    public void evicted(String podName) {
        terminating.remove(podName);
    }

    public boolean isTerminating(String podName) {
        return terminating.contains(podName);
    }

    /** What pods being evicted still hold of resource r in queue q (and its descendants): use that is leaving. */
    public long leaving(int q, int r) {
        long total = 0;
        for (String name : terminating) {
            Charge c = charges.get(name);
            if (c != null && c.queue() >= 0) {
                for (int a : tree.path(c.queue())) {
                    if (a == q) {
                        total += c.demand()[r];
                        break;
                    }
                }
            }
        }
        return total;
    }

    /**
     * The pod evicted others and waits for them to go (nominatedNodeName): until it is placed or gives up
     * ({@link #nominationDone}), its demand counts as its queue's for further reclaim, so that other pods of the
     * queue do not evict again for the same guarantee.
     */
    public void nominate(PodRequest pod) {
        int q = tree.indexOf(TenancyKeys.queueOf(pod));
        if (q >= 0) {
            nominations.put(pod.name(), new Charge(q, demand(pod, ""), 0, pod.priority(), null));
        }
    }

    public void nominationDone(String podName) {
        nominations.remove(podName);
    }

    /** The demand of resource r of the nominated preemptors in queue q (and its descendants). */
    public long nominated(int q, int r) {
        long total = 0;
        for (Charge c : nominations.values()) {
            for (int a : tree.path(c.queue())) {
                if (a == q) {
                    total += c.demand()[r];
                    break;
                }
            }
        }
        return total;
    }
}
