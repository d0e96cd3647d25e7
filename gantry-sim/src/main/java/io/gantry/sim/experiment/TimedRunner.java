package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.workload.TimedWorkload;
import java.util.List;
import java.util.function.Supplier;

/** Runs many timed replays in parallel and returns them in submission order. */
public final class TimedRunner {

    /**
     * One run; the workload is built inside the run so that only running jobs hold one. {@code replay} is the
     * scenario for this job (e.g. under an admission policy), or null for the one given to {@link #run}.
     */
    public record Job(Supplier<TimedWorkload> workload, Policy policy, ScoringMode scoring, long seed,
            TimedReplay replay) {
        public Job {
            requireNonNull(workload, "workload");
            requireNonNull(policy, "policy");
            requireNonNull(scoring, "scoring");
        }

        public Job(Supplier<TimedWorkload> workload, Policy policy, ScoringMode scoring, long seed) {
            this(workload, policy, scoring, seed, null);
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
                job -> (job.replay() == null ? replay : job.replay()).run(job.workload().get(), job.policy(),
                        job.scoring(), job.seed()), progress::finished);
    }
}
