package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.frag.Fragmentation;
import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.plugins.BestFitGpuSelector;
import io.gantry.engine.plugins.BestFitScore;
import io.gantry.engine.plugins.DotProductScore;
import io.gantry.engine.plugins.FgdGpuSelector;
import io.gantry.engine.plugins.FgdScore;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.GpuClusteringScore;
import io.gantry.engine.plugins.GpuFitFilter;
import io.gantry.engine.plugins.GpuPackingScore;
import io.gantry.engine.plugins.NodePlacementFilter;
import io.gantry.engine.plugins.RandomGpuSelector;
import io.gantry.engine.plugins.RandomScore;
import io.gantry.engine.plugins.ResourceFitFilter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/** The node-scoring policies Gantry ships, each a score plugin plus its GPU choice. */
public enum Policy {
    RANDOM("random", "01-Random"),
    DOTPROD("dotprod", "02-DotProd"),
    GPUCLUSTERING("gpuclustering", "03-GpuClustering"),
    GPUPACKING("gpupacking", "04-GpuPacking"),
    BESTFIT("bestfit", "05-BestFit"),
    FGD("fgd", "06-FGD");

    private final String cliName;
    private final String paperName;

    Policy(String cliName, String paperName) {
        this.cliName = cliName;
        this.paperName = paperName;
    }

    /** The name users type, e.g. {@code fgd}. */
    public String cliName() {
        return cliName;
    }

    /** The name in the FGD paper's result files, e.g. {@code 06-FGD}. */
    public String paperName() {
        return paperName;
    }

    public static Policy parse(String name) {
        String n = requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT);
        for (Policy p : values()) {
            if (p.cliName.equals(n) || p.paperName.toLowerCase(Locale.ROOT).equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + name + "'; choose one of "
                + Arrays.stream(values()).map(Policy::cliName).collect(Collectors.joining(", ")));
    }

    /**
     * The profile for this policy: the standard filters (placement rules, CPU/memory/pods, GPUs), the policy's score and GPU choice.
     *
     * @param target the workload FGD measures fragmentation against (other policies ignore it)
     * @param random the one random stream for Random's node and GPU draws
     */
    public SchedulingProfile profile(ScoringMode mode, TargetWorkload target, RandomGenerator random) {
        requireNonNull(mode, "mode");
        requireNonNull(target, "target");
        requireNonNull(random, "random");
        List<FilterPlugin> filters = List.of(new NodePlacementFilter(), new ResourceFitFilter(), new GpuFitFilter());
        BestFitGpuSelector best = new BestFitGpuSelector();
        return switch (this) {
            case RANDOM -> new SchedulingProfile(paperName, filters, new RandomScore(random),
                    new RandomGpuSelector(random), List.of());
            case DOTPROD -> new SchedulingProfile(paperName, filters, new DotProductScore(mode), best, List.of());
            case GPUCLUSTERING -> new SchedulingProfile(paperName, filters, new GpuClusteringScore(mode), best,
                    List.of());
            case GPUPACKING -> new SchedulingProfile(paperName, filters, new GpuPackingScore(mode), best, List.of());
            case BESTFIT -> new SchedulingProfile(paperName, filters, new BestFitScore(mode), best, List.of());
            case FGD -> {
                FgdScore score = new FgdScore(new Fragmentation(target), mode);
                yield new SchedulingProfile(paperName, filters, score, new FgdGpuSelector(score), List.of());
            }
        };
    }
}
