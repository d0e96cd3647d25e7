package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.workload.TimedWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, jobs.size())), r -> {
            Thread t = new Thread(r, "gantry-sim-timed");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<TimedRunResult>> futures = new ArrayList<>(jobs.size());
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    TimedRunResult r = replay.run(job.workload().get(), job.policy(), job.scoring(), job.seed());
                    progress.finished(done.incrementAndGet(), jobs.size(), r);
                    return r;
                }));
            }
            List<TimedRunResult> results = new ArrayList<>(jobs.size());
            for (Future<TimedRunResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
