package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.Status;

/**
 * Extension points "reserve" and "unreserve": the cluster state has just taken the pod's placement. Reserve may
 * fail; then every reserve plugin that already succeeded is unreserved in reverse order and the placement is given
 * back, leaving the state exactly as before the cycle. Unreserve is also called when Permit rejects, a Permit wait
 * times out or binding fails. Unreserve must be idempotent and must not fail.
 */
public interface ReservePlugin {

    String name();

    Status reserve(ClusterState state, CycleContext cycle, GpuAllocation allocation);

    void unreserve(ClusterState state, CycleContext cycle, GpuAllocation allocation);
}
