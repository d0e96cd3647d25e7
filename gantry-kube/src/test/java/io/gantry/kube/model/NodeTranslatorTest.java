package io.gantry.kube.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.placement.Taint;
import io.gantry.kube.sandbox.KubeSandbox;
import org.junit.jupiter.api.Test;

public class NodeTranslatorTest {

    @Test
    void allocatableGpusModelLabelsAndCapacityAreRead() {
        NodeSpec spec = NodeTranslator.translate(KubeSandbox.gpuNode("n1", 8, "A100-SXM4-80GB", 96, 512));
        assertThat(spec.name()).isEqualTo("n1");
        assertThat(spec.cpuMilli()).isEqualTo(96_000);
        assertThat(spec.memoryMib()).isEqualTo(512 * 1024);
        assertThat(spec.gpuCount()).isEqualTo(8);
        assertThat(spec.gpuModel()).isEqualTo("A100-SXM4-80GB");
        assertThat(spec.maxPods()).isEqualTo(110);
        assertThat(spec.labels()).containsEntry("nvidia.com/gpu.product", "A100-SXM4-80GB");
        assertThat(spec.unschedulable()).isFalse();
    }

    /** A node whose agent reports GPU 1 of 4 Unhealthy: allocatable 3, capacity 4. */
    public static Node withUnhealthyGpu(String name, String annotation) {
        Node node = KubeSandbox.gpuNode(name, 4, "A100", 64, 256);
        node.getStatus().setAllocatable(new java.util.LinkedHashMap<>(node.getStatus().getAllocatable()));
        node.getStatus().getAllocatable().put("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("3"));
        if (annotation != null) {
            node.getMetadata().setAnnotations(java.util.Map.of("gantry.io/gpu-unhealthy", annotation));
        }
        return node;
    }

    @Test
    void onNodesOfGantrysAgentGpusCountOverCapacityAndUnhealthyOnesAreNamed() {
        Node managed = withUnhealthyGpu("n1", "1");
        assertThat(NodeTranslator.translate(managed).gpuCount()).isEqualTo(4);
        assertThat(NodeTranslator.unhealthyGpus(managed)).containsExactly(1);

        Node other = withUnhealthyGpu("n2", null);
        assertThat(NodeTranslator.translate(other).gpuCount()).as("another device plugin: allocatable").isEqualTo(3);
        assertThat(NodeTranslator.unhealthyGpus(other)).isEmpty();

        assertThat(NodeTranslator.unhealthyGpus(withUnhealthyGpu("n3", ""))).isEmpty();
        assertThat(NodeTranslator.unhealthyGpus(withUnhealthyGpu("n4", "3,0"))).containsExactly(0, 3);
        // A garbled value (never the agent's) is reported and takes no healthy GPU away.
        Node garbled = withUnhealthyGpu("n5", "3, x,3,-1,0");
        assertThat(NodeTranslator.unhealthyGpus(garbled)).isEmpty();
        assertThat(NodeTranslator.translate(garbled).gpuCount()).as("still the agent's node").isEqualTo(4);
    }

    @Test
    void taintsAndCordonAreRead() {
        Node node = new NodeBuilder(KubeSandbox.gpuNode("n1", 4, "T4", 8, 32)).editSpec().withUnschedulable(true)
                .addNewTaint().withKey("dedicated").withValue("ml").withEffect("NoSchedule").endTaint()
                .addNewTaint().withKey("soft").withEffect("PreferNoSchedule").endTaint().endSpec().build();
        NodeSpec spec = NodeTranslator.translate(node);
        assertThat(spec.unschedulable()).isTrue();
        assertThat(spec.taints()).containsExactly(new Taint("dedicated", "ml", Taint.Effect.NO_SCHEDULE),
                new Taint("soft", "", Taint.Effect.PREFER_NO_SCHEDULE));
    }

    @Test
    void aGpuNodeWithoutModelLabelIsUnknownModelAndACpuNodeHasNoGpus() {
        Node unlabelled = new NodeBuilder(KubeSandbox.gpuNode("n1", 2, "T4", 8, 32)).editMetadata()
                .removeFromLabels("nvidia.com/gpu.product").endMetadata().build();
        assertThat(NodeTranslator.translate(unlabelled).gpuModel()).isEqualTo(NodeTranslator.UNKNOWN_MODEL);
        NodeSpec cpu = NodeTranslator.translate(KubeSandbox.gpuNode("c", 0, "", 8, 32));
        assertThat(cpu.gpuCount()).isZero();
    }
}
