package io.gantry.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.gantry.agent.testing.TestGpus;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuInventory;
import io.gantry.kube.sandbox.KubeSandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeLabelsTest {

    @Test
    void labelsAreGpuFeatureDiscoverys() {
        Map<String, String> labels = NodeLabels.of(TestGpus.inventory(4));
        assertThat(labels)
                .containsEntry("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB")
                .containsEntry("nvidia.com/gpu.count", "4")
                .containsEntry("nvidia.com/gpu.memory", "81920")
                .containsEntry("nvidia.com/gpu.family", "ampere")
                .containsEntry("nvidia.com/gpu.compute.major", "8")
                .containsEntry("nvidia.com/gpu.compute.minor", "0")
                .containsEntry("nvidia.com/cuda.driver-version.major", "550")
                .containsEntry("nvidia.com/cuda.driver-version.minor", "54")
                .containsEntry("nvidia.com/cuda.driver-version.revision", "15")
                .containsEntry("nvidia.com/cuda.driver-version.full", "550.54.15")
                .containsEntry("nvidia.com/cuda.runtime-version.full", "12.4")
                .containsEntry("nvidia.com/mig.capable", "false");
    }

    @Test
    void productNamesAreMadeValidLabelValues() {
        assertThat(NodeLabels.product("Tesla T4")).isEqualTo("Tesla-T4");
        assertThat(NodeLabels.product("NVIDIA H100 80GB HBM3")).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(NodeLabels.product("NVIDIA GeForce RTX 4090 (TM)!")).isEqualTo("NVIDIA-GeForce-RTX-4090-TM");
        assertThat(NodeLabels.product("X".repeat(80))).hasSize(63);
    }

    @Test
    void familiesFollowComputeCapability() {
        assertThat(NodeLabels.family(7, 0)).isEqualTo("volta");
        assertThat(NodeLabels.family(7, 5)).isEqualTo("turing");
        assertThat(NodeLabels.family(8, 9)).isEqualTo("ada-lovelace");
        assertThat(NodeLabels.family(9, 0)).isEqualTo("hopper");
        assertThat(NodeLabels.family(10, 0)).isEqualTo("blackwell");
        assertThat(NodeLabels.family(4, 0)).isNull();
    }

    @Test
    void unknownFactsAreLeftOut() {
        GpuInventory bare = new GpuInventory("nvidia-smi", "", "", List.of(
                new GpuDevice(0, TestGpus.uuid(0), "Tesla T4", 15360, "", -1, -1, "", false)), List.of());
        assertThat(NodeLabels.of(bare)).containsOnlyKeys("nvidia.com/gpu.product", "nvidia.com/gpu.count",
                "nvidia.com/gpu.memory", "nvidia.com/gpu.replicas", "nvidia.com/mig.capable");
        assertThat(NodeLabels.of(new GpuInventory("fake", "", "", List.of(), List.of())))
                .containsExactly(Map.entry("nvidia.com/gpu.count", "0"));
    }

    @Test
    void theLabelerPatchesTheNodeAndKeepsItsOtherLabels() {
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            Node node = KubeSandbox.gpuNode("gpu-node-1", 4, "old-model", 64, 512);
            sandbox.client().nodes().resource(node).create();

            assertThat(NodeLabeler.apply(sandbox.client(), "gpu-node-1", NodeLabels.of(TestGpus.inventory(4))))
                    .isTrue();
            assertThat(NodeLabeler.apply(sandbox.client(), "no-such-node", Map.of("a", "b"))).isFalse();

            Map<String, String> labels = sandbox.client().nodes().withName("gpu-node-1").get().getMetadata()
                    .getLabels();
            assertThat(labels).containsEntry("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB")
                    .containsEntry("kubernetes.io/hostname", "gpu-node-1");
        }
    }
}
