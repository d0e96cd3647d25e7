package io.gantry.sim.experiment;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;

/**
 * One way of driving the engine with a workload: the paper's protocol ({@link PaperProtocol}: pods arrive one by
 * one and never leave) or a replay in simulated time ({@link TimedReplay}: pods arrive, wait in the scheduling
 * queue, run for their duration and leave).
 *
 * @param <W> the workload it takes
 * @param <R> the result of one run
 */
public interface Scenario<W, R> {

    String name();

    R run(W workload, Policy policy, ScoringMode scoring, long seed);
}
