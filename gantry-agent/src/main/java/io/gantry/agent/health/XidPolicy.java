package io.gantry.agent.health;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which Xids mark a GPU unhealthy, and which keep it so. The default ignores the Xids NVIDIA's device plugin ignores
 * because they are application errors on a healthy GPU: 13 graphics engine exception, 31 GPU memory page fault, 43
 * GPU stopped processing, 45 preemptive cleanup, 68 video processor exception, 109 context switch timeout. Xids after
 * which NVIDIA's documentation asks for a GPU reset (48 double-bit ECC error, 64 row remapping failure, 74 NVLink
 * error, 79 fallen off the bus, 95 uncontained ECC error, 119 and 120 GSP errors) are never healed by the quiet
 * period: the GPU stays Unhealthy until the agent restarts, after the GPU was reset.
 */
public record XidPolicy(Set<Long> ignored, Set<Long> resetRequired) {

    public static final Set<Long> APPLICATION_XIDS = Set.of(13L, 31L, 43L, 45L, 68L, 109L);
    public static final Set<Long> RESET_REQUIRED_XIDS = Set.of(48L, 64L, 74L, 79L, 95L, 119L, 120L);

    public XidPolicy {
        ignored = Set.copyOf(requireNonNull(ignored, "ignored"));
        resetRequired = Set.copyOf(requireNonNull(resetRequired, "resetRequired"));
    }

    public XidPolicy(Set<Long> ignored) {
        this(ignored, RESET_REQUIRED_XIDS);
    }

    public static XidPolicy defaults() {
        return new XidPolicy(APPLICATION_XIDS, RESET_REQUIRED_XIDS);
    }

    /** Whether only a GPU reset (and an agent restart) clears this Xid. */
    public boolean needsReset(long xid) {
        return resetRequired.contains(xid);
    }

    /** The defaults plus {@code extra} ignored, minus {@code forced} (which always count). */
    public static XidPolicy of(Set<Long> extra, Set<Long> forced) {
        Set<Long> s = new TreeSet<>(APPLICATION_XIDS);
        s.addAll(extra);
        s.removeAll(forced);
        return new XidPolicy(s, RESET_REQUIRED_XIDS);
    }

    public boolean isCritical(long xid) {
        return !ignored.contains(xid);
    }
}
