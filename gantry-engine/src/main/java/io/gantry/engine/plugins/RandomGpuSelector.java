package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import java.util.random.RandomGenerator;

/** GPU choice "random": a share goes to a uniformly random GPU that holds it; whole GPUs are the lowest free ones. */
public final class RandomGpuSelector extends ShareAwareGpuSelector {

    private final RandomGenerator random;

    public RandomGpuSelector(RandomGenerator random) {
        this.random = requireNonNull(random, "random");
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    int shareGpu(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        // Reservoir sampling over the GPUs that hold the share.
        int chosen = -1;
        int seen = 0;
        for (int g = 0; g < state.gpuCount(node); g++) {
            if (state.gpuLeft(node, g) >= pod.gpuMilliPerGpu()) {
                seen++;
                if (random.nextInt(seen) == 0) {
                    chosen = g;
                }
            }
        }
        if (chosen < 0) {
            throw new IllegalStateException(state.nodeName(node) + " has no GPU for " + pod.name());
        }
        return chosen;
    }
}
