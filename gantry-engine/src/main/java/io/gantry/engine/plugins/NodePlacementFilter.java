package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.placement.Taint;

/**
 * Kube-scheduler's NodeUnschedulable, TaintToleration and NodeAffinity filters, in that order: a cordoned node only
 * takes pods tolerating {@code node.kubernetes.io/unschedulable:NoSchedule}; a NoSchedule or NoExecute taint
 * keeps off pods that do not tolerate it; the node must satisfy the pod's nodeSelector and required affinity.
 */
public final class NodePlacementFilter implements FilterPlugin {

    private static final Taint CORDON = new Taint(Taint.UNSCHEDULABLE_KEY, "", Taint.Effect.NO_SCHEDULE);

    @Override
    public String name() {
        return "NodePlacement";
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        NodeSpec spec = state.spec(node);
        PodRequest pod = cycle.pod();
        NodePlacement rules = pod.placement();
        if (rules == NodePlacement.NONE && spec.isOpenToAll()) {
            return null; // the common case, and every simulated one: nothing to check
        }
        if (spec.unschedulable() && !rules.tolerates(CORDON)) {
            return Reason.NODE_UNSCHEDULABLE;
        }
        if (rules.blockedBy(spec.taints())) {
            return Reason.UNTOLERATED_TAINT;
        }
        if (!rules.selects(spec.name(), spec.labels())) {
            return Reason.NODE_SELECTOR_MISMATCH;
        }
        return null;
    }
}
