package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.SchedulingProfile;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.plugins.BindPlugin;
import io.gantry.engine.plugins.QueueSortPlugin;
import java.util.SplittableRandom;

/**
 * The scheduling profile the engine runs, for the configured policy, with the host's Bind plugin. FGD's profile owns
 * its target-workload learner ({@link FgdTargetLearner}); the other policies learn nothing and are fixed.
 */
final class PolicyProfile {

    private final Policy policy;
    private final ScoringMode mode;
    private final long seed;
    /** Only for FGD. */
    private final FgdTargetLearner learner;
    private final BindPlugin binding;

    /** {@code binding} is the Bind extension point: the API's pods/binding for the scheduler. */
    PolicyProfile(Policy policy, ScoringMode mode, long seed, long now, BindPlugin binding) {
        this.policy = requireNonNull(policy, "policy");
        this.binding = requireNonNull(binding, "binding");
        this.mode = requireNonNull(mode, "mode");
        this.seed = seed;
        this.learner = Policy.FGD.equals(policy) ? new FgdTargetLearner(now) : null;
    }

    /** A fresh profile; FGD's measures against the target learnt so far. */
    SchedulingProfile newProfile() {
        return policy.profile(mode, learner == null ? FgdTargetLearner.targetFrom(java.util.List.of())
                : learner.target(), new SplittableRandom(seed)).toBuilder().bind(binding).build();
    }

    /** The order pending pods leave the queue in: the profile's queue sort (priority, then time queued). */
    QueueSortPlugin queueSort() {
        return newProfile().queueSort();
    }

    /** A pod Gantry sees, pending or placed. */
    void observe(PodRequest request) {
        if (learner != null) {
            learner.observe(request);
        }
    }

    void unobserve(String key) {
        if (learner != null) {
            learner.unobserve(key);
        }
    }

    /** True when what the profile learnt changed, so the engine must be rebuilt with {@link #newProfile()}. */
    boolean refresh(long now) {
        return learner != null && learner.refresh(now);
    }

    /** Pod types in FGD's target workload; 0 for other policies. */
    int targetTypes() {
        return learner == null ? 0 : learner.target().types().size();
    }
}
