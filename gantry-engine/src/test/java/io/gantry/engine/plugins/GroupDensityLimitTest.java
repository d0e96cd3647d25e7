package io.gantry.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.SchedulingProfile;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.TargetWorkload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GroupDensityLimitTest {

    private final ClusterState state = Nodes.state(NodeSpec.of("n0", 64_000, 262_144, 8, "A"),
            NodeSpec.of("n1", 64_000, 262_144, 8, "A"), NodeSpec.of("n2", 64_000, 262_144, 8, "A"));
    private final GroupDensityLimit limit = new GroupDensityLimit();
    private final Scheduler scheduler = new Scheduler(state, withLimit(Policy.BESTFIT));

    private SchedulingProfile withLimit(Policy policy) {
        SchedulingProfile base = policy.profile(ScoringMode.PAPER, TargetWorkload.fromPods(List.of(
                PodRequest.of("t", 1000, 1024, 1, 1000))), new SplittableRandom(1));
        return base.toBuilder().filter(limit).listener(limit).build();
    }

    private static PodRequest member(String name, String group, int max) {
        return PodRequest.of(name, 1000, 1024, 1, 1000)
                .withAttribute(GroupDensityLimit.LIMIT, new GroupDensityLimit.Limit(group, max));
    }

    @Test
    void atMostNPodsOfAGroupLandOnOneNodeAndAReleaseMakesRoomAgain() {
        Map<String, Integer> perNode = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            ScheduleResult r = scheduler.schedule(member("svc-" + i, "svc", 2));
            assertThat(r.isScheduled()).as("pod %d", i).isTrue();
            perNode.merge(((ScheduleResult.Scheduled) r).allocation().nodeName(), 1, Integer::sum);
        }
        // BestFit would pack them all onto one node; the limit spreads them two per node.
        assertThat(perNode).containsOnly(Map.entry("n0", 2), Map.entry("n1", 2), Map.entry("n2", 2));

        ScheduleResult seventh = scheduler.schedule(member("svc-6", "svc", 2));
        assertThat(seventh).isInstanceOf(ScheduleResult.Unschedulable.class);
        assertThat(((ScheduleResult.Unschedulable) seventh).explanation().message())
                .isEqualTo("0/3 nodes are available: 3 node(s) had too many instances of the pod's group.");

        // Other groups and unlimited pods are not held back.
        assertThat(scheduler.schedule(member("other-0", "other", 1)).isScheduled()).isTrue();
        assertThat(scheduler.schedule(PodRequest.of("free", 1000, 1024, 1, 1000)).isScheduled()).isTrue();

        String freed = scheduler.allocation("svc-3").orElseThrow().nodeName();
        scheduler.release("svc-3");
        assertThat(limit.count(state, "svc", freed)).isEqualTo(1);
        ScheduleResult again = scheduler.schedule(member("svc-6", "svc", 2));
        assertThat(again.isScheduled()).isTrue();
        assertThat(((ScheduleResult.Scheduled) again).allocation().nodeName()).isEqualTo(freed);
    }

    @Test
    void theSamePodObjectRetriedSeesCountsTakenSinceItsLastCycle() {
        PodRequest a = member("a", "svc", 1);
        Scheduler small = new Scheduler(Nodes.state(NodeSpec.of("only", 64_000, 262_144, 8, "A")), withLimit(Policy.FGD));
        assertThat(small.schedule(member("first", "svc", 1)).isScheduled()).isTrue();
        assertThat(small.schedule(a).isScheduled()).isFalse();
        assertThat(small.schedule(a).isScheduled()).isFalse();
        small.release("first");
        assertThat(small.schedule(a).isScheduled()).isTrue();
    }

    @Test
    void podsRecordedAsAlreadyPlacedCountToo() {
        scheduler.recordPlaced(member("bound-0", "svc", 1), "n0", List.of(0));
        scheduler.recordPlaced(member("bound-1", "svc", 1), "n1", List.of(0));
        assertThat(limit.count(state, "svc", "n0")).isEqualTo(1);
        ScheduleResult r = scheduler.schedule(member("new", "svc", 1));
        assertThat(r.isScheduled()).isTrue();
        assertThat(((ScheduleResult.Scheduled) r).allocation().nodeName()).isEqualTo("n2");
        assertThat(scheduler.schedule(member("one-more", "svc", 1)).isScheduled()).isFalse();
    }

    @Test
    void aRemovedNodeTakesItsCountsWithIt() {
        assertThat(scheduler.schedule(member("x", "svc", 1)).isScheduled()).isTrue();
        String node = scheduler.allocation("x").orElseThrow().nodeName();
        scheduler.removeNode(node);
        scheduler.addNode(NodeSpec.of(node, 64_000, 262_144, 8, "A")); // reuses the slot
        assertThat(limit.count(state, "svc", node)).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(scheduler.schedule(member("y" + i, "svc", 1)).isScheduled()).isTrue();
        }
    }
}
