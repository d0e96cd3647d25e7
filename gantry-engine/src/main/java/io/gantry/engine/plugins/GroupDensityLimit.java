package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * "At most N pods of this group per node", as the DLRM inference trace's {@code max_instance_per_node} asks for a
 * service ({@code app_name}). A pod opts in by carrying a {@link Limit} under {@link #LIMIT}; pods without one are
 * not limited and not counted. The filter rejects a node that already holds {@code maxPerNode} pods of the group;
 * as a {@link ClusterListener} it keeps the per-node counts for every placement the cluster state takes or gives
 * back, whoever made it (a cycle, a pod recorded as bound, a release, a rollback).
 */
public final class GroupDensityLimit implements FilterPlugin, ClusterListener {

    /** Resolvable: removing pods of the group from the node cures it. */
    public static final Reason TOO_MANY_GROUP_INSTANCES = Reason.resolvable("TooManyGroupInstances",
            "node(s) had too many instances of the pod's group");

    /** The pod's group and the most pods of that group one node may hold. */
    public record Limit(String group, int maxPerNode) {
        public Limit {
            requireNonNull(group, "group");
            if (group.isEmpty()) {
                throw new IllegalArgumentException("group must not be empty");
            }
            if (maxPerNode < 1) {
                throw new IllegalArgumentException("group " + group + ": max pods per node must be at least 1, got "
                        + maxPerNode + "; leave the limit off for no limit");
            }
        }
    }

    public static final PodAttributes.Key<Limit> LIMIT = PodAttributes.Key.of("group-density-limit", Limit.class);

    private record Placed(String group, int slot) {
    }

    /** Pods of each group per node slot. */
    private final Map<String, int[]> counts = new HashMap<>();
    private final Map<String, Placed> placed = new HashMap<>();
    private CycleContext lastCycle;
    private Limit cycleLimit;
    private int[] cycleCounts;

    @Override
    public String name() {
        return "GroupDensityLimit";
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        if (cycle != lastCycle) { // once per cycle, not per node
            lastCycle = cycle;
            cycleLimit = cycle.pod().attributes().getOrNull(LIMIT);
            cycleCounts = cycleLimit == null ? null : counts.get(cycleLimit.group());
        }
        if (cycleCounts == null || node >= cycleCounts.length) {
            return null;
        }
        return cycleCounts[node] >= cycleLimit.maxPerNode() ? TOO_MANY_GROUP_INSTANCES : null;
    }

    @Override
    public void placed(ClusterState state, GpuAllocation allocation) {
        PodRequest pod = state.placedPod(allocation.podName()).orElse(null);
        Limit limit = pod == null ? null : pod.attributes().getOrNull(LIMIT);
        if (limit == null) {
            return;
        }
        int slot = state.slotOf(allocation.nodeName());
        int[] perNode = counts.get(limit.group());
        if (perNode == null || perNode.length <= slot) {
            perNode = perNode == null ? new int[state.slotCount()] : Arrays.copyOf(perNode, state.slotCount());
            counts.put(limit.group(), perNode);
        }
        perNode[slot]++;
        placed.put(allocation.podName(), new Placed(limit.group(), slot));
        lastCycle = null; // a cycle in progress (e.g. after a rollback) re-reads the counts
    }

    @Override
    public void removed(ClusterState state, GpuAllocation allocation) {
        Placed p = placed.remove(allocation.podName());
        if (p != null) {
            counts.get(p.group())[p.slot()]--;
        }
    }

    /** A removed node's pods went with it; a slot that is reused starts from zero. */
    @Override
    public void nodeChanged(ClusterState state, String nodeName) {
        if (state.hasNode(nodeName)) {
            return;
        }
        Iterator<Map.Entry<String, Placed>> it = placed.entrySet().iterator();
        while (it.hasNext()) {
            Placed p = it.next().getValue();
            if (p.slot() < state.slotCount() && !state.isActive(p.slot())) {
                counts.get(p.group())[p.slot()]--;
                it.remove();
            }
        }
        lastCycle = null;
    }

    /** Pods of the group on the node, as counted here. */
    public int count(ClusterState state, String group, String nodeName) {
        int[] perNode = counts.get(group);
        int slot = state.slotOf(nodeName);
        return perNode == null || slot >= perNode.length ? 0 : perNode[slot];
    }
}
