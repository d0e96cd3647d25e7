package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.events;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.kube.sandbox.KubeSandbox;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What kube-scheduler users rely on beyond GPUs: selectors, affinity, taints, cordon, CPU, memory, pod count. */
class ConstraintsTest extends SandboxTest {

    private String failure(String pod) {
        await("FailedScheduling for " + pod, Duration.ofSeconds(10), () -> events(client(), pod).stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        return events(client(), pod).stream().filter(e -> "FailedScheduling".equals(e.getReason())).findFirst()
                .orElseThrow().getMessage();
    }

    @Test
    void nodeSelectorAndRequiredAffinityPickTheNode() {
        client().nodes().resource(new NodeBuilder(KubeSandbox.gpuNode("zone-a", 4, "T4", 16, 64)).editMetadata()
                .addToLabels("zone", "a").addToLabels("tier", "1").endMetadata().build()).create();
        client().nodes().resource(new NodeBuilder(KubeSandbox.gpuNode("zone-b", 4, "T4", 16, 64)).editMetadata()
                .addToLabels("zone", "b").addToLabels("tier", "3").endMetadata().build()).create();
        startScheduler();
        create(new PodBuilder(pod("to-b", 1, 1000)).editSpec().withNodeSelector(java.util.Map.of("zone", "b"))
                .endSpec().build());
        create(new PodBuilder(pod("tier-gt-2", 1, 500)).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("tier").withOperator("Gt").withValues("2").endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .endAffinity().endSpec().build());
        create(new PodBuilder(pod("to-c", 1, 1000)).editSpec().withNodeSelector(java.util.Map.of("zone", "c"))
                .endSpec().build());
        assertThat(awaitBound(client(), "to-b").getSpec().getNodeName()).isEqualTo("zone-b");
        assertThat(awaitBound(client(), "tier-gt-2").getSpec().getNodeName()).isEqualTo("zone-b");
        assertThat(failure("to-c")).isEqualTo("0/2 nodes are available: 2 node(s) didn't match Pod's node "
                + "affinity/selector." + KubeTestSupport.NO_VICTIMS);
    }

    @Test
    void taintsKeepPodsOffUnlessTolerated() {
        client().nodes().resource(new NodeBuilder(KubeSandbox.gpuNode("tainted", 8, "A100", 16, 64)).editSpec()
                .addNewTaint().withKey("dedicated").withValue("research").withEffect("NoSchedule").endTaint()
                .endSpec().build()).create();
        startScheduler();
        create(pod("plain", 1, 1000));
        create(new PodBuilder(pod("tolerant", 1, 1000)).editSpec().addNewToleration().withKey("dedicated")
                .withOperator("Equal").withValue("research").withEffect("NoSchedule").endToleration().endSpec()
                .build());
        assertThat(awaitBound(client(), "tolerant").getSpec().getNodeName()).isEqualTo("tainted");
        assertThat(failure("plain")).isEqualTo("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: research}." + KubeTestSupport.NO_VICTIMS);
    }

    @Test
    void cordonedNodesTakeNoNewPodsAndUncordoningLetsThemIn() {
        client().nodes().resource(new NodeBuilder(KubeSandbox.gpuNode("cordoned", 8, "A100", 16, 64)).editSpec()
                .withUnschedulable(true).endSpec().build()).create();
        startScheduler();
        create(pod("waits", 1, 1000));
        assertThat(failure("waits")).isEqualTo("0/1 nodes are available: 1 node(s) were unschedulable." + KubeTestSupport.NO_VICTIMS);
        client().nodes().withName("cordoned").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(false)
                .endSpec().build());
        assertThat(awaitBound(client(), "waits").getSpec().getNodeName()).isEqualTo("cordoned");
    }

    @Test
    void cpuMemoryAndPodCountAreHonoured() {
        client().nodes().resource(new NodeBuilder(KubeSandbox.gpuNode("small", 8, "A100", 2, 4)).editStatus()
                .addToAllocatable("pods", new Quantity("1")).endStatus().build()).create();
        startScheduler();
        create(KubeSandbox.gpuPod(NS, "cpu-hog", "gantry", 1, 1000, 3000, 100));
        assertThat(failure("cpu-hog")).isEqualTo("0/1 nodes are available: 1 Insufficient cpu." + KubeTestSupport.NO_VICTIMS);
        create(KubeSandbox.gpuPod(NS, "mem-hog", "gantry", 1, 1000, 100, 8192));
        assertThat(failure("mem-hog")).isEqualTo("0/1 nodes are available: 1 Insufficient memory." + KubeTestSupport.NO_VICTIMS);
        create(KubeSandbox.gpuPod(NS, "fits", "gantry", 1, 1000, 1000, 1024));
        awaitBound(client(), "fits");
        create(KubeSandbox.gpuPod(NS, "one-too-many", "gantry", 1, 1000, 100, 100));
        assertThat(failure("one-too-many")).isEqualTo("0/1 nodes are available: 1 Too many pods." + KubeTestSupport.NO_VICTIMS);
        assertThat(nodeOf(client(), "one-too-many")).isNull();
    }

    @Test
    void podsBoundByOthersCountAgainstTheNode() {
        node("one-gpu", 1, "A100");
        // Bound by another scheduler, asking a whole GPU, with no Gantry annotation.
        create(new PodBuilder(KubeSandbox.gpuPod(NS, "foreign", "default-scheduler", 1, 1000, 100, 100)).editSpec()
                .withNodeName("one-gpu").endSpec().build());
        startScheduler();
        create(pod("mine", 1, 300));
        assertThat(failure("mine")).isEqualTo("0/1 nodes are available: 1 Insufficient gantry.io/gpu-milli." + KubeTestSupport.NO_VICTIMS);
    }
}
