package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.placement.Taint;
import java.util.HashMap;
import java.util.Map;

/**
 * Kube-scheduler's NodeUnschedulable, TaintToleration and NodeAffinity filters, in that order: a cordoned node only
 * takes pods tolerating {@code node.kubernetes.io/unschedulable:NoSchedule}; a NoSchedule or NoExecute taint
 * keeps off pods that do not tolerate it; the node must satisfy the pod's nodeSelector and required affinity.
 */
public final class NodePlacementFilter implements PreFilterPlugin, FilterPlugin {

    private static final Status SKIP = Status.skip("NodePlacement");

    /** One reason per distinct taint, made once: the filter runs for every node and must not allocate. */
    private final Map<Taint, Reason> taintReasons = new HashMap<>();

    private static final Taint CORDON = new Taint(Taint.UNSCHEDULABLE_KEY, "", Taint.Effect.NO_SCHEDULE);

    /** Kube-scheduler's reason for a taint the pod does not tolerate: {@code node(s) had untolerated taint {k: v}}. */
    public static Reason untolerated(Taint taint) {
        return Reason.UNTOLERATED_TAINT.withMessage("node(s) had untolerated taint {" + taint.key() + ": "
                + taint.value() + "}");
    }

    @Override
    public String name() {
        return "NodePlacement";
    }

    /** Nothing to check for a pod without rules while every node is open to all: the filter is off for the cycle. */
    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        return cycle.pod().placement() == NodePlacement.NONE && state.closedNodeCount() == 0 ? SKIP : Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        NodePlacement rules = cycle.pod().placement();
        if (rules == NodePlacement.NONE && state.isOpenToAll(node)) {
            return null; // the common case, and every simulated one: nothing to check (and no node object read)
        }
        NodeSpec spec = state.spec(node);
        if (spec.unschedulable() && !rules.tolerates(CORDON)) {
            return Reason.NODE_UNSCHEDULABLE;
        }
        Taint taint = rules.untolerated(spec.taints());
        if (taint != null) {
            // kube-scheduler names the taint: "node(s) had untolerated taint {key: value}"
            return taintReasons.computeIfAbsent(taint, NodePlacementFilter::untolerated);
        }
        if (!rules.selects(spec.name(), spec.labels())) {
            return Reason.NODE_SELECTOR_MISMATCH;
        }
        return null;
    }
}
