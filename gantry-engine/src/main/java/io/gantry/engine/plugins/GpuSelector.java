package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;

/**
 * Extension point "GPU selection": which GPUs of the chosen node the pod gets. Called only for a node that passed
 * the filters, so a fitting choice exists.
 */
public interface GpuSelector {

    String name();

    /** GPU indices on the node, {@code pod.gpuCount()} of them (empty for a CPU-only pod). */
    int[] select(ClusterState state, CycleContext cycle, int node);
}
