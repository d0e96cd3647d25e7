package io.gantry.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.queue.QueueConfig;
import io.gantry.engine.plugins.GroupDensityLimit;
import io.gantry.sim.report.DelayStats;
import io.gantry.sim.report.PodClass;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import io.gantry.sim.workload.TimedWorkload;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimedReplayTest {

    private static final TimedReplay REPLAY = new TimedReplay(TimedReplay.Options.defaults());

    private static TimedPod gpuPod(String name, double arrivalS, double durationS) {
        return new TimedPod(PodRequest.of(name, 1000, 1024, 1, 1000), ms(arrivalS), ms(durationS));
    }

    private static long ms(double seconds) {
        return Math.round(seconds * 1000);
    }

    private static TimedRunResult run(TimedReplay replay, List<NodeSpec> nodes, long seed, TimedPod... pods) {
        long end = 0;
        for (TimedPod p : pods) {
            end = Math.max(end, p.arrivalMillis() + Math.max(0, p.durationMillis()));
        }
        TimedTrace trace = new TimedTrace("t", List.of(pods), end, List.of());
        return replay.run(TimedWorkload.of(trace, nodes, seed), Policy.FGD, ScoringMode.PAPER, seed);
    }

    private static List<NodeSpec> oneGpu() {
        return List.of(NodeSpec.of("n0", 64_000, 262_144, 1, "A"));
    }

    private static DelayStats stats(TimedRunResult r, PodClass c) {
        return r.delays().stream().filter(d -> d.podClass() == c).findFirst().orElseThrow();
    }

    @Test
    void aPodThatDoesNotFitWaitsAndIsPlacedWhenAnotherCompletes() {
        TimedRunResult r = run(REPLAY, oneGpu(), 1, gpuPod("a", 0, 100), gpuPod("b", 10, 50));
        assertThat(r.placed()).isEqualTo(2);
        assertThat(r.neverPlaced()).isZero();
        DelayStats gpu = stats(r, PodClass.GPU_1);
        // a waits 0 s, b from 10 s until a completes at 100 s: 90 s.
        assertThat(gpu.p50Seconds()).isEqualTo(0.0);
        assertThat(gpu.maxSeconds()).isEqualTo(90.0);
        assertThat(r.gpuHoursRequested()).isCloseTo(150 / 3600.0, within(1e-9));
        assertThat(r.gpuHoursServed()).isCloseTo(150 / 3600.0, within(1e-9));
        assertThat(r.endMillis()).isEqualTo(150_000); // b ran 100..150 s
        assertThat(r.series().peakWaiting()).isEqualTo(1);
    }

    @Test
    void aSampleAtFixedIntervalsShowsTheClusterAfterEveryEventUpToThatTime() {
        TimedReplay replay = new TimedReplay(new TimedReplay.Options(QueueConfig.kubeDefaultsMillis(),
                TimedReplay.NO_MAX_WAIT, 50_000));
        TimedRunResult r = run(replay, oneGpu(), 1, gpuPod("a", 0, 100), gpuPod("b", 50, 50));
        // samples at 0, 50, 100, 150 s: a runs; a runs and b (arrived at 50 s) waits; b runs; both done
        assertThat(r.series().size()).isEqualTo(4);
        assertThat(r.series().timeMillis(1)).isEqualTo(50_000);
        assertThat(List.of(r.series().running(0), r.series().running(1), r.series().running(2), r.series().running(3)))
                .containsExactly(1, 1, 1, 0);
        assertThat(List.of(r.series().waiting(0), r.series().waiting(1), r.series().waiting(2), r.series().waiting(3)))
                .containsExactly(0, 1, 0, 0);
        assertThat(r.series().gpuAllocatedPercent(3)).isZero();
        assertThat(r.meanAllocationWhileArriving()).isEqualTo(100.0);
    }

    @Test
    void aPodIsGivenUpAfterTheMaximumWait() {
        TimedReplay replay = new TimedReplay(new TimedReplay.Options(QueueConfig.kubeDefaultsMillis(), 30_000,
                TimedReplay.AT_EVENTS));
        TimedRunResult r = run(replay, oneGpu(), 1, gpuPod("a", 0, 100), gpuPod("b", 10, 50));
        assertThat(r.placed()).isEqualTo(1);
        assertThat(r.givenUp()).isEqualTo(1);
        assertThat(stats(r, PodClass.GPU_1).givenUp()).isEqualTo(1);
        assertThat(r.gpuHoursServed()).isCloseTo(100 / 3600.0, within(1e-9));
        assertThat(r.endMillis()).isEqualTo(100_000);
    }

    @Test
    void theGiveUpOfAPlacedPodDoesNotExtendTheRun() {
        TimedReplay replay = new TimedReplay(new TimedReplay.Options(QueueConfig.kubeDefaultsMillis(), 3_600_000,
                TimedReplay.AT_EVENTS));
        TimedRunResult r = run(replay, oneGpu(), 1, gpuPod("a", 0, 10), gpuPod("b", 5, 10));
        assertThat(r.placed()).isEqualTo(2);
        assertThat(r.givenUp()).isZero();
        assertThat(r.endMillis()).isEqualTo(20_000); // b waits until 10 s and runs until 20 s, not until 1 h
        assertThat(r.series().timeMillis(r.series().size() - 1)).isEqualTo(20_000);
    }

    @Test
    void aRetryWaitsOutTheBackoffEvenWhenResourcesFreeUpSooner() {
        // b fails at 10 s (first attempt: 1 s backoff, until 11 s); a completes at 10.5 s; b is placed at 11 s.
        TimedRunResult r = run(REPLAY, oneGpu(), 1, gpuPod("a", 0, 10.5), gpuPod("b", 10, 5));
        assertThat(stats(r, PodClass.GPU_1).maxSeconds()).isEqualTo(1.0);
        // With a 3 s initial backoff, b waits until 13 s.
        TimedReplay slow = new TimedReplay(new TimedReplay.Options(new QueueConfig(3_000, 10_000, 300_000),
                TimedReplay.NO_MAX_WAIT, TimedReplay.AT_EVENTS));
        assertThat(stats(run(slow, oneGpu(), 1, gpuPod("a", 0, 10.5), gpuPod("b", 10, 5)), PodClass.GPU_1).maxSeconds())
                .isEqualTo(3.0);
    }

    @Test
    void aPodThatNeverFitsIsReportedAsWaitingAtTheEnd() {
        TimedPod huge = new TimedPod(PodRequest.of("huge", 1000, 1024, 8, 1000), 0, 1000);
        TimedRunResult r = run(REPLAY, oneGpu(), 1, huge, gpuPod("a", 5, 10));
        assertThat(r.placed()).isEqualTo(1);
        assertThat(r.waitingAtEnd()).isEqualTo(1);
        assertThat(stats(r, PodClass.GPU_8).placed()).isZero();
        assertThat(stats(r, PodClass.GPU_8).p99Seconds()).isNaN();
        assertThat(r.gpuHoursRequested()).isCloseTo((8 * 1 + 1 * 10) / 3600.0, within(1e-9)); // GPU-seconds / 3600
    }

    @Test
    void podsArrivingTogetherAreOrderedBySeedDeterministically() {
        List<NodeSpec> nodes = oneGpu();
        TimedPod[] pods = new TimedPod[6];
        for (int i = 0; i < pods.length; i++) {
            pods[i] = gpuPod("p" + i, 0, 10);
        }
        List<List<String>> bySeed = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            TimedRunResult a = run(REPLAY, nodes, seed, pods);
            TimedRunResult b = run(REPLAY, nodes, seed, pods);
            assertThat(a.placementOrder()).isEqualTo(b.placementOrder());
            // one GPU, six 10 s pods at once: waits 0, 10, ..., 50 s whatever the order
            assertThat(stats(a, PodClass.GPU_1).maxSeconds()).isEqualTo(50.0);
            bySeed.add(a.placementOrder());
        }
        assertThat(bySeed.stream().distinct().count()).as("the order depends on the seed").isGreaterThan(1);
    }

    @Test
    void theDensityLimitHoldsAThirdInstanceUntilOneOfItsGroupCompletes() {
        List<NodeSpec> nodes = List.of(NodeSpec.of("n0", 64_000, 262_144, 8, "A"), NodeSpec.of("n1", 64_000, 262_144, 8, "A"));
        GroupDensityLimit.Limit one = new GroupDensityLimit.Limit("svc", 1);
        TimedPod a = new TimedPod(PodRequest.of("a", 1000, 1024, 1, 1000).withAttribute(GroupDensityLimit.LIMIT, one), 0, 100_000);
        TimedPod b = new TimedPod(PodRequest.of("b", 1000, 1024, 1, 1000).withAttribute(GroupDensityLimit.LIMIT, one), 0, 200_000);
        TimedPod c = new TimedPod(PodRequest.of("c", 1000, 1024, 1, 1000).withAttribute(GroupDensityLimit.LIMIT, one), 1_000, 10_000);
        TimedRunResult r = run(REPLAY, nodes, 3, a, b, c);
        assertThat(r.placed()).isEqualTo(3);
        // 14 GPUs are free all along, yet c waits from 1 s until a completes at 100 s.
        assertThat(stats(r, PodClass.GPU_1).maxSeconds()).isEqualTo(99.0);
    }

    @Test
    void podsThatRunToTheEndAreServedUntilTheTraceEnds() {
        TimedPod forever = new TimedPod(PodRequest.of("svc", 1000, 1024, 1, 1000), 0, TimedPod.RUNS_TO_END);
        TimedPod late = new TimedPod(PodRequest.of("late", 1000, 1024, 1, 1000), 3_600_000, TimedPod.RUNS_TO_END);
        TimedTrace trace = new TimedTrace("t", List.of(forever, late), 7_200_000, List.of());
        TimedRunResult r = REPLAY.run(TimedWorkload.of(trace, oneGpu(), 1), Policy.BESTFIT, ScoringMode.PAPER, 1);
        assertThat(r.placed()).isEqualTo(1);
        assertThat(r.waitingAtEnd()).isEqualTo(1);
        assertThat(r.gpuHoursRequested()).isCloseTo(3.0, within(1e-9)); // 2 h + 1 h
        assertThat(r.gpuHoursServed()).isCloseTo(2.0, within(1e-9));
        assertThat(r.meanAllocationWhileArriving()).isCloseTo(100.0, within(1e-9));
    }

    /** team-b borrows the one GPU at 0 s; team-a, owed it by its guarantee, arrives at 10 s and reclaims it. */
    private static TimedRunResult reclaim(long graceMillis) {
        return reclaim(graceMillis, 1);
    }

    private static TimedRunResult reclaim(long graceMillis, int gpusOfA) {
        var queues = List.of(
                new io.gantry.engine.tenancy.QueueSpec("team-a", "", 1, List.of(new io.gantry.engine.tenancy.QuotaLimit(
                        io.gantry.engine.tenancy.QuotaResource.GPU, 1000, io.gantry.engine.tenancy.QuotaLimit.UNLIMITED,
                        io.gantry.engine.tenancy.QuotaLimit.UNLIMITED)),
                        io.gantry.engine.tenancy.ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY,
                        io.gantry.engine.tenancy.WithinQueuePolicy.LOWER_PRIORITY),
                new io.gantry.engine.tenancy.QueueSpec("team-b", "", 1, List.of(),
                        io.gantry.engine.tenancy.ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY,
                        io.gantry.engine.tenancy.WithinQueuePolicy.LOWER_PRIORITY));
        TimedReplay replay = new TimedReplay(TimedReplay.Options.defaults()
                .withAdmission(io.gantry.engine.tenancy.Tenancy.Mode.FULL, queues).withEvictionGrace(graceMillis));
        TimedPod b = new TimedPod(PodRequest.of("b", 1000, 1024, 1, 1000)
                .withAttribute(io.gantry.engine.tenancy.TenancyKeys.QUEUE, "team-b"), 0, ms(1000));
        TimedPod a = new TimedPod(PodRequest.of("a", 1000, 1024, gpusOfA, 1000)
                .withAttribute(io.gantry.engine.tenancy.TenancyKeys.QUEUE, "team-a"), ms(10), ms(100));
        return run(replay, oneGpu(), 1, b, a);
    }

    @Test
    void anEvictedPodRunsThroughItsGracePeriodAndItsPreemptorWaitsForIt() {
        TimedRunResult r = reclaim(30_000);
        var team = r.tenants().queues().stream().filter(q -> q.name().equals("team-a")).findFirst().orElseThrow();
        assertThat(team.waitMaxSeconds()).isEqualTo(30.0); // evicted at 10 s, gone at 40 s
        assertThat(team.longestBelowGuaranteeMillis()).isEqualTo(30_000); // owed its GPU for one grace period
        assertThat(r.tenants().preemptions()).isEqualTo(1);
        assertThat(r.tenants().gpuHoursLost()).isCloseTo(40 / 3600.0, within(1e-9)); // b ran 0..40 s for nothing
        TimedRunResult instant = reclaim(0);
        var teamNow = instant.tenants().queues().stream().filter(q -> q.name().equals("team-a")).findFirst()
                .orElseThrow();
        assertThat(teamNow.waitMaxSeconds()).isZero();
    }

    @Test
    void aQueueIsOwedOnlyWhatItsGuaranteeHasRoomFor() {
        // team-a's pod asks for 2 GPUs, its guarantee is 1: it waits (nothing to reclaim it with), owed nothing
        TimedRunResult tooBig = reclaim(30_000, 2);
        var team = tooBig.tenants().queues().stream().filter(q -> q.name().equals("team-a")).findFirst()
                .orElseThrow();
        assertThat(team.placed()).isZero();
        assertThat(team.longestBelowGuaranteeMillis()).isZero();
    }
}
