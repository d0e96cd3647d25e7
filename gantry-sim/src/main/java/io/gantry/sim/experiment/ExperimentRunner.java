package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, jobs.size())), r -> {
            Thread t = new Thread(r, "gantry-sim");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<RunResult>> futures = new ArrayList<>(jobs.size());
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    RunResult r = new PaperProtocol(job.tune(), job.scale()).run(job.workload().get(), job.policy(),
                            job.scoring(), job.seed());
                    progress.finished(done.incrementAndGet(), jobs.size(), r);
                    return r;
                }));
            }
            List<RunResult> results = new ArrayList<>(jobs.size());
            for (Future<RunResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }
}
