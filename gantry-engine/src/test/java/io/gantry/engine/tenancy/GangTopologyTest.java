package io.gantry.engine.tenancy;

import static io.gantry.engine.tenancy.TenantCluster.member;
import static io.gantry.engine.tenancy.TenantCluster.queue;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GangTopologyTest {

    private static final long NONE = QuotaLimit.UNLIMITED;
    private static final String RACK = "topology.gantry.io/rack";

    /**
     * Racks r1 = {n0, n1} and r2 = {n2, n3} of 4 GPUs each, and n4 with no rack label. A 1-GPU pod on n2 leaves r2
     * room for one 4-GPU member; CPU-only pods on n3 and n4 make them the best fit for a member on their own.
     */
    private static TenantCluster racks() {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, String> labels = i < 4 ? Map.of(RACK, i < 2 ? "r1" : "r2") : Map.of();
            nodes.add(new NodeSpec("n" + i, 64_000, 256_000, 4, "A100", NodeSpec.DEFAULT_MAX_PODS, labels, List.of(),
                    false));
        }
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(queue("a", "", 1, 20, NONE, NONE)), nodes);
        assertThat(c.scheduler.scheduleOn(TenantCluster.pod("small", "a", 1, 0), "n2").isScheduled()).isTrue();
        for (String n : List.of("n3", "n4")) {
            PodRequest cpu = PodRequest.of("cpu-" + n, 32_000, 1000, 0, 0).withAttribute(TenancyKeys.QUEUE, "a");
            assertThat(c.scheduler.scheduleOn(cpu, n).isScheduled()).isTrue();
        }
        return c;
    }

    private static List<PodRequest> gang(TenantCluster c, int members, boolean required) {
        GangSpec gang = new GangSpec("train", members, 60).withTopology(RACK, required);
        List<PodRequest> pods = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            PodRequest p = member("w" + i, "a", 4, gang);
            c.tenancy.coscheduling().memberAdded(p);
            pods.add(p);
        }
        return pods;
    }

    private static String rackOf(TenantCluster c, String pod) {
        String node = c.state.allocation(pod).orElseThrow().nodeName();
        return c.state.spec(c.state.slotOf(node)).labels().getOrDefault(RACK, "none");
    }

    @Test
    void withoutTopologyTheMembersGoWhereEachFitsBest() {
        TenantCluster c = racks();
        GangSpec gang = new GangSpec("train", 2, 60);
        PodRequest w0 = member("w0", "a", 4, gang);
        PodRequest w1 = member("w1", "a", 4, gang);
        c.tenancy.coscheduling().memberAdded(w0);
        c.tenancy.coscheduling().memberAdded(w1);
        assertThat(c.schedule(w0)).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(c.schedule(w1).isScheduled()).isTrue();
        assertThat(List.of(rackOf(c, "w0"), rackOf(c, "w1"))).doesNotContain("r1"); // n3 and n4: the busiest
    }

    @Test
    void aRequiredTopologyPutsEveryMemberInOneDomainWithRoomForAll() {
        TenantCluster c = racks();
        List<PodRequest> pods = gang(c, 2, true);
        assertThat(c.schedule(pods.get(0))).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(rackOf(c, "w0")).isEqualTo("r1"); // r2 has room for one member only; n4 has no rack
        assertThat(c.schedule(pods.get(1)).isScheduled()).isTrue();
        assertThat(rackOf(c, "w1")).isEqualTo("r1");
    }

    @Test
    void aPreferredTopologyPacksTheMembersIntoAsFewDomainsAsFit() {
        TenantCluster c = racks();
        List<PodRequest> pods = gang(c, 2, false);
        assertThat(c.schedule(pods.get(0))).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(c.schedule(pods.get(1)).isScheduled()).isTrue();
        assertThat(rackOf(c, "w0")).isEqualTo("r1");
        assertThat(rackOf(c, "w1")).isEqualTo("r1");
    }

    @Test
    void aRequiredTopologyNoDomainCanHoldWaitsAndSaysWhy() {
        TenantCluster c = racks();
        List<PodRequest> pods = gang(c, 3, true); // three 4-GPU members: free room for 4 overall, at most 2 per rack
        ScheduleResult r = c.schedule(pods.get(0));
        assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
        assertThat(((ScheduleResult.Unschedulable) r).explanation().message())
                .contains("no " + RACK + " domain has room for its 3 members still to place (the roomiest has room"
                        + " for 2)");
        assertThat(c.state.allocation("w0")).isEmpty();
    }

    @Test
    void aPreferredTopologySpillsIntoMoreDomainsWhenOneIsNotEnough() {
        TenantCluster c = racks();
        List<PodRequest> pods = gang(c, 3, false);
        assertThat(c.schedule(pods.get(0))).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(c.schedule(pods.get(1))).isInstanceOf(ScheduleResult.Waiting.class);
        assertThat(c.schedule(pods.get(2)).isScheduled()).isTrue();
        assertThat(List.of(rackOf(c, "w0"), rackOf(c, "w1"), rackOf(c, "w2"))).containsOnlyOnce("r2")
                .contains("r1");
    }
}
