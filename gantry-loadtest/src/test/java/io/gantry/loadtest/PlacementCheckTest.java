package io.gantry.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.loadtest.Workload.NodeShape;
import io.gantry.loadtest.Workload.PodShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The load test's verdict fails on every kind of wrong final state, and passes a right one. */
class PlacementCheckTest {

    private final List<NodeShape> nodes = List.of(new NodeShape("n1", 8, "A100"), new NodeShape("n2", 4, "T4"));
    private final List<PodShape> pods = List.of(
            new PodShape("whole", 2, 1000, 8000, 32_768),
            new PodShape("share-a", 1, 600, 1000, 4096),
            new PodShape("share-b", 1, 300, 1000, 4096));

    private static Pod bound(String name, String node, String ids, String milli) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("gantry-bench").endMetadata()
                .withNewSpec().withNodeName(node).endSpec();
        if (ids != null) {
            b.editMetadata().addToAnnotations("gantry.io/gpu-ids", ids).addToAnnotations("gantry.io/gpu-milli", milli)
                    .endMetadata();
        }
        return b.build();
    }

    private List<Pod> good() {
        return new ArrayList<>(List.of(bound("whole", "n1", "0,1", "1000"), bound("share-a", "n1", "2", "600"),
                bound("share-b", "n1", "2", "300")));
    }

    private Map<String, Integer> once() {
        Map<String, Integer> m = new HashMap<>();
        pods.forEach(p -> m.put(p.name(), 1));
        return m;
    }

    @Test
    void aCorrectStatePasses() {
        assertThat(PlacementCheck.check(nodes, pods, once(), 0, good())).isEmpty();
        assertThat(PlacementCheck.gpusUsed(good())).isEqualTo(3);
    }

    @Test
    void aPodBoundTwiceOrNeverOrARefusedBindFails() {
        Map<String, Integer> binds = once();
        binds.put("whole", 2);
        binds.remove("share-b");
        assertThat(PlacementCheck.check(nodes, pods, binds, 1, good())).containsExactlyInAnyOrder(
                "1 binds refused because the pod was already bound", "whole was bound 2 times",
                "share-b was bound 0 times");
    }

    @Test
    void anOverCommittedGpuFails() {
        List<Pod> state = good();
        state.set(1, bound("share-a", "n1", "1", "600")); // GPU 1 already holds the whole-GPU pod
        assertThat(PlacementCheck.check(nodes, pods, once(), 0, state))
                .containsExactly("GPU n1#1 over-committed: 1600 milli");
    }

    @Test
    void wrongGpusMissingAnnotationsUnknownNodesAndUnboundPodsFail() {
        List<Pod> state = List.of(bound("whole", "n2", "3,4", "1000"), bound("share-a", "n9", "0", "600"),
                bound("share-b", "n1", null, null));
        assertThat(PlacementCheck.check(nodes, pods, once(), 0, state)).containsExactlyInAnyOrder(
                "whole got GPU 4 of n2, which has 4", "share-a bound to unknown node n9",
                "share-b on n1 has no gantry.io/gpu-ids/gantry.io/gpu-milli annotations");
        List<Pod> unbound = good();
        unbound.set(0, bound("whole", null, null, null));
        assertThat(PlacementCheck.check(nodes, pods, once(), 0, unbound))
                .containsExactly("whole is not bound in the API server's state");
        List<Pod> fewer = good();
        fewer.set(0, bound("whole", "n1", "0", "1000"));
        assertThat(PlacementCheck.check(nodes, pods, once(), 0, fewer))
                .containsExactly("whole asked 2 x 1000 milli, got GPUs 0 x 1000 milli");
    }

    @Test
    void anOverCommittedNodeCpuAndMissingOrExtraPodsFail() {
        List<PodShape> hungry = List.of(new PodShape("big-a", 1, 1000, 60_000, 1024),
                new PodShape("big-b", 1, 1000, 60_000, 1024));
        Map<String, Integer> binds = Map.of("big-a", 1, "big-b", 1);
        List<Pod> state = List.of(bound("big-a", "n1", "0", "1000"), bound("big-b", "n1", "1", "1000"));
        assertThat(PlacementCheck.check(nodes, hungry, binds, 0, state))
                .containsExactly("node n1 over-committed: 120000 mCPU, 2048 MiB");
        List<Pod> extra = new ArrayList<>(state);
        extra.add(bound("stranger", "n1", "2", "1000"));
        assertThat(PlacementCheck.check(nodes, hungry, binds, 0, extra)).contains(
                "the API server lists 3 pods, expected 2",
                "the API server lists a pod stranger that the load test did not create");
    }

    @Test
    void anEvictedPodMustHaveBeenBoundOnceAndBeGone() {
        List<Pod> state = good();
        state.remove(2); // share-b was evicted
        assertThat(PlacementCheck.check(nodes, pods, once(), 0, state, Set.of("share-b"))).isEmpty();
        assertThat(PlacementCheck.check(nodes, pods, once(), 0, good(), Set.of("share-b"))).containsExactlyInAnyOrder(
                "the API server lists 3 pods, expected 2 (3 less 1 evicted)", "share-b was evicted but is still listed");
        Map<String, Integer> binds = once();
        binds.put("share-b", 0);
        assertThat(PlacementCheck.check(nodes, pods, binds, 0, state, Set.of("share-b")))
                .containsExactly("share-b was bound 0 times");
    }

    @Test
    void aQueueOverItsLimitAndAGangBoundInPartFail() {
        List<NodeShape> cluster = Workload.nodeShapes(20);
        List<PodShape> burst = Workload.podShapes(40, 42);
        TenancyWorkload plan = TenancyWorkload.plan(cluster, List.of(), burst, 2, 0.2, 4, 0.05, false);
        List<Pod> all = new ArrayList<>();
        for (PodShape p : burst) {
            all.add(new PodBuilder(plan.pod("gantry-bench", "gantry", p)).editSpec().withNodeName("gpu-node-00000")
                    .endSpec().build());
        }
        assertThat(PlacementCheck.checkTenancy(plan, burst, all)).isEmpty();

        // bench-000001 is a member of bench-gang-00000 (four members): one of them left unbound
        List<Pod> partial = new ArrayList<>(all);
        partial.set(1, new PodBuilder(all.get(1)).editSpec().withNodeName(null).endSpec().build());
        assertThat(PlacementCheck.checkTenancy(plan, burst, partial))
                .containsExactly("pod group bench-gang-00000 is bound in part: 3 of its 4 members");

        // the borrower has no pods of its own here, so its limit is its guarantee: hand it more than that
        TenancyWorkload.QueueShape batch = plan.queues().get(0);
        List<PodShape> heavy = new ArrayList<>(burst);
        List<Pod> over = new ArrayList<>(all);
        long gpus = batch.limitMilli() / 1000 + 1;
        PodShape big = new PodShape("bench-000000", (int) gpus, 1000, 1000, 1024);
        heavy.set(0, big);
        over.set(0, new PodBuilder(all.get(0)).editMetadata().addToLabels("gantry.io/queue", "batch").endMetadata()
                .build());
        assertThat(PlacementCheck.checkTenancy(plan, heavy, over)).anySatisfy(p -> assertThat(p)
                .startsWith("queue batch holds " + gpus * 1000 + " milli-GPUs, over its limit of "
                        + batch.limitMilli()));
    }
}
