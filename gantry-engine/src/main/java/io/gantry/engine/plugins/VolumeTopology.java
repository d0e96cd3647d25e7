package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.placement.NodeSelectorTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a pod's bound volumes can be used: kube-scheduler's VolumeBinding check of a bound PersistentVolume's node
 * affinity (some term must match the node) and VolumeZone's check of its zone and region labels (the node's label
 * must be one of the volume's values). Claims the host could not resolve (missing, unbound, waiting for a
 * consumer) come as blockers: the pod is rejected at pre-filter with them, never placed as if they did not exist.
 */
public final class VolumeTopology implements PreFilterPlugin, FilterPlugin {

    /** Made once: the pre-filter runs for every pod. */
    private static final Status SKIP = Status.skip("VolumeTopology");

    public static final Reason NODE_AFFINITY_CONFLICT = Reason.unresolvable("VolumeNodeAffinity",
            "node(s) had volume node affinity conflict");
    public static final Reason ZONE_CONFLICT = Reason.unresolvable("VolumeZone",
            "node(s) had no available volume zone");

    /**
     * One bound volume: its name, its node affinity (required terms, OR; empty: any node) and its topology labels
     * (label key → the values it allows, e.g. {@code topology.kubernetes.io/zone → {a, b}}).
     */
    public record BoundVolume(String name, List<NodeSelectorTerm> nodeAffinity, Map<String, Set<String>> zones) {
        public BoundVolume {
            requireNonNull(name, "name");
            nodeAffinity = List.copyOf(requireNonNull(nodeAffinity, "nodeAffinity"));
            zones = Map.copyOf(requireNonNull(zones, "zones"));
        }

        boolean affinityAllows(NodeSpec node) {
            if (nodeAffinity.isEmpty()) {
                return true;
            }
            for (NodeSelectorTerm t : nodeAffinity) {
                if (t.matches(node.name(), node.labels())) {
                    return true;
                }
            }
            return false;
        }

        boolean zoneAllows(NodeSpec node) {
            for (Map.Entry<String, Set<String>> e : zones.entrySet()) {
                String v = node.labels().get(e.getKey());
                if (v == null || !e.getValue().contains(v)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A pod's volumes: the bound ones, and why others cannot be scheduled (each blocker a kube-scheduler-style
     * message, e.g. {@code pod has unbound immediate PersistentVolumeClaims}).
     */
    public record Volumes(List<BoundVolume> bound, List<String> blockers) {
        public Volumes {
            bound = List.copyOf(requireNonNull(bound, "bound"));
            blockers = List.copyOf(requireNonNull(blockers, "blockers"));
        }
    }

    public static final PodAttributes.Key<Volumes> VOLUMES = PodAttributes.Key.of("VolumeTopology.volumes",
            Volumes.class);

    @Override
    public String name() {
        return "VolumeTopology";
    }

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        Volumes v = cycle.pod().attributes().getOrNull(VOLUMES);
        if (v == null || (v.bound().isEmpty() && v.blockers().isEmpty())) {
            return SKIP;
        }
        if (!v.blockers().isEmpty()) {
            List<Reason> reasons = new ArrayList<>();
            for (String b : v.blockers()) {
                reasons.add(Reason.unresolvable("VolumeBinding", b));
            }
            return new Status(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, name(), reasons, 0);
        }
        return Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        Volumes v = cycle.pod().attributes().getOrNull(VOLUMES);
        if (v == null) {
            return null;
        }
        NodeSpec spec = state.spec(node);
        // VolumeBinding runs before VolumeZone in kube-scheduler's default profile.
        for (BoundVolume b : v.bound()) {
            if (!b.affinityAllows(spec)) {
                return NODE_AFFINITY_CONFLICT;
            }
        }
        for (BoundVolume b : v.bound()) {
            if (!b.zoneAllows(spec)) {
                return ZONE_CONFLICT;
            }
        }
        return null;
    }
}
