package io.gantry.engine.tenancy;

import static io.gantry.engine.tenancy.TenantCluster.member;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Status;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoschedulingTest {

    private static PodRequest[] gang(TenantCluster c, String name, int members, int gpus) {
        GangSpec gang = new GangSpec(name, members, 60);
        PodRequest[] pods = new PodRequest[members];
        for (int i = 0; i < members; i++) {
            pods[i] = member(name + "-" + i, QueueSpec.DEFAULT_QUEUE, gpus, gang);
            c.tenancy.coscheduling().memberAdded(pods[i]);
        }
        return pods;
    }

    @Test
    void membersWaitAtPermitUntilTheLastOneIsPlacedThenAllGo() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 2, 4);
        PodRequest[] g = gang(c, "job", 3, 2);
        assertThat(c.schedule(g[0])).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(c.schedule(g[1])).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(c.scheduler.takeAllowed()).isEmpty();
        assertThat(c.schedule(g[2]).isScheduled()).isTrue();
        assertThat(c.scheduler.takeAllowed()).extracting(GpuAllocation::podName).containsExactly("job-0", "job-1");
        assertThat(c.scheduler.waitingPods()).isEmpty();
        assertThat(c.state.allocations()).hasSize(3);
    }

    @Test
    void aGangWithTooFewMembersIsTurnedAwayBeforeAnyIsReserved() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 2, 4);
        GangSpec gang = new GangSpec("job", 3, 60);
        PodRequest only = member("job-0", QueueSpec.DEFAULT_QUEUE, 1, gang);
        c.tenancy.coscheduling().memberAdded(only);
        c.tenancy.coscheduling().memberAdded(member("job-1", QueueSpec.DEFAULT_QUEUE, 1, gang));
        ScheduleResult.Unschedulable r = (ScheduleResult.Unschedulable) c.schedule(only);
        assertThat(r.status().code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(r.status().message()).isEqualTo("pod group job: 2 of 3 members exist; waiting for 1 more");
        assertThat(c.state.allocations()).isEmpty();
    }

    @Test
    void onTimeoutEveryReservedMemberIsReleased() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 2, 4);
        PodRequest[] g = gang(c, "job", 3, 2);
        c.schedule(g[0]);
        c.nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
        c.schedule(g[1]);
        c.nanos.addAndGet(TimeUnit.SECONDS.toNanos(31)); // the first member's 60 s are over, not the second's
        assertThat(c.scheduler.expireWaiting()).containsExactly("job-0");
        assertThat(c.scheduler.waitingPods()).isEmpty(); // the second went with the first
        assertThat(c.state.allocations()).isEmpty();
        assertThat(c.tenancy.ledger().gangPlaced("job")).isZero();
    }

    @Test
    void aGangTheFreeGpusCannotHoldIsNotReservedAtAll() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 2, 4);
        PodRequest[] g = gang(c, "job", 3, 4);
        ScheduleResult.Unschedulable first = (ScheduleResult.Unschedulable) c.schedule(g[0]);
        assertThat(first.status().code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(first.status().message())
                .isEqualTo("pod group job: 3 members still to place, the cluster has room for 2 now");
        assertThat(c.state.allocations()).isEmpty();
    }

    @Test
    void aMemberThatFitsNowhereReleasesTheWaitingOnes() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 2, 4);
        GangSpec gang = new GangSpec("job", 3, 60);
        PodRequest[] g = new PodRequest[3];
        for (int i = 0; i < 3; i++) {
            // the GPUs would hold all three, the CPUs (64 cores a node) only one a node
            g[i] = PodRequest.of("job-" + i, 40_000, 1000, 1, 1000).withAttribute(TenancyKeys.GANG, gang);
            c.tenancy.coscheduling().memberAdded(g[i]);
        }
        assertThat(c.schedule(g[0])).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(c.schedule(g[1])).isInstanceOf(ScheduleResult.Waiting.class);
        ScheduleResult.Unschedulable third = (ScheduleResult.Unschedulable) c.schedule(g[2]);
        assertThat(third.explanation().message()).contains("the 2 member(s) waiting for it were released");
        assertThat(c.scheduler.waitingPods()).isEmpty();
        assertThat(c.state.allocations()).isEmpty();
    }

    @Test
    void rejectingOneHeldMemberReleasesTheOthers() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 2, 4);
        PodRequest[] g = gang(c, "job", 3, 1);
        c.schedule(g[0]);
        c.schedule(g[1]);
        assertThat(c.scheduler.reject("job-1")).isTrue();
        assertThat(c.scheduler.waitingPods()).isEmpty();
        assertThat(c.state.allocations()).isEmpty();
    }

    @Test
    void aMemberBeyondMinMemberOfARunningGangGoesStraightThrough() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 2, 4);
        PodRequest[] g = gang(c, "job", 2, 1);
        c.schedule(g[0]);
        c.schedule(g[1]);
        c.scheduler.takeAllowed();
        PodRequest extra = member("job-2", QueueSpec.DEFAULT_QUEUE, 1, TenancyKeys.gangOf(g[0]));
        c.tenancy.coscheduling().memberAdded(extra);
        assertThat(c.schedule(extra).isScheduled()).isTrue();
    }

    @Test
    void podsWithoutAGangAreNotHeld() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FIFO, List.of(), 1, 4);
        assertThat(c.schedule(TenantCluster.pod("solo", QueueSpec.DEFAULT_QUEUE, 1, 0)).isScheduled()).isTrue();
        assertThat(c.scheduler.waitingPods()).isEmpty();
    }
}
