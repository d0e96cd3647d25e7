package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import java.util.random.RandomGenerator;

/** Policy "Random": one feasible node, drawn uniformly, scores 100 and all others 0. The baseline. */
public final class RandomScore implements ScorePlugin {

    private final RandomGenerator random;
    private int chosen = -1;

    public RandomScore(RandomGenerator random) {
        this.random = requireNonNull(random, "random");
    }

    @Override
    public String name() {
        return "Random";
    }

    @Override
    public void preScore(ClusterState state, CycleContext cycle, int[] feasible, int count) {
        chosen = count == 0 ? -1 : feasible[random.nextInt(count)];
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        return node == chosen ? 100 : 0;
    }
}
