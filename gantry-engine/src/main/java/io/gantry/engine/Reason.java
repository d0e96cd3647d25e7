package io.gantry.engine;

/** Why a filter rejected a node, worded as kube-scheduler words it in "0/N nodes are available: ...". */
public enum Reason {
    NODE_UNSCHEDULABLE("node(s) were unschedulable"),
    UNTOLERATED_TAINT("node(s) had untolerated taint"),
    NODE_SELECTOR_MISMATCH("node(s) didn't match Pod's node affinity/selector"),
    INSUFFICIENT_CPU("insufficient CPU"),
    INSUFFICIENT_MEMORY("insufficient memory"),
    TOO_MANY_PODS("too many pods"),
    NO_GPU("node has no GPU"),
    GPU_MODEL_MISMATCH("GPU model mismatch"),
    INSUFFICIENT_GPU("insufficient GPU"),
    /** {@link io.gantry.engine.plugins.GroupDensityLimit}: the node holds the most instances of the pod's group it may. */
    TOO_MANY_GROUP_INSTANCES("node(s) had too many instances of the pod's group");

    private final String message;

    Reason(String message) {
        this.message = message;
    }

    public String message() {
        return message;
    }
}
