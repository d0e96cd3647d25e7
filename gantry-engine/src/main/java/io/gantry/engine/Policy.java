package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A node-scoring policy: a name and the plugins it enables, each score plugin with its weight, and its GPU choice,
 * on top of the standard filters and standard scores ({@link PluginRegistry#STANDARD_SCORES}). What users can choose is {@link PolicyRegistry#STANDARD}; the six shipped
 * policies are defined here as constants (so code and tests can name them) and listed there.
 *
 * @param name the name users type, e.g. {@code fgd}
 * @param paperName the name in the FGD paper's result files, e.g. {@code 06-FGD}
 * @param scores the score plugins by registry name, with weights
 * @param gpuSelector the GPU selector by registry name
 */
public record Policy(String name, String paperName, String description, List<PluginWeight> scores,
        String gpuSelector) {

    public static final Policy RANDOM = new Policy("random", "01-Random", "a random feasible node, a random GPU",
            List.of(new PluginWeight("Random", 1)), "random");
    public static final Policy DOTPROD = new Policy("dotprod", "02-DotProd",
            "the node whose free resources best align with the pod's request",
            List.of(new PluginWeight("DotProduct", 1)), "bestfit");
    public static final Policy GPUCLUSTERING = new Policy("gpuclustering", "03-GpuClustering",
            "keep pods of one GPU shape together", List.of(new PluginWeight("GpuClustering", 1)), "bestfit");
    public static final Policy GPUPACKING = new Policy("gpupacking", "04-GpuPacking",
            "fill partly used GPUs and nodes first", List.of(new PluginWeight("GpuPacking", 1)), "bestfit");
    public static final Policy BESTFIT = new Policy("bestfit", "05-BestFit",
            "the node with the least resources left after placing", List.of(new PluginWeight("BestFit", 1)),
            "bestfit");
    public static final Policy FGD = new Policy("fgd", "06-FGD",
            "fragmentation gradient descent: the node whose GPU fragmentation grows least",
            List.of(new PluginWeight("FGD", 1)), "fgd");

    /** A score plugin of the policy and its weight. */
    public record PluginWeight(String plugin, int weight) {
        public PluginWeight {
            requireNonNull(plugin, "plugin");
            if (weight < 1) {
                throw new IllegalArgumentException("plugin " + plugin + ": weight must be at least 1, got " + weight);
            }
        }
    }

    public Policy {
        requireNonNull(name, "name");
        requireNonNull(paperName, "paperName");
        requireNonNull(description, "description");
        scores = List.copyOf(requireNonNull(scores, "scores"));
        requireNonNull(gpuSelector, "gpuSelector");
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("policy " + name + " enables no score plugin");
        }
    }

    /** The name users type; kept for callers of the former enum. */
    public String cliName() {
        return name;
    }

    /** The shipped policies, in the registry's order. */
    public static Policy[] values() {
        return PolicyRegistry.STANDARD.policies().toArray(Policy[]::new);
    }

    /** Looks a policy up by name or paper name, ignoring case; the error lists the known names. */
    public static Policy parse(String name) {
        return PolicyRegistry.STANDARD.parse(name);
    }

    /**
     * The profile for this policy: the standard filters, the policy's weighted scores and GPU choice.
     *
     * @param target the workload FGD measures fragmentation against (other policies ignore it)
     * @param random the one random stream for Random's node and GPU draws
     */
    public SchedulingProfile profile(ScoringMode mode, TargetWorkload target, RandomGenerator random) {
        return profile(PluginRegistry.STANDARD, new PluginArgs(mode, target, random));
    }

    public SchedulingProfile profile(PluginRegistry plugins, PluginArgs args) {
        requireNonNull(plugins, "plugins");
        requireNonNull(args, "args");
        SchedulingProfile.Builder b = SchedulingProfile.builder(paperName);
        for (String name : PluginRegistry.STANDARD_FILTERS) {
            FilterPlugin filter = plugins.filter(name);
            if (filter instanceof PreFilterPlugin pre) {
                b.preFilter(pre);
            }
            b.filter(filter);
        }
        for (PluginWeight s : scores) {
            b.score(plugins.score(s.plugin(), args), s.weight());
        }
        for (PluginWeight s : PluginRegistry.STANDARD_SCORES) {
            if (scores.stream().noneMatch(own -> own.plugin().equals(s.plugin()))) {
                b.score(plugins.score(s.plugin(), args), s.weight());
            }
        }
        return b.gpuSelector(plugins.gpuSelector(gpuSelector, args)).build();
    }

    @Override
    public String toString() {
        return name;
    }
}
