package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.frag.Fragmentation;
import io.gantry.engine.frag.TargetWorkload;
import java.util.random.RandomGenerator;

/**
 * What plugin factories get when a policy's profile is built: the scoring mode, the workload FGD measures
 * fragmentation against, and the one random stream of the profile. Objects that several plugins of one profile
 * share (FGD's score and GPU choice use one {@link Fragmentation}) are made once per profile here.
 */
public final class PluginArgs {

    private final ScoringMode mode;
    private final TargetWorkload target;
    private final RandomGenerator random;
    private Fragmentation fragmentation;

    public PluginArgs(ScoringMode mode, TargetWorkload target, RandomGenerator random) {
        this.mode = requireNonNull(mode, "mode");
        this.target = requireNonNull(target, "target");
        this.random = requireNonNull(random, "random");
    }

    public ScoringMode mode() {
        return mode;
    }

    public TargetWorkload target() {
        return target;
    }

    public RandomGenerator random() {
        return random;
    }

    /** The profile's fragmentation measure under the target workload, made on first use. */
    public Fragmentation fragmentation() {
        if (fragmentation == null) {
            fragmentation = new Fragmentation(target);
        }
        return fragmentation;
    }
}
