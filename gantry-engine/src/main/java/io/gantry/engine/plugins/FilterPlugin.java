package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.Reason;

/** Extension point "filter": can the pod run on this node at all? */
public interface FilterPlugin {

    String name();

    /** Null if the node is feasible, otherwise the reason it is not. Called for every node: keep it allocation-free. */
    Reason filter(ClusterState state, CycleContext cycle, int node);
}
