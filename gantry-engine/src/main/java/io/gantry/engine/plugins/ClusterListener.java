package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.GpuAllocation;

/**
 * Told after the cluster state took or gave back a placement, whoever made it (a cycle, a recorded bound pod, a
 * release), and after a node was added, changed or removed: for figures derived from the cluster, such as the
 * simulator's fragmentation tracker. Not an extension point of the cycle: it cannot fail or veto anything.
 */
public interface ClusterListener {

    String name();

    void placed(ClusterState state, GpuAllocation allocation);

    void removed(ClusterState state, GpuAllocation allocation);

    /** The node was added, changed or removed (then {@link ClusterState#hasNode} is false); its pods went with it. */
    default void nodeChanged(ClusterState state, String nodeName) {
    }
}
