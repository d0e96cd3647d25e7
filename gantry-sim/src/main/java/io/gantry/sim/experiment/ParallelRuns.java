package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Runs jobs on a fixed pool of daemon threads and returns their results in submission order. */
final class ParallelRuns {

    /** Told after each finished job; called from worker threads. */
    @FunctionalInterface
    interface Finished<R> {
        void finished(int done, int total, R result);
    }

    private ParallelRuns() {
    }

    static <J, R> List<R> run(List<J> jobs, int threads, String threadName, Function<J, R> task,
            Finished<R> progress) {
        requireNonNull(jobs, "jobs");
        requireNonNull(task, "task");
        requireNonNull(progress, "progress");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, jobs.size())), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<R>> futures = new ArrayList<>(jobs.size());
            for (J job : jobs) {
                futures.add(pool.submit(() -> {
                    R r = task.apply(job);
                    progress.finished(done.incrementAndGet(), jobs.size(), r);
                    return r;
                }));
            }
            List<R> results = new ArrayList<>(jobs.size());
            for (Future<R> f : futures) {
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
