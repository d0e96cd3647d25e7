package io.gantry.sim.report;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.experiment.RunResult;
import java.util.Arrays;

/** Hand-made run results for the report tests. */
final class ReportFixtures {

    private ReportFixtures() {
    }

    static DiscreteSeries series(double fill, double... first) {
        double[] v = new double[DiscreteSeries.COLUMNS];
        Arrays.fill(v, fill);
        System.arraycopy(first, 0, v, 0, first.length);
        return new DiscreteSeries(v);
    }

    static RunResult run(String workload, Policy policy, long seed, double tune, DiscreteSeries alloc,
            DiscreteSeries frag, DiscreteSeries ratio, int failed) {
        return new RunResult(workload, policy, ScoringMode.PAPER, seed, tune, 1, 6212, 10_866, failed, 94.9,
                5_919_410, alloc, frag, ratio, 2_500_000_000L);
    }
}
