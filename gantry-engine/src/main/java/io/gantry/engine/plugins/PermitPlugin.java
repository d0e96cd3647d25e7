package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.Status;

/**
 * Extension point "permit": the last word before binding, after Reserve. Success allows the pod, a rejection
 * unreserves it, {@link Status#waitFor} holds it reserved until {@code Scheduler.allow} (from every waiting plugin),
 * {@code Scheduler.reject} or the timeout, whichever comes first: where gang scheduling waits for its members.
 */
public interface PermitPlugin {

    String name();

    Status permit(ClusterState state, CycleContext cycle, GpuAllocation allocation);
}
