package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.workload.TimedWorkload;
import java.util.List;
import java.util.function.Supplier;

/** Runs many timed replays in parallel and returns them in submission order. */
public final class TimedRunner {

    /** One run; the workload is built inside the run so that only running jobs hold one. */
    public record Job(Supplier<TimedWorkload> workload, Policy policy, ScoringMode scoring, long seed) {
        public Job {
            requireNonNull(workload, "workload");
            requireNonNull(policy, "policy");
            requireNonNull(scoring, "scoring");
        }
    }

    @FunctionalInterface
    public interface Progress {
        void finished(int done, int total, TimedRunResult result);
    }

    private TimedRunner() {
    }

    public static List<TimedRunResult> run(TimedReplay replay, List<Job> jobs, int threads, Progress progress) {
        requireNonNull(replay, "replay");
        requireNonNull(jobs, "jobs");
        requireNonNull(progress, "progress");
        return ParallelRuns.run(jobs, threads, "gantry-sim-timed",
                job -> replay.run(job.workload().get(), job.policy(), job.scoring(), job.seed()), progress::finished);
    }
}
