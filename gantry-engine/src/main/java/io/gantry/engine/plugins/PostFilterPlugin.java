package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.Explanation;

/**
 * Extension point "post-filter": called only when no node fits, with why each node was rejected; this is where
 * preemption lives. It may nominate a node (after it has arranged for room there, e.g. by choosing victims) or
 * explain why it could not help; the first plugin that nominates ends the chain.
 */
public interface PostFilterPlugin {

    String name();

    PostFilterResult postFilter(ClusterState state, CycleContext cycle, Explanation filtered);

    /** What a post-filter did: a nominated node (empty: none) and its message for the explanation. */
    record PostFilterResult(String nominatedNode, String message) {
        public static final PostFilterResult NOTHING = new PostFilterResult("", "");

        public PostFilterResult {
            java.util.Objects.requireNonNull(nominatedNode, "nominatedNode");
            java.util.Objects.requireNonNull(message, "message");
        }

        public boolean nominated() {
            return !nominatedNode.isEmpty();
        }
    }
}
