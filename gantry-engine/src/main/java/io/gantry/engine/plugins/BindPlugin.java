package io.gantry.engine.plugins;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Status;

/**
 * Extension point "bind", provided by the host: instant in the simulator, the API's pods/binding in Kubernetes.
 * Bind plugins are tried in order until one does not return {@link Status#skip}. Same threading rule as
 * {@link PreBindPlugin}.
 */
public interface BindPlugin {

    String name();

    Status bind(PodRequest pod, GpuAllocation allocation);

    /** The simulator's binding: nothing to do, the reservation is the placement. */
    BindPlugin INSTANT = new BindPlugin() {
        @Override
        public String name() {
            return "InstantBind";
        }

        @Override
        public Status bind(PodRequest pod, GpuAllocation allocation) {
            return Status.SUCCESS;
        }
    };
}
