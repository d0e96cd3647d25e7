package io.gantry.engine.tenancy;

import static io.gantry.engine.tenancy.TenantCluster.member;
import static io.gantry.engine.tenancy.TenantCluster.pod;
import static io.gantry.engine.tenancy.TenantCluster.queue;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreemptionTest {

    private static final long NONE = QuotaLimit.UNLIMITED;

    private static TenantCluster twoTeams(ReclaimPolicy reclaim) {
        QueueSpec a = new QueueSpec("a", "", 1, List.of(new QuotaLimit(QuotaResource.GPU, 4000, NONE, NONE)), reclaim,
                WithinQueuePolicy.LOWER_PRIORITY);
        return new TenantCluster(Tenancy.Mode.FULL, List.of(a, queue("b", "", 1, 4, NONE, NONE)), 2, 4);
    }

    private static ScheduleResult.Unschedulable unschedulable(ScheduleResult r) {
        assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
        return (ScheduleResult.Unschedulable) r;
    }

    private static List<String> fill(TenantCluster c, String queue, int pods, int priority) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            PodRequest p = pod(queue + i, queue, 1, priority);
            assertThat(c.schedule(p).isScheduled()).isTrue();
            names.add(p.name());
        }
        return names;
    }

    @Test
    void aQueueBelowItsGuaranteeReclaimsWhatABorrowerTook() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY);
        List<String> b = fill(c, "b", 8, 0); // b borrows a's idle 4 GPUs
        List<GpuAllocation> before = List.copyOf(c.state.allocations());
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(pod("a0", "a", 2, 0)));
        assertThat(r.nominatedNode()).isNotEmpty();
        assertThat(r.victims()).hasSize(2).allMatch(b::contains);
        // the most recently started go first
        assertThat(r.victims()).allMatch(v -> v.equals("b7") || v.equals("b6") || v.equals("b5") || v.equals("b3"));
        assertThat(c.state.allocations()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(c.used("b")).isEqualTo(8000);
        for (String v : r.victims()) {
            c.scheduler.release(v);
        }
        assertThat(c.scheduler.scheduleOn(pod("a0", "a", 2, 0), r.nominatedNode()).isScheduled()).isTrue();
    }

    @Test
    void neverAPodOfHigherPriority() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY);
        fill(c, "b", 8, 10);
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(pod("a0", "a", 1, 0)));
        assertThat(r.nominatedNode()).isEmpty();
        assertThat(r.victims()).isEmpty();
        assertThat(r.explanation().message()).contains("no pod it may evict");
    }

    @Test
    void lowerPriorityReclaimLeavesEqualPriorityBorrowersAlone() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_PRIORITY);
        fill(c, "b", 8, 0);
        assertThat(unschedulable(c.schedule(pod("a0", "a", 1, 0))).victims()).isEmpty();
        assertThat(unschedulable(c.schedule(pod("a1", "a", 1, 1))).victims()).hasSize(1);
    }

    @Test
    void aQueueOverItsGuaranteeDoesNotReclaim() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY);
        fill(c, "a", 4, 0);
        fill(c, "b", 4, 0);
        // a would go over its guarantee; b does not borrow: nobody may be evicted
        assertThat(unschedulable(c.schedule(pod("a9", "a", 1, 0))).victims()).isEmpty();
    }

    @Test
    void insideItsQueueAPodPreemptsLowerPriorityToGetPastTheQuota() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.QUOTA, List.of(queue("a", "", 1, 4, NONE, NONE)), 4, 4);
        fill(c, "a", 3, 0);
        assertThat(c.schedule(pod("a-low", "a", 1, -1)).isScheduled()).isTrue();
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(pod("urgent", "a", 1, 5)));
        assertThat(r.status().plugin()).isEqualTo(QueueQuota.NAME);
        assertThat(r.victims()).containsExactly("a-low"); // the lowest priority goes, one is enough
        assertThat(r.nominatedNode()).isNotEmpty();
    }

    @Test
    void equalPriorityInsideAQueueIsNeverPreempted() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.QUOTA, List.of(queue("a", "", 1, 4, NONE, NONE)), 4, 4);
        fill(c, "a", 4, 0);
        assertThat(unschedulable(c.schedule(pod("same", "a", 1, 0))).victims()).isEmpty();
    }

    @Test
    void aPodWithPreemptionPolicyNeverWaits() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY);
        fill(c, "b", 8, 0);
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(pod("a0", "a", 1, 0)
                .withAttribute(TenancyKeys.PREEMPT_NEVER, true)));
        assertThat(r.victims()).isEmpty();
        assertThat(r.explanation().message()).contains("preemptionPolicy is Never");
    }

    @Test
    void aGangGoesWholeOrNotAtAll() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY);
        GangSpec gang = new GangSpec("train", 2, 60);
        PodRequest w0 = member("w0", "b", 4, gang);
        PodRequest w1 = member("w1", "b", 4, gang);
        c.tenancy.coscheduling().memberAdded(w0);
        c.tenancy.coscheduling().memberAdded(w1);
        c.schedule(w0);
        assertThat(c.schedule(w1).isScheduled()).isTrue();
        c.scheduler.takeAllowed();
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(pod("a0", "a", 1, 0)));
        assertThat(r.victims()).containsExactlyInAnyOrder("w0", "w1");
    }

    @Test
    void heldMembersOfAGangAreNeverVictims() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY);
        GangSpec gang = new GangSpec("train", 3, 60);
        for (int i = 0; i < 3; i++) {
            c.tenancy.coscheduling().memberAdded(member("w" + i, "b", 2, gang));
        }
        fill(c, "b", 2, 0);
        c.schedule(member("w0", "b", 2, gang));
        c.schedule(member("w1", "b", 2, gang));
        assertThat(c.scheduler.waitingPods()).containsExactly("w0", "w1");
        assertThat(c.schedule(pod("b8", "b", 1, 0)).isScheduled()).isTrue();
        assertThat(c.schedule(pod("b9", "b", 1, 0)).isScheduled()).isTrue();
        assertThat(c.state.usedGpuMilli()).isEqualTo(8000);
        List<String> victims = unschedulable(c.schedule(pod("a0", "a", 1, 0))).victims();
        assertThat(victims).hasSize(1).doesNotContain("w0", "w1");
    }

    @Test
    void aGangMemberEvictsNothingWhenTheWholeGangStillCouldNotStart() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(queue("a", "", 1, 8, NONE, NONE),
                queue("b", "", 1, 0, NONE, NONE)), 2, 4);
        List<String> b = fill(c, "b", 4, 0); // b borrows all it uses
        String bNode = c.state.allocation(b.get(0)).orElseThrow().nodeName();
        String other = bNode.equals("n0") ? "n1" : "n0";
        // the other node's GPUs are free, but a CPU-only pod of a holds all its CPU: no member fits there
        PodRequest cpu = PodRequest.of("cpu", 64_000, 1000, 0, 0).withAttribute(TenancyKeys.QUEUE, "a");
        assertThat(c.scheduler.scheduleOn(cpu, other).isScheduled()).isTrue();
        GangSpec gang = new GangSpec("g", 2, 60);
        PodRequest w0 = member("w0", "a", 4, gang);
        c.tenancy.coscheduling().memberAdded(w0);
        c.tenancy.coscheduling().memberAdded(member("w1", "a", 4, gang));
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(w0));
        assertThat(r.victims()).isEmpty();
        assertThat(r.explanation().postFilterMessage()).contains("room for 1 of the 2 members of pod group g still to place, not all: nothing evicted");
    }

    @Test
    void aGangEvictsForAllItsMissingMembersAtOnce() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(queue("a", "", 1, 8, NONE, NONE),
                queue("b", "", 1, 0, NONE, NONE)), 2, 4);
        for (String n : List.of("n0", "n1")) {
            assertThat(c.scheduler.scheduleOn(pod("b-" + n, "b", 4, 0), n).isScheduled()).isTrue();
        }
        GangSpec gang = new GangSpec("g", 2, 60);
        PodRequest w0 = member("w0", "a", 4, gang);
        PodRequest w1 = member("w1", "a", 4, gang);
        c.tenancy.coscheduling().memberAdded(w0);
        c.tenancy.coscheduling().memberAdded(w1);
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(w0));
        assertThat(r.victims()).containsExactlyInAnyOrder("b-n0", "b-n1");
        assertThat(c.tenancy.nominations().nominatedFor(w1)).containsOnlyKeys("n0", "n1");
    }

    @Test
    void theRoomAPreemptorWaitsForIsNotTakenByPodsOfLowerOrEqualPriority() {
        TenantCluster c = twoTeams(ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY);
        fill(c, "b", 8, 0);
        ScheduleResult.Unschedulable r = unschedulable(c.schedule(pod("a0", "a", 2, 0)));
        assertThat(r.victims()).hasSize(2);
        for (String v : r.victims()) {
            c.scheduler.release(v); // the victims' grace period is over
        }
        String node = r.nominatedNode();
        ScheduleResult other = c.scheduler.scheduleOn(pod("b-late", "b", 1, 0), node);
        assertThat(other.isScheduled()).isFalse();
        assertThat(((ScheduleResult.Unschedulable) other).explanation().message())
                .contains("room only for pods nominated there by preemption");
        assertThat(c.scheduler.scheduleOn(pod("urgent", "b", 1, 5), node).isScheduled()).isTrue(); // higher priority
        c.scheduler.release("urgent");
        assertThat(c.scheduler.scheduleOn(pod("a0", "a", 2, 0), node).isScheduled()).isTrue();
        assertThat(c.tenancy.nominations().size()).isZero(); // placed: the nomination ends
        c.scheduler.release("a0");
        assertThat(c.scheduler.scheduleOn(pod("b-late", "b", 1, 0), node).isScheduled()).isTrue();
    }

    @Test
    void aPreemptorWaitingForItsVictimsCountsInItsQueueSoQueueMatesDoNotEvictForTheSameGuarantee() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(queue("a", "", 1, 2, NONE, NONE),
                queue("b", "", 1, 0, NONE, NONE)), 2, 4);
        fill(c, "b", 8, 0); // b borrows every GPU
        ScheduleResult.Unschedulable first = unschedulable(c.schedule(pod("a0", "a", 2, 0)));
        assertThat(first.victims()).isNotEmpty();
        c.tenancy.ledger().nominate(pod("a0", "a", 2, 0)); // the host evicts, a0 waits for its victims
        ScheduleResult.Unschedulable second = unschedulable(c.schedule(pod("a1", "a", 1, 0)));
        assertThat(second.victims()).as("a's guarantee of 2 is a0's already").isEmpty();
        c.tenancy.ledger().nominationDone("a0");
        assertThat(unschedulable(c.schedule(pod("a1", "a", 1, 0))).victims()).isNotEmpty();
    }
}
