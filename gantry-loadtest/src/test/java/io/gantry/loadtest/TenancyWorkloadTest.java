package io.gantry.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gantry.engine.tenancy.QueueObjects;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.loadtest.TenancyWorkload.Assignment;
import io.gantry.loadtest.Workload.NodeShape;
import io.gantry.loadtest.Workload.PodShape;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The multi-tenant burst's plan: queues, borrower, gangs and priorities, and the objects it writes. */
class TenancyWorkloadTest {

    private final List<NodeShape> nodes = Workload.nodeShapes(1000);
    private final List<PodShape> warmup = Workload.podShapes("warmup", 200, 43);
    private final List<PodShape> burst = Workload.podShapes(2000, 42);

    private TenancyWorkload plan(double reclaimShare) {
        return TenancyWorkload.plan(nodes, warmup, burst, 4, 0.2, 4, reclaimShare, true);
    }

    @Test
    void guaranteesSumToTheClusterAndTheBorrowerLeavesTooLittleRoomForTheBurst() {
        TenancyWorkload plan = plan(0.05);
        long capacity = nodes.stream().mapToLong(n -> n.gpus() * 1000L).sum();
        assertThat(plan.queues()).extracting(TenancyWorkload.QueueShape::name)
                .containsExactly("batch", "team-0", "team-1", "team-2", "team-3");
        assertThat(plan.queues().stream().mapToLong(TenancyWorkload.QueueShape::guaranteedMilli).sum())
                .isEqualTo(capacity);
        long demand = warmup.stream().mapToLong(PodShape::gpuMilliTotal).sum()
                + burst.stream().mapToLong(PodShape::gpuMilliTotal).sum();
        long borrowed = plan.fillers().stream().mapToLong(PodShape::gpuMilliTotal).sum();
        // the free room is about 95 % of what the warm-up and burst ask, so some of it is reclaimed
        assertThat(capacity - borrowed).isLessThan(demand).isGreaterThan((long) (demand * 0.9));
        assertThat(plan.fillers()).allSatisfy(f -> {
            assertThat(f.gpus()).isEqualTo(8);
            assertThat(plan.assignment(f.name())).isEqualTo(new Assignment("batch", null, 0));
        });
        TenancyWorkload.QueueShape batch = plan.queues().get(0);
        assertThat(batch.limitMilli()).isEqualTo(Math.max(batch.guaranteedMilli(), borrowed));
        assertThat(batch.reclaim()).isEqualTo("Never");
        // every team's part of the burst is well inside its guarantee, so it may reclaim what batch borrows
        Map<String, Long> perTeam = burst.stream().collect(Collectors.groupingBy(
                p -> plan.assignment(p.name()).queue(), Collectors.summingLong(PodShape::gpuMilliTotal)));
        plan.queues().subList(1, 5).forEach(q -> {
            assertThat(perTeam.get(q.name())).isLessThan(q.guaranteedMilli());
            assertThat(q.reclaim()).isEqualTo("LowerPriority");
            assertThat(q.withinQueue()).isEqualTo("Never");
        });
        assertThat(plan(0).fillers().size()).isLessThan(plan.fillers().size());
        TenancyWorkload none = TenancyWorkload.plan(nodes, warmup, burst, 4, 0.2, 4, 0.05, false);
        assertThat(none.fillers()).isEmpty();
        assertThat(none.queues().get(0).borrowingLimitMilli()).isZero();
    }

    @Test
    void aShareOfThePodsAreGangsOfConsecutivePodsSharingQueueAndPriority() {
        TenancyWorkload plan = plan(0.05);
        assertThat(plan.gangMembers(burst)).isEqualTo(400);
        assertThat(plan.gangMembers(warmup)).isEqualTo(40);
        assertThat(plan.gangs()).hasSize(110).allSatisfy(g -> assertThat(g.minMember()).isEqualTo(4));
        Map<String, List<Assignment>> byGang = burst.stream().map(p -> plan.assignment(p.name()))
                .filter(a -> a.podGroup() != null).collect(Collectors.groupingBy(Assignment::podGroup));
        assertThat(byGang).hasSize(100).allSatisfy((name, members) -> {
            assertThat(members).hasSize(4);
            assertThat(members.stream().distinct()).hasSize(1);
        });
        assertThat(plan.assignment("bench-000000").podGroup()).isEqualTo("bench-gang-00000");
        assertThat(plan.assignment("bench-000003").podGroup()).isEqualTo("bench-gang-00000");
        assertThat(plan.assignment("bench-000004").podGroup()).isNull();
        assertThat(burst.stream().map(p -> plan.assignment(p.name()).priority()).distinct())
                .containsExactlyInAnyOrder(1000, 2000);
        assertThat(burst.stream().map(p -> plan.assignment(p.name()).queue()).distinct()).hasSize(4);
        assertThat(TenancyWorkload.plan(nodes, warmup, burst, 4, 0, 4, 0.05, true).gangs()).isEmpty();
    }

    @Test
    void podsCarryTheirLabelsAndPriorityAndTheObjectsAreValidQueuesAndPodGroups() {
        TenancyWorkload plan = plan(0.05);
        Pod member = plan.pod("gantry-bench", "gantry", burst.get(0));
        assertThat(member.getMetadata().getLabels()).containsEntry("gantry.io/queue", "team-0")
                .containsEntry("scheduling.x-k8s.io/pod-group", "bench-gang-00000");
        assertThat(member.getSpec().getPriority()).isEqualTo(1000);
        assertThat(member.getSpec().getContainers().get(0).getResources().getRequests())
                .isEqualTo(Workload.pod("gantry-bench", "gantry", burst.get(0)).getSpec().getContainers().get(0)
                        .getResources().getRequests());
        Pod single = plan.pod("gantry-bench", "gantry", burst.get(7));
        assertThat(single.getMetadata().getLabels()).containsOnlyKeys("gantry.io/queue");
        assertThat(single.getSpec().getPriority()).isEqualTo(2000);

        // the engine's own parser reads the Queue objects as the scheduler will
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<QueueSpec> specs = plan.queueObjects().stream().map(o -> QueueObjects.parse(
                serialization.unmarshal(serialization.asJson(o), Map.class), "test")).toList();
        assertThat(specs).extracting(QueueSpec::name).containsExactly("batch", "team-0", "team-1", "team-2",
                "team-3");
        assertThat(plan.podGroupObjects("gantry-bench")).first().isEqualTo(Map.of("apiVersion",
                "scheduling.x-k8s.io/v1alpha1", "kind", "PodGroup", "metadata", Map.of("name", "warmup-gang-00000",
                        "namespace", "gantry-bench"), "spec", Map.of("minMember", 4)));
    }

    @Test
    void badParametersAreRefusedInPlainWords() {
        assertThatThrownBy(() -> TenancyWorkload.plan(nodes, warmup, burst, 0, 0.2, 4, 0.05, true))
                .hasMessageContaining("--queues must be >= 1");
        assertThatThrownBy(() -> TenancyWorkload.plan(nodes, warmup, burst, 4, 1.5, 4, 0.05, true))
                .hasMessageContaining("--gang-share must be within 0..1");
        assertThatThrownBy(() -> TenancyWorkload.plan(nodes, warmup, burst, 4, 0.2, 1, 0.05, true))
                .hasMessageContaining("--gang-size must be >= 2");
        assertThatThrownBy(() -> TenancyWorkload.plan(nodes, warmup, burst, 4, 0.2, 4, 1, true))
                .hasMessageContaining("--reclaim-share");
        assertThatThrownBy(() -> plan(0.05).assignment("stranger")).hasMessageContaining("not part of the planned");
    }
}
