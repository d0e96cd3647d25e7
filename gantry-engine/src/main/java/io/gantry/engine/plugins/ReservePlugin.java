package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.GpuAllocation;

/**
 * Extension points "reserve" and "release": told after the cluster state took or gave back a placement, and after a
 * node was added, changed or removed, e.g. to keep derived per-node figures up to date.
 */
public interface ReservePlugin {

    String name();

    void reserved(ClusterState state, GpuAllocation allocation);

    void released(ClusterState state, GpuAllocation allocation);

    /** The node was added, changed or removed (then {@link ClusterState#hasNode} is false); its pods went with it. */
    default void nodeChanged(ClusterState state, String nodeName) {
    }
}
