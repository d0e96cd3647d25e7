package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.Explanation;

/**
 * Extension point "post-filter": called only when no node fits (or a pre-filter rejected the pod with a reason
 * removing pods could cure), with why each node was rejected; this is where preemption lives. It may ask
 * {@link io.gantry.engine.FrameworkHandle#fitsWithout} (through {@code cycle.framework()}) whether the pod would fit
 * on a node once some placed pods were gone. It may nominate a node (after it has arranged for room there, e.g. by choosing victims) or
 * explain why it could not help; the first plugin that nominates ends the chain.
 */
public interface PostFilterPlugin {

    String name();

    PostFilterResult postFilter(ClusterState state, CycleContext cycle, Explanation filtered);

    /**
     * What a post-filter did: a nominated node (empty: none), the placed pods that must go for the pod to fit there
     * (the host evicts them), and its message for the explanation.
     */
    record PostFilterResult(String nominatedNode, java.util.List<String> victims, String message) {
        public static final PostFilterResult NOTHING = new PostFilterResult("", java.util.List.of(), "");

        public PostFilterResult {
            java.util.Objects.requireNonNull(nominatedNode, "nominatedNode");
            victims = java.util.List.copyOf(java.util.Objects.requireNonNull(victims, "victims"));
            java.util.Objects.requireNonNull(message, "message");
        }

        public PostFilterResult(String nominatedNode, String message) {
            this(nominatedNode, java.util.List.of(), message);
        }

        public boolean nominated() {
            return !nominatedNode.isEmpty();
        }
    }
}
