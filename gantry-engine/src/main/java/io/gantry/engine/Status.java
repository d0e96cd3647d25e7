package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The outcome of one plugin at one extension point, as kube-scheduler's framework {@code Status}: a code, the plugin
 * that produced it and its reasons. {@link #SUCCESS} is shared; other statuses are made on the (rare) failure path.
 *
 * @param waitNanos for {@link Code#WAIT} only: how long Permit may hold the pod before it is rejected
 */
public record Status(Code code, String plugin, List<Reason> reasons, long waitNanos) {

    /** kube-scheduler's status codes. */
    public enum Code {
        SUCCESS,
        /** The node (or the pod, at PreFilter) does not fit now; preemption may cure it. */
        UNSCHEDULABLE,
        /** Does not fit, and removing pods would not change that (taints, selectors, a missing GPU model). */
        UNSCHEDULABLE_AND_UNRESOLVABLE,
        /** Permit holds the pod: it stays reserved until allowed, rejected or timed out. */
        WAIT,
        /** The plugin does not apply to this pod; its later extension points are skipped for the cycle. */
        SKIP,
        /** Something is broken (not the pod's fault); the pod is retried with backoff. */
        ERROR
    }

    public static final Status SUCCESS = new Status(Code.SUCCESS, "", List.of(), 0);

    public Status {
        requireNonNull(code, "code");
        requireNonNull(plugin, "plugin");
        reasons = List.copyOf(requireNonNull(reasons, "reasons"));
        if (waitNanos < 0 || (code != Code.WAIT && waitNanos != 0)) {
            throw new IllegalArgumentException("a wait time belongs to WAIT only and is not negative: " + code + " "
                    + waitNanos);
        }
    }

    public static Status unschedulable(String plugin, Reason reason) {
        return new Status(Code.UNSCHEDULABLE, plugin, List.of(reason), 0);
    }

    public static Status unresolvable(String plugin, Reason reason) {
        return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, plugin, List.of(reason), 0);
    }

    public static Status waitFor(String plugin, long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("plugin " + plugin + ": a Permit wait needs a positive timeout, got "
                    + nanos + " ns");
        }
        return new Status(Code.WAIT, plugin, List.of(), nanos);
    }

    public static Status skip(String plugin) {
        return new Status(Code.SKIP, plugin, List.of(), 0);
    }

    public static Status error(String plugin, String message) {
        return new Status(Code.ERROR, plugin, List.of(Reason.unresolvable("Error", message)), 0);
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    /** Unschedulable or unschedulable-and-unresolvable. */
    public boolean isRejection() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    }

    /** The reasons joined as kube-scheduler joins them ("; "), or the code when there are none. */
    public String message() {
        if (reasons.isEmpty()) {
            return code.name();
        }
        StringBuilder b = new StringBuilder();
        for (Reason r : reasons) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(r.message());
        }
        return b.toString();
    }
}
