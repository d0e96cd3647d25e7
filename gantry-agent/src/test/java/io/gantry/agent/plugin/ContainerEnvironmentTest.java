package io.gantry.agent.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.allocation.Handout;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.proto.deviceplugin.CDIDevice;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import io.gantry.agent.proto.deviceplugin.Mount;
import io.gantry.agent.testing.TestGpus;
import io.gantry.gpu.GpuInventory;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerEnvironmentTest {

    private static final GpuInventory NODE = TestGpus.inventory(4);
    private static final Handout WHOLE = new Handout(ResourceKind.WHOLE, "ns", "p", "uid", "main",
            List.of(TestGpus.uuid(1), TestGpus.uuid(2)), 1000, List.of(), true);
    private static final Handout SHARE = new Handout(ResourceKind.SHARE, "ns", "p", "uid", "main",
            List.of(TestGpus.uuid(3)), 333, List.of(), true);

    private static ContainerAllocateResponse respond(Set<DeviceListStrategy> s, Handout h) {
        return new ContainerEnvironment(s, "nvidia.com/gpu", u -> NODE.byUuid(u).orElseThrow()).response(h);
    }

    @Test
    void envvarNamesTheGpusByUuid() {
        ContainerAllocateResponse r = respond(Set.of(DeviceListStrategy.ENVVAR), WHOLE);
        assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", TestGpus.uuid(1) + "," + TestGpus.uuid(2))
                .containsEntry("GANTRY_GPU_UUIDS", TestGpus.uuid(1) + "," + TestGpus.uuid(2))
                .doesNotContainKeys("GANTRY_GPU_MILLI", "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE");
        assertThat(r.getMountsList()).isEmpty();
        assertThat(r.getCdiDevicesList()).isEmpty();
    }

    @Test
    void volumeMountsReplaceTheVariableSoAPodCannotGrantItselfGpus() {
        ContainerAllocateResponse r = respond(Set.of(DeviceListStrategy.VOLUME_MOUNTS, DeviceListStrategy.ENVVAR),
                WHOLE);
        assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "/var/run/nvidia-container-devices");
        assertThat(r.getMountsList()).extracting(Mount::getHostPath, Mount::getContainerPath, Mount::getReadOnly)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("/dev/null",
                                "/var/run/nvidia-container-devices/" + TestGpus.uuid(1), true),
                        org.assertj.core.groups.Tuple.tuple("/dev/null",
                                "/var/run/nvidia-container-devices/" + TestGpus.uuid(2), true));
    }

    @Test
    void cdiStrategiesNameQualifiedDevicesAndSetNoVariable() {
        ContainerAllocateResponse cri = respond(Set.of(DeviceListStrategy.CDI_CRI), WHOLE);
        assertThat(cri.getCdiDevicesList()).extracting(CDIDevice::getName)
                .containsExactly("nvidia.com/gpu=" + TestGpus.uuid(1), "nvidia.com/gpu=" + TestGpus.uuid(2));
        assertThat(cri.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES");

        ContainerAllocateResponse ann = respond(Set.of(DeviceListStrategy.CDI_ANNOTATIONS), WHOLE);
        assertThat(ann.getAnnotationsMap()).containsExactly(java.util.Map.entry("cdi.k8s.io/gantry-agent_whole",
                "nvidia.com/gpu=" + TestGpus.uuid(1) + ",nvidia.com/gpu=" + TestGpus.uuid(2)));
        assertThat(ann.getAnnotationsMap().keySet()).allSatisfy(k -> assertThat(k.length()).isLessThanOrEqualTo(63));
    }

    @Test
    void aShareCarriesItsComputeAndMemoryLimits() {
        ContainerAllocateResponse r = respond(Set.of(DeviceListStrategy.ENVVAR), SHARE);
        long limit = 81920L * 333 / 1000;
        assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", TestGpus.uuid(3))
                .containsEntry("GANTRY_GPU_MILLI", "333")
                .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "34")
                .containsEntry("GANTRY_GPU_MEMORY_LIMIT_MIB", String.valueOf(limit))
                .containsEntry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=" + limit + "M")
                .containsEntry("CUDA_DEVICE_MEMORY_LIMIT", limit + "m");
        Handout tiny = new Handout(ResourceKind.SHARE, "ns", "p", "uid", "main", List.of(TestGpus.uuid(0)), 1,
                List.of(), true);
        assertThat(respond(Set.of(DeviceListStrategy.ENVVAR), tiny).getEnvsMap())
                .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "1");
    }

    @Test
    void strategyListsAreParsedWithClearErrors() {
        assertThat(DeviceListStrategy.parseList("volume-mounts, cdi-cri"))
                .containsExactlyInAnyOrder(DeviceListStrategy.VOLUME_MOUNTS, DeviceListStrategy.CDI_CRI);
        assertThatThrownBy(() -> DeviceListStrategy.parseList("envvar,mounts"))
                .hasMessageContaining("unknown device list strategy 'mounts'")
                .hasMessageContaining("envvar, volume-mounts, cdi-annotations, cdi-cri");
    }
}
