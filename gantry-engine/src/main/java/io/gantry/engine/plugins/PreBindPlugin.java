package io.gantry.engine.plugins;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Status;

/**
 * Extension point "pre-bind", provided by the host: work before the binding (e.g. provisioning a volume or a
 * resource claim). Runs in the binding cycle, which may be on another thread than the scheduling cycle, so it must
 * not touch the cluster state. A failure unreserves the pod.
 */
public interface PreBindPlugin {

    String name();

    Status preBind(PodRequest pod, GpuAllocation allocation);
}
