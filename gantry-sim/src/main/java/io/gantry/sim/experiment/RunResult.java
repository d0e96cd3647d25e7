package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.report.DiscreteSeries;

/**
 * The outcome of one run: counts, and the paper's three series bucketed by arrived GPU demand (0..130 % of
 * capacity): allocation ratio, fragmentation amount (% of capacity) and fragmentation ratio (% of idle GPU).
 */
public record RunResult(
        String workload,
        Policy policy,
        ScoringMode scoring,
        long seed,
        double tune,
        int scale,
        int totalGpus,
        int pods,
        int failedPods,
        double firstFailureArrivedPercent,
        long finalUsedGpuMilli,
        DiscreteSeries allocation,
        DiscreteSeries fragmentation,
        DiscreteSeries fragmentationRatio,
        long wallNanos) {

    public RunResult {
        requireNonNull(workload, "workload");
        requireNonNull(policy, "policy");
        requireNonNull(scoring, "scoring");
        requireNonNull(allocation, "allocation");
        requireNonNull(fragmentation, "fragmentation");
        requireNonNull(fragmentationRatio, "fragmentationRatio");
    }

    /** Final GPU allocation in % of capacity. */
    public double finalAllocationPercent() {
        return 100.0 * finalUsedGpuMilli / (totalGpus * 1000.0);
    }
}
