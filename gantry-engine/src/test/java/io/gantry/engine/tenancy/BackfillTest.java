package io.gantry.engine.tenancy;

import static io.gantry.engine.tenancy.TenantCluster.member;
import static io.gantry.engine.tenancy.TenantCluster.pod;
import static io.gantry.engine.tenancy.TenantCluster.queue;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackfillTest {

    private static final long NONE = QuotaLimit.UNLIMITED;

    private static PodRequest expecting(PodRequest pod, long seconds) {
        return pod.withAttribute(TenancyKeys.EXPECTED_SECONDS, seconds);
    }

    /** A pod of queue b, of a priority a's pods may not reclaim from: only backfill can make room for a. */
    private static PodRequest lender(String name, int gpus) {
        return pod(name, "b", gpus, 10);
    }

    private static String nodeOf(TenantCluster c, String pod) {
        return c.state.allocation(pod).orElseThrow().nodeName();
    }

    private static ScheduleResult.Unschedulable unschedulable(ScheduleResult r) {
        assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
        return (ScheduleResult.Unschedulable) r;
    }

    private static Backfill backfill(TenantCluster c) {
        return c.tenancy.backfill().orElseThrow();
    }

    /** Two nodes of 4 GPUs: b0 (1 GPU, 10 minutes) on n0, b1 (4 GPUs, an hour) on n1; queue a guarantees 8. */
    private static TenantCluster busy(long guaranteeOfA, long guaranteeOfB) {
        TenantCluster c = new TenantCluster(Tenancy.Mode.BACKFILL, List.of(queue("a", "", 1, guaranteeOfA, NONE, NONE),
                queue("b", "", 1, guaranteeOfB, NONE, NONE)), 2, 4);
        assertThat(c.scheduler.scheduleOn(expecting(lender("b1", 4), 3600), "n1").isScheduled()).isTrue();
        assertThat(c.scheduler.scheduleOn(expecting(lender("b0", 1), 600), "n0").isScheduled()).isTrue();
        return c;
    }

    @Test
    void aBigPodReservesTheNodeThatFreesFirstAndOnlyPodsEndingSoonerMayUseIt() {
        TenantCluster c = busy(8, 0);
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(pod("big", "a", 4, 0)));
        assertThat(r.explanation().postFilterMessage()).contains("Backfill: n0 reserved for this pod");
        assertThat(backfill(c).reservations().get("a").nodes()).containsExactly("n0");
        assertThat(backfill(c).reservations().get("a").readyAtNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(600));

        ScheduleResult.Unschedulable tooLong = unschedulable(c.schedule(expecting(lender("long", 1), 7200)));
        assertThat(tooLong.explanation().message()).contains("reserved for a larger waiting pod");
        ScheduleResult unknown = c.schedule(lender("unknown", 1)); // no prediction: runs for ever
        assertThat(unknown.isScheduled()).isFalse();

        assertThat(c.schedule(expecting(lender("short", 1), 300)).isScheduled()).isTrue();
        assertThat(nodeOf(c, "short")).isEqualTo("n0");
        assertThat(backfill(c).stats().backfilled()).isEqualTo(1);

        c.nanos.set(TimeUnit.SECONDS.toNanos(600));
        c.scheduler.release("b0");
        c.scheduler.release("short");
        assertThat(c.schedule(pod("big", "a", 4, 0)).isScheduled()).isTrue();
        assertThat(nodeOf(c, "big")).isEqualTo("n0");
        assertThat(backfill(c).reservations()).isEmpty();
        // with the holder placed, nothing is reserved any more
        assertThat(c.schedule(lender("after", 0)).isScheduled()).isTrue();
    }

    @Test
    void whatTheHolderWillNotNeedThereMayBeUsedByAnyPod() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.BACKFILL, List.of(queue("a", "", 1, 8, NONE, NONE),
                queue("b", "", 1, 0, NONE, NONE)), 2, 4);
        assertThat(c.scheduler.scheduleOn(expecting(lender("b1", 4), 3600), "n1").isScheduled()).isTrue();
        assertThat(c.scheduler.scheduleOn(expecting(lender("b0", 2), 600), "n0").isScheduled()).isTrue();
        assertThat(c.schedule(pod("three", "a", 3, 0)).isScheduled()).isFalse(); // reserves n0: 3 of its 4 GPUs
        assertThat(c.schedule(lender("first", 1)).isScheduled()).isTrue(); // the fourth GPU is spare
        assertThat(nodeOf(c, "first")).isEqualTo("n0");
        assertThat(c.schedule(lender("second", 1)).isScheduled()).isFalse(); // nothing spare any more
    }

    @Test
    void aReservationNeverKeepsAPodFromItsGuaranteeForABorrower() {
        TenantCluster c = busy(0, 4); // a guarantees nothing: its big pod borrows; b is within its guarantee
        c.scheduler.release("b1");
        assertThat(c.scheduler.scheduleOn(expecting(lender("b1", 2), 3600), "n1").isScheduled()).isTrue();
        assertThat(c.scheduler.scheduleOn(expecting(pod("c1", "a", 2, 0), 3600), "n1").isScheduled()).isTrue();
        assertThat(c.schedule(pod("big", "a", 4, 0)).isScheduled()).isFalse();
        assertThat(backfill(c).reservations()).containsKey("a");
        // b uses 3 of its 4 guaranteed GPUs; one more stays within it, so the reservation does not turn it away
        assertThat(c.schedule(lender("owed", 1)).isScheduled()).isTrue();
        assertThat(nodeOf(c, "owed")).isEqualTo("n0");
    }

    @Test
    void aReservationLapsesWhenItsHolderStopsTryingAndGoesWhenItIsForgotten() {
        TenantCluster c = busy(8, 0);
        assertThat(c.schedule(pod("big", "a", 4, 0)).isScheduled()).isFalse();
        assertThat(c.schedule(lender("long", 1)).isScheduled()).isFalse();
        c.nanos.set(TimeUnit.MINUTES.toNanos(Backfill.IDLE_MINUTES + 1));
        assertThat(c.schedule(lender("long", 1)).isScheduled()).isTrue();
        assertThat(backfill(c).reservations()).isEmpty();

        TenantCluster d = busy(8, 0);
        assertThat(d.schedule(pod("big", "a", 4, 0)).isScheduled()).isFalse();
        backfill(d).forget("big");
        assertThat(d.schedule(lender("long", 1)).isScheduled()).isTrue();
    }

    @Test
    void onePodOfOneGpuReservesNothing() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.BACKFILL, List.of(queue("a", "", 1, 8, NONE, NONE),
                queue("b", "", 1, 0, NONE, NONE)), 1, 4);
        assertThat(c.scheduler.scheduleOn(expecting(lender("b0", 4), 600), "n0").isScheduled()).isTrue();
        assertThat(c.schedule(pod("small", "a", 1, 0)).isScheduled()).isFalse();
        assertThat(backfill(c).reservations()).isEmpty();
    }

    @Test
    void aGangReservesANodeForEachMemberStillToPlace() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.BACKFILL, List.of(queue("a", "", 1, 12, NONE, NONE),
                queue("b", "", 1, 0, NONE, NONE)), 3, 4);
        for (int i = 0; i < 3; i++) {
            PodRequest p = expecting(lender("b" + i, 2), 600L * (i + 1));
            assertThat(c.scheduler.scheduleOn(p, "n" + i).isScheduled()).isTrue();
        }
        GangSpec gang = new GangSpec("train", 2, 60);
        PodRequest w0 = member("w0", "a", 4, gang);
        PodRequest w1 = member("w1", "a", 4, gang);
        c.tenancy.coscheduling().memberAdded(w0);
        c.tenancy.coscheduling().memberAdded(w1);
        assertThat(c.schedule(w0).isScheduled()).isFalse();
        Backfill.Reservation r = backfill(c).reservations().get("a");
        assertThat(r.gang()).isEqualTo("train");
        assertThat(r.nodes()).containsExactlyInAnyOrder("n0", "n1");
        assertThat(r.readyAtNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(1200));
        assertThat(backfill(c).holdsReservation(w1)).isTrue();
    }

    @Test
    void runTimesOfCompletedPodsTeachThePredictor() {
        TenantCluster c = busy(8, 0);
        RuntimePredictor predictor = backfill(c).predictor();
        PodRequest job = lender("job-1", 1).withAttribute(TenancyKeys.OWNER, "nightly");
        assertThat(predictor.predictNanos(job)).isEqualTo(RuntimePredictor.UNKNOWN);
        for (int i = 0; i < 2; i++) {
            PodRequest run = job.withName("job-run-" + i);
            c.nanos.set(TimeUnit.SECONDS.toNanos(1000 * i));
            assertThat(c.schedule(run).isScheduled()).isTrue();
            c.nanos.addAndGet(TimeUnit.SECONDS.toNanos(100 + 100 * i));
            backfill(c).completed(c.state.placedPod(run.name()).orElseThrow());
            c.scheduler.release(run.name());
        }
        assertThat(predictor.predictNanos(job)).isEqualTo(TimeUnit.SECONDS.toNanos(150));
        assertThat(predictor.error().predicted()).isZero();
        assertThat(predictor.error().unpredicted()).isEqualTo(2);
    }
}
