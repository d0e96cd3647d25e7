package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.Status;

/**
 * Extension point "pre-filter": once per cycle, before any node is filtered. Works out what the filters will need
 * (written into the cycle state) or rejects the pod outright: a rejection here stops the cycle and every node is
 * counted under its reason. {@link Status#skip} turns this plugin's filter off for the cycle.
 */
public interface PreFilterPlugin {

    String name();

    Status preFilter(ClusterState state, CycleContext cycle);
}
