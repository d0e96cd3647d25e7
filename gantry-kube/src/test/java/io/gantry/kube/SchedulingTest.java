package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.events;
import static io.gantry.kube.KubeTestSupport.get;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.kube.sandbox.KubeSandbox;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulingTest extends SandboxTest {

    @Test
    void wholeAndSharedPodsLandOnGpuNodesWithTheirGpusAnnotated() {
        node("cpu-only", 0, "");
        node("gpu-a", 4, "V100M16");
        startScheduler();
        create(pod("whole", 2, 1000));
        create(pod("share", 1, 300));

        Pod whole = awaitBound(sandbox.client(), "whole");
        Pod share = awaitBound(sandbox.client(), "share");
        assertThat(whole.getSpec().getNodeName()).isEqualTo("gpu-a");
        assertThat(share.getSpec().getNodeName()).isEqualTo("gpu-a");
        assertThat(whole.getMetadata().getAnnotations().get("gantry.io/gpu-ids").split(",")).hasSize(2);
        assertThat(whole.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-milli", "1000");
        assertThat(share.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-milli", "300");
        assertThat(share.getMetadata().getAnnotations().get("gantry.io/gpu-ids")).matches("[0-3]");
        await("Scheduled events", Duration.ofSeconds(10), () -> events(sandbox.client(), "whole").stream()
                .anyMatch(e -> "Scheduled".equals(e.getReason())));
        assertThat(events(sandbox.client(), "whole")).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getMessage()).startsWith("Successfully assigned team-a/whole to gpu-a");
            assertThat(e.getSource().getComponent()).isEqualTo("gantry");
        });
        assertThat(sandbox.dispatcher().bindCount(NS, "whole")).isEqualTo(1);
    }

    @Test
    void gpusTheNodeAgentReportsUnhealthyAreNotUsedAndFreeAgainWhenHealed() {
        client().nodes().resource(io.gantry.kube.model.NodeTranslatorTest.withUnhealthyGpu("gpu-a", "1")).create();
        startScheduler();
        for (int i = 0; i < 4; i++) {
            create(pod("p" + i, 1, 1000));
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            ids.add(awaitBound(sandbox.client(), "p" + i).getMetadata().getAnnotations().get("gantry.io/gpu-ids"));
        }
        assertThat(ids).containsExactlyInAnyOrder("0", "2", "3");
        await("p3 unschedulable", Duration.ofSeconds(10), () -> events(sandbox.client(), "p3").stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        assertThat(nodeOf(sandbox.client(), "p3")).isNull();

        // The agent heals GPU 1: the waiting pod gets exactly it.
        client().nodes().withName("gpu-a").edit(n -> {
            n.getMetadata().getAnnotations().put("gantry.io/gpu-unhealthy", "");
            n.getStatus().getAllocatable().put("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("4"));
            return n;
        });
        assertThat(awaitBound(sandbox.client(), "p3").getMetadata().getAnnotations())
                .containsEntry("gantry.io/gpu-ids", "1");
    }

    @Test
    void podsOfOtherSchedulersAreLeftAlone() {
        node("gpu-a", 4, "V100M16");
        startScheduler();
        create(KubeSandbox.gpuPod(NS, "theirs", "default-scheduler", 1, 1000, 100, 100));
        create(pod("mine", 1, 1000));
        awaitBound(sandbox.client(), "mine");
        assertThat(nodeOf(sandbox.client(), "theirs")).isNull();
    }

    @Test
    void modelConstraintFollowsTheAnnotation() {
        node("v100", 8, "V100M16");
        node("t4", 8, "T4");
        startScheduler();
        Pod p = new PodBuilder(pod("wants-t4", 1, 500)).editMetadata()
                .addToAnnotations("gantry.io/gpu-model", "T4|A10").endMetadata().build();
        create(p);
        assertThat(awaitBound(sandbox.client(), "wants-t4").getSpec().getNodeName()).isEqualTo("t4");
    }

    @Test
    void podThatFitsNowhereGetsFailedSchedulingWithTheExplanationAndPodScheduledFalse() {
        node("v100-1", 2, "V100M16");
        node("v100-2", 1, "V100M16");
        node("cpu", 0, "");
        startScheduler();
        create(pod("too-big", 4, 1000));
        await("FailedScheduling", Duration.ofSeconds(10), () -> events(sandbox.client(), "too-big").stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        assertThat(events(sandbox.client(), "too-big")).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).isEqualTo("0/3 nodes are available: 3 Insufficient nvidia.com/gpu." + KubeTestSupport.NO_VICTIMS);
        });
        await("PodScheduled=False", Duration.ofSeconds(10), () -> get(sandbox.client(), "too-big").getStatus()
                .getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                        && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())));
        assertThat(nodeOf(sandbox.client(), "too-big")).isNull();
    }

    @Test
    void aDeletedPodsGpuIsReused() {
        node("one-gpu", 1, "A100");
        startScheduler();
        create(pod("first", 1, 1000));
        awaitBound(sandbox.client(), "first");
        create(pod("second", 1, 1000));
        await("second found unschedulable", Duration.ofSeconds(10), () -> events(sandbox.client(), "second")
                .stream().anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        sandbox.client().pods().inNamespace(NS).withName("first").delete();
        Pod second = awaitBound(sandbox.client(), "second");
        assertThat(second.getSpec().getNodeName()).isEqualTo("one-gpu");
        KubeTestSupport.assertAnnotated(second, "0", "1000");
    }

    @Test
    void finishedPodsReturnTheirGpus() {
        node("one-gpu", 1, "A100");
        startScheduler();
        create(pod("job", 1, 1000));
        awaitBound(sandbox.client(), "job");
        create(pod("next", 1, 1000));
        await("next unschedulable", Duration.ofSeconds(10), () -> events(sandbox.client(), "next").stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        sandbox.client().pods().inNamespace(NS).withName("job")
                .edit(p -> new PodBuilder(p).editStatus().withPhase("Succeeded").endStatus().build());
        assertThat(awaitBound(sandbox.client(), "next").getSpec().getNodeName()).isEqualTo("one-gpu");
    }

    @Test
    void onlyTheConfiguredNamespacesAreScheduledButAllPodsCount() {
        node("one-gpu", 1, "A100");
        scheduler = KubeTestSupport.start(client(), io.gantry.kube.config.SchedulerConfig.parse("""
                namespaces: [team-a]
                server: {port: 0}
                leaderElection: {enabled: false}
                backoff: {initial: 100ms, max: 1s}
                """, "test"));
        create(KubeSandbox.gpuPod("team-b", "elsewhere", "gantry", 1, 1000, 100, 100));
        create(pod("here", 1, 1000));
        awaitBound(client(), "here");
        assertThat(client().pods().inNamespace("team-b").withName("elsewhere").get().getSpec().getNodeName())
                .isNull();
    }
}
