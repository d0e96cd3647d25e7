package io.gantry.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.workload.OpenbWorkloadBuilder;
import io.gantry.sim.workload.Workload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExperimentRunnerTest {

    private static final List<NodeSpec> NODES = List.of(NodeSpec.of("a", 32_000, 65_536, 4, "T4"),
            NodeSpec.of("b", 16_000, 65_536, 2, "T4"), NodeSpec.of("c", 64_000, 65_536, 8, "G2"));
    private static final List<PodRequest> PODS = List.of(PodRequest.of("p0", 4000, 1024, 1, 500),
            PodRequest.of("p1", 8000, 1024, 1, 1000), PodRequest.of("p2", 2000, 1024, 0, 0),
            PodRequest.of("p3", 4000, 1024, 2, 1000), PodRequest.of("p4", 1000, 1024, 1, 250));

    private static Supplier<Workload> workload(long seed) {
        return () -> OpenbWorkloadBuilder.build("tiny", NODES, PODS, seed, 1.3, 1);
    }

    private record Call(int done, int total, RunResult result) {
    }

    @Test
    void returnsResultsInSubmissionOrderAndReportsEachJobOnce() throws InterruptedException {
        Policy[] policies = Policy.values();
        int n = 8;
        // job 0 finishes last: it waits until every other job has reported
        CountDownLatch othersDone = new CountDownLatch(n - 1);
        List<ExperimentRunner.Job> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long seed = 100 + i;
            Supplier<Workload> w = workload(seed);
            Supplier<Workload> supplier = i == 0 ? () -> {
                try {
                    othersDone.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return w.get();
            } : w;
            jobs.add(new ExperimentRunner.Job(supplier, policies[i % policies.length],
                    i % 2 == 0 ? ScoringMode.PAPER : ScoringMode.EXACT, seed, 1.3, 1));
        }
        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        List<RunResult> results = ExperimentRunner.run(jobs, 3, (done, total, result) -> {
            calls.add(new Call(done, total, result));
            if (result.seed() != 100) {
                othersDone.countDown();
            }
        });

        assertThat(results).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(results.get(i).seed()).isEqualTo(jobs.get(i).seed());
            assertThat(results.get(i).policy()).isEqualTo(jobs.get(i).policy());
            assertThat(results.get(i).scoring()).isEqualTo(jobs.get(i).scoring());
        }
        assertThat(calls).hasSize(n);
        assertThat(calls).extracting(Call::done).containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(1, n).boxed().toList());
        assertThat(calls).allMatch(c -> c.total() == n);
        assertThat(calls).extracting(Call::result).containsExactlyInAnyOrderElementsOf(results);
        assertThat(calls.get(calls.size() - 1).result()).as("job 0 finished last").isSameAs(results.get(0));
    }

    @Test
    void sameResultsWithOneThread() {
        List<ExperimentRunner.Job> jobs = List.of(
                new ExperimentRunner.Job(workload(1), Policy.FGD, ScoringMode.PAPER, 1, 1.3, 1),
                new ExperimentRunner.Job(workload(2), Policy.BESTFIT, ScoringMode.PAPER, 2, 1.3, 1));
        List<RunResult> one = ExperimentRunner.run(jobs, 1, (d, t, r) -> { });
        List<RunResult> four = ExperimentRunner.run(jobs, 4, (d, t, r) -> { });
        for (int i = 0; i < jobs.size(); i++) {
            assertThat(one.get(i).allocation()).isEqualTo(four.get(i).allocation());
            assertThat(one.get(i).failedPods()).isEqualTo(four.get(i).failedPods());
        }
        assertThat(ExperimentRunner.run(List.of(), 2, (d, t, r) -> { })).isEmpty();
    }

    @Test
    void failuresPropagate() {
        List<ExperimentRunner.Job> jobs = List.of(
                new ExperimentRunner.Job(workload(1), Policy.FGD, ScoringMode.PAPER, 1, 1.3, 1),
                new ExperimentRunner.Job(() -> {
                    throw new IllegalStateException("boom");
                }, Policy.FGD, ScoringMode.PAPER, 2, 1.3, 1));
        assertThatThrownBy(() -> ExperimentRunner.run(jobs, 2, (d, t, r) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThatThrownBy(() -> ExperimentRunner.run(jobs, 0, (d, t, r) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
