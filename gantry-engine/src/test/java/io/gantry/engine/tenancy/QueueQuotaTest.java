package io.gantry.engine.tenancy;

import static io.gantry.engine.tenancy.TenantCluster.member;
import static io.gantry.engine.tenancy.TenantCluster.pod;
import static io.gantry.engine.tenancy.TenantCluster.queue;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueQuotaTest {

    private static final long NONE = QuotaLimit.UNLIMITED;

    private static ScheduleResult.Unschedulable rejected(ScheduleResult r) {
        assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
        return (ScheduleResult.Unschedulable) r;
    }

    @Test
    void aQueueBorrowsIdleGuaranteesUpToItsBorrowingLimit() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL,
                List.of(queue("a", "", 1, 4, 2, NONE), queue("b", "", 1, 4, NONE, NONE)), 4, 4);
        for (int i = 0; i < 6; i++) {
            assertThat(c.schedule(pod("a" + i, "a", 1, 0)).isScheduled()).isTrue();
        }
        ScheduleResult.Unschedulable seventh = rejected(c.schedule(pod("a6", "a", 1, 0)));
        assertThat(seventh.status().code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(seventh.status().plugin()).isEqualTo(QueueQuota.NAME);
        assertThat(seventh.status().message())
                .isEqualTo("queue a: 6/4 GPUs in use, 0 borrowable; waiting for 1 GPUs");
        assertThat(c.used("a")).isEqualTo(6000);
        // b is not limited by a's borrowing: it gets its whole guarantee and borrows the rest that is idle
        for (int i = 0; i < 10; i++) {
            assertThat(c.schedule(pod("b" + i, "b", 1, 0)).isScheduled()).as("b%d", i).isTrue();
        }
    }

    @Test
    void guaranteesThatAreNotLentStayReservedWhileIdle() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL,
                List.of(queue("a", "", 1, 4, NONE, NONE), queue("b", "", 1, 4, NONE, 1)), 2, 4);
        assertThat(c.placeAll(pod("a0", "a", 2, 0), pod("a1", "a", 2, 0), pod("a2", "a", 1, 0)))
                .containsExactly("a0", "a1", "a2");
        ScheduleResult.Unschedulable sixth = rejected(c.schedule(pod("a3", "a", 1, 0)));
        assertThat(sixth.status().message()).isEqualTo("queue a: 5/4 GPUs in use, 0 borrowable; waiting for 1 GPUs");
        assertThat(c.state.usedGpuMilli()).isEqualTo(5000); // three GPUs idle, held for b
        assertThat(c.placeAll(pod("b0", "b", 3, 0))).containsExactly("b0");
    }

    @Test
    void withoutBorrowingTheQuotaPolicyStopsAtTheGuarantee() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.QUOTA,
                List.of(queue("a", "", 1, 4, NONE, NONE), queue("b", "", 1, 4, NONE, NONE)), 4, 4);
        assertThat(c.placeAll(pod("a0", "a", 4, 0))).containsExactly("a0");
        assertThat(rejected(c.schedule(pod("a1", "a", 1, 0))).status().message())
                .isEqualTo("queue a: 4/4 GPUs in use, 0 borrowable; waiting for 1 GPUs");
    }

    @Test
    void podsOfUnknownOrParentQueuesAreNotAdmitted() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL,
                List.of(queue("research", "", 1, 8, NONE, NONE), queue("team-a", "research", 1, 4, NONE, NONE)),
                2, 4);
        Status unknown = rejected(c.schedule(pod("x", "nope", 1, 0))).status();
        assertThat(unknown.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(unknown.message()).contains("queue nope does not exist");
        Status parent = rejected(c.schedule(pod("y", "research", 1, 0))).status();
        assertThat(parent.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(parent.message()).contains("has child queues");
        assertThat(c.placeAll(pod("z", "team-a", 1, 0), pod("d", QueueSpec.DEFAULT_QUEUE, 1, 0)))
                .containsExactly("z", "d");
        assertThat(c.used("research")).isEqualTo(1000);
    }

    @Test
    void aPodLargerThanItsQueueCanEverHoldIsUnresolvable() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(queue("a", "", 1, 2, 1, NONE)), 2, 4);
        Status s = rejected(c.schedule(pod("big", "a", 4, 0))).status();
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).contains("more than the queue may ever use (3)");
    }

    @Test
    void aGangIsAdmittedForAllItsMissingMembersAtOnce() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(queue("a", "", 1, 4, 0, NONE)), 4, 4);
        GangSpec gang = new GangSpec("ns/job", 3, 60);
        io.gantry.engine.PodRequest[] members = {member("m0", "a", 2, gang), member("m1", "a", 2, gang), member("m2", "a", 2, gang)};
        for (io.gantry.engine.PodRequest m : members) {
            c.tenancy.coscheduling().memberAdded(m);
        }
        ScheduleResult.Unschedulable first = rejected(c.schedule(members[0]));
        assertThat(first.status().message()).isEqualTo("queue a: 0/4 GPUs in use, 0 borrowable; waiting for 6 GPUs");
        assertThat(c.state.allocations()).isEmpty();
    }

    @Test
    void aModelQuotaLimitsOnlyNodesOfThatModel() {
        QueueSpec a = new QueueSpec("a", "", 1, List.of(new QuotaLimit(QuotaResource.gpuModel("H100"), 4000, 0,
                NONE)), ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY, WithinQueuePolicy.LOWER_PRIORITY);
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(a), 4, 4); // n0, n2 A100; n1, n3 H100
        for (int i = 0; i < 4; i++) {
            assertThat(c.schedule(pod("h" + i, "a", 1, 0).withAllowedGpuModels(List.of("H100"))).isScheduled())
                    .isTrue();
        }
        ScheduleResult.Unschedulable fifth = rejected(c.schedule(pod("h4", "a", 1, 0)
                .withAllowedGpuModels(List.of("H100"))));
        assertThat(fifth.explanation().message()).contains("GPU model whose queue quota is used up");
        ScheduleResult any = c.schedule(pod("any", "a", 1, 0));
        assertThat(any.isScheduled()).isTrue();
        assertThat(((ScheduleResult.Scheduled) any).allocation().nodeName()).isIn("n0", "n2");
    }
}
