package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Why a plugin rejected a node, worded as kube-scheduler words it in "0/N nodes are available: ...".
 *
 * <p>{@code code} is stable (hosts map it to their own wording, e.g. a Kubernetes resource name);
 * {@code resolvable} says whether removing pods from the node could cure it (kube-scheduler's Unschedulable) or not
 * (UnschedulableAndUnresolvable: taints, selectors, a missing GPU model), which is what preemption asks. Plugins
 * define their reasons as constants; two reasons are the same when their code and message are.
 *
 * <p>A plugin that finds several faults with one node at once (kube-scheduler's NodeResourcesFit reports every
 * insufficient resource) returns {@link #allOf} them: {@code parts} lists them, and the node is counted once under
 * each part in the explanation.
 */
public record Reason(String code, String message, boolean resolvable, List<Reason> parts) {

    public static final Reason NODE_UNSCHEDULABLE = unresolvable("NodeUnschedulable", "node(s) were unschedulable");
    public static final Reason UNTOLERATED_TAINT = unresolvable("UntoleratedTaint", "node(s) had untolerated taint");
    public static final Reason NODE_SELECTOR_MISMATCH = unresolvable("NodeAffinity",
            "node(s) didn't match Pod's node affinity/selector");
    public static final Reason INSUFFICIENT_CPU = resolvable("InsufficientCPU", "Insufficient cpu");
    public static final Reason INSUFFICIENT_MEMORY = resolvable("InsufficientMemory", "Insufficient memory");
    public static final Reason TOO_MANY_PODS = resolvable("TooManyPods", "Too many pods");
    public static final Reason NO_GPU = unresolvable("NoGPU", "node(s) had no GPU");
    public static final Reason GPU_MODEL_MISMATCH = unresolvable("GPUModelMismatch",
            "node(s) didn't have the requested GPU model");
    public static final Reason INSUFFICIENT_GPU = resolvable("InsufficientGPU", "Insufficient GPU");

    public Reason {
        requireNonNull(code, "code");
        requireNonNull(message, "message");
        parts = List.copyOf(requireNonNull(parts, "parts"));
    }

    public Reason(String code, String message, boolean resolvable) {
        this(code, message, resolvable, List.of());
    }

    /**
     * Several faults of one node as one reason: its message joins theirs with ", ", it is resolvable only if every
     * part is. One part is returned as it is.
     */
    public static Reason allOf(List<Reason> reasons) {
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("allOf needs at least one reason");
        }
        if (reasons.size() == 1) {
            return reasons.get(0);
        }
        StringBuilder code = new StringBuilder();
        StringBuilder message = new StringBuilder();
        boolean resolvable = true;
        for (Reason r : reasons) {
            code.append(code.length() == 0 ? "" : "+").append(r.code());
            message.append(message.length() == 0 ? "" : ", ").append(r.message());
            resolvable &= r.resolvable();
        }
        return new Reason(code.toString(), message.toString(), resolvable, reasons);
    }

    /** The single faults this reason stands for: its parts, or itself. */
    public List<Reason> faults() {
        return parts.isEmpty() ? List.of(this) : parts;
    }

    /** A failure that removing pods from the node could cure. */
    public static Reason resolvable(String code, String message) {
        return new Reason(code, message, true);
    }

    /** A failure no preemption cures. */
    public static Reason unresolvable(String code, String message) {
        return new Reason(code, message, false);
    }

    /** The same reason with a more precise message, e.g. naming the taint. */
    public Reason withMessage(String newMessage) {
        return new Reason(code, newMessage, resolvable, parts);
    }

    /** The status a plugin returns for this reason. */
    public Status status(String plugin) {
        return resolvable ? Status.unschedulable(plugin, this) : Status.unresolvable(plugin, this);
    }
}
