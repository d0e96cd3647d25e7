package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.workload.Workload;
import java.util.List;
import java.util.function.Supplier;

/** Runs many paper-protocol simulations in parallel, one per thread at a time, and returns them in submission order. */
public final class ExperimentRunner {

    /** One run to do. The workload is built inside the run so that only running jobs hold one in memory. */
    public record Job(Supplier<Workload> workload, Policy policy, ScoringMode scoring, long seed, double tune,
            int scale) {
        public Job {
            requireNonNull(workload, "workload");
            requireNonNull(policy, "policy");
            requireNonNull(scoring, "scoring");
        }
    }

    /** Told after each finished run; called from worker threads. */
    @FunctionalInterface
    public interface Progress {
        void finished(int done, int total, RunResult result);
    }

    private ExperimentRunner() {
    }

    public static List<RunResult> run(List<Job> jobs, int threads, Progress progress) {
        requireNonNull(jobs, "jobs");
        requireNonNull(progress, "progress");
        return ParallelRuns.run(jobs, threads, "gantry-sim", job -> new PaperProtocol(job.tune(), job.scale())
                .run(job.workload().get(), job.policy(), job.scoring(), job.seed()), progress::finished);
    }
}
