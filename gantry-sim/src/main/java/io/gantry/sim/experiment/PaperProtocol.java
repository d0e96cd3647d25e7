package io.gantry.sim.experiment;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.workload.Workload;

/**
 * The FGD paper's protocol as a scenario: {@link Simulation#run}, unchanged, so that the paper's results are
 * reproduced exactly. {@code tune} and {@code scale} only label the result (the workload was built with them).
 */
public record PaperProtocol(double tune, int scale) implements Scenario<Workload, RunResult> {

    @Override
    public String name() {
        return "paper";
    }

    @Override
    public RunResult run(Workload workload, Policy policy, ScoringMode scoring, long seed) {
        return Simulation.run(workload, policy, scoring, seed, tune, scale);
    }
}
