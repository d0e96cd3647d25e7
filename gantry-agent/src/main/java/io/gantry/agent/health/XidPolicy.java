package io.gantry.agent.health;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which Xids mark a GPU unhealthy. The default ignores the Xids NVIDIA's device plugin ignores because they are
 * application errors on a healthy GPU: 13 graphics engine exception, 31 GPU memory page fault, 43 GPU stopped
 * processing, 45 preemptive cleanup, 68 video processor exception, 109 context switch timeout.
 */
public record XidPolicy(Set<Long> ignored) {

    public static final Set<Long> APPLICATION_XIDS = Set.of(13L, 31L, 43L, 45L, 68L, 109L);

    public XidPolicy {
        ignored = Set.copyOf(requireNonNull(ignored, "ignored"));
    }

    public static XidPolicy defaults() {
        return new XidPolicy(APPLICATION_XIDS);
    }

    /** The defaults plus {@code extra} ignored, minus {@code forced} (which always count). */
    public static XidPolicy of(Set<Long> extra, Set<Long> forced) {
        Set<Long> s = new TreeSet<>(APPLICATION_XIDS);
        s.addAll(extra);
        s.removeAll(forced);
        return new XidPolicy(s);
    }

    public boolean isCritical(long xid) {
        return !ignored.contains(xid);
    }
}
