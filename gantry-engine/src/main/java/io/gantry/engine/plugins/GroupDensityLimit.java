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
 * the reserve side keeps the per-node counts as pods are placed and released.
 *
 * <p>The reserve call carries only the allocation, so the group of a placed pod is taken from the pod this filter
 * saw last in the cycle ({@link io.gantry.engine.Scheduler#schedule} and {@code scheduleOn} filter before they
 * reserve). Pods recorded with {@code Scheduler.recordPlaced} skip the filter and are therefore not counted.
 */
public final class GroupDensityLimit implements FilterPlugin, ReservePlugin {

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
    private PodRequest cyclePod;
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
            cyclePod = cycle.pod();
            cycleLimit = cyclePod.attributes().getOrNull(LIMIT);
            cycleCounts = cycleLimit == null ? null : counts.get(cycleLimit.group());
        }
        if (cycleCounts == null || node >= cycleCounts.length) {
            return null;
        }
        return cycleCounts[node] >= cycleLimit.maxPerNode() ? Reason.TOO_MANY_GROUP_INSTANCES : null;
    }

    @Override
    public void reserved(ClusterState state, GpuAllocation allocation) {
        if (cyclePod == null || cycleLimit == null || !cyclePod.name().equals(allocation.podName())) {
            return;
        }
        int slot = state.slotOf(allocation.nodeName());
        int[] perNode = counts.computeIfAbsent(cycleLimit.group(), g -> new int[state.slotCount()]);
        if (perNode.length <= slot) {
            perNode = Arrays.copyOf(perNode, state.slotCount());
            counts.put(cycleLimit.group(), perNode);
        }
        perNode[slot]++;
        cycleCounts = perNode;
        placed.put(allocation.podName(), new Placed(cycleLimit.group(), slot));
    }

    @Override
    public void released(ClusterState state, GpuAllocation allocation) {
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
        cyclePod = null;
    }

    /** Pods of the group on the node, as counted here. */
    public int count(ClusterState state, String group, String nodeName) {
        int[] perNode = counts.get(group);
        int slot = state.slotOf(nodeName);
        return perNode == null || slot >= perNode.length ? 0 : perNode[slot];
    }
}
