package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.frag.Fragmentation;
import io.gantry.engine.plugins.ClusterListener;

/**
 * Keeps the cluster's total fragmentation Σ F(n) up to date as pods come and go, so that a metrics sample after
 * every pod costs O(1) instead of a pass over all nodes. The same F(n) as FGD's, for every policy.
 */
final class FragmentationTracker implements ClusterListener {

    private final Fragmentation fragmentation;
    private double[] nodeFrag;
    private double total;

    FragmentationTracker(Fragmentation fragmentation, ClusterState state) {
        this.fragmentation = requireNonNull(fragmentation, "fragmentation");
        recomputeAll(state);
    }

    private void recomputeAll(ClusterState state) {
        nodeFrag = new double[state.slotCount()];
        total = 0;
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (state.isActive(slot)) {
                nodeFrag[slot] = fragmentation.nodeFrag(state, slot);
                total += nodeFrag[slot];
            }
        }
    }

    /** Nodes come and go rarely: start over. */
    @Override
    public void nodeChanged(ClusterState state, String nodeName) {
        recomputeAll(state);
    }

    @Override
    public String name() {
        return "FragmentationTracker";
    }

    @Override
    public void placed(ClusterState state, GpuAllocation allocation) {
        refresh(state, state.slotOf(allocation.nodeName()));
    }

    @Override
    public void removed(ClusterState state, GpuAllocation allocation) {
        refresh(state, state.slotOf(allocation.nodeName()));
    }

    private void refresh(ClusterState state, int slot) {
        double now = fragmentation.nodeFrag(state, slot);
        total += now - nodeFrag[slot];
        nodeFrag[slot] = now;
    }

    /** Σ F(n) over all nodes, in milli-GPU. */
    double total() {
        return total;
    }
}
