package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;

/** Small cluster builders for plugin tests. */
final class Nodes {

    private Nodes() {
    }

    static ClusterState state(NodeSpec... specs) {
        ClusterState state = new ClusterState();
        for (NodeSpec s : specs) {
            state.addNode(s);
        }
        return state;
    }

    /**
     * Takes {@code used[g]} milli from GPU g of the node (nothing where it is 0), one CPU-less pod per GPU: a share
     * below 1000, a whole-GPU pod at 1000.
     */
    static void use(ClusterState state, String node, int... used) {
        int slot = state.slotOf(node);
        for (int g = 0; g < used.length; g++) {
            if (used[g] > 0) {
                state.allocate(PodRequest.of("use-" + node + "-" + g, 0, 0, 1, used[g]), slot, new int[] {g});
            }
        }
    }

    static int[] gpuLeft(ClusterState state, String node) {
        int slot = state.slotOf(node);
        int[] out = new int[state.gpuCount(slot)];
        for (int g = 0; g < out.length; g++) {
            out[g] = state.gpuLeft(slot, g);
        }
        return out;
    }
}
