package io.gantry.agent.plugin;

import static java.util.Objects.requireNonNull;

import io.gantry.agent.allocation.Handout;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.proto.deviceplugin.CDIDevice;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import io.gantry.agent.proto.deviceplugin.Mount;
import io.gantry.gpu.GpuDevice;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a handout into the kubelet's container response: the GPUs by the chosen device list strategies, and for a
 * share its limits: {@code GANTRY_GPU_MILLI}, MPS's {@code CUDA_MPS_ACTIVE_THREAD_PERCENTAGE} and
 * {@code CUDA_MPS_PINNED_DEVICE_MEM_LIMIT}, and HAMi-core's {@code CUDA_DEVICE_MEMORY_LIMIT} (honoured when an
 * enforcement layer is installed; otherwise they inform well-behaved frameworks).
 */
public final class ContainerEnvironment {

    /** Where the NVIDIA runtime hook looks for volume-mount device requests. */
    static final String DEVICE_LIST_DIR = "/var/run/nvidia-container-devices";
    static final String CDI_ANNOTATION_PREFIX = "cdi.k8s.io/";

    private final Set<DeviceListStrategy> strategies;
    private final String cdiKind;
    private final Function<String, GpuDevice> gpuByUuid;

    /**
     * @param cdiKind the CDI {@code vendor/class} of the node's CDI spec, e.g. {@code nvidia.com/gpu} (its devices
     *     must be named by UUID: {@code nvidia-ctk cdi generate --device-name-strategy=uuid})
     */
    public ContainerEnvironment(Set<DeviceListStrategy> strategies, String cdiKind,
                                Function<String, GpuDevice> gpuByUuid) {
        this.strategies = Set.copyOf(strategies);
        this.cdiKind = requireNonNull(cdiKind, "cdiKind");
        this.gpuByUuid = requireNonNull(gpuByUuid, "gpuByUuid");
        if (this.strategies.isEmpty()) {
            throw new IllegalArgumentException("at least one device list strategy is needed");
        }
    }

    public ContainerAllocateResponse response(Handout h) {
        ContainerAllocateResponse.Builder r = ContainerAllocateResponse.newBuilder();
        List<String> uuids = h.gpuUuids();
        String visible = String.join(",", uuids);
        if (strategies.contains(DeviceListStrategy.ENVVAR)) {
            r.putEnvs("NVIDIA_VISIBLE_DEVICES", visible);
        }
        if (strategies.contains(DeviceListStrategy.VOLUME_MOUNTS)) {
            // When both are chosen the mounts win: the hook reads them before the variable.
            r.putEnvs("NVIDIA_VISIBLE_DEVICES", DEVICE_LIST_DIR);
            for (String uuid : uuids) {
                r.addMounts(Mount.newBuilder().setHostPath("/dev/null")
                        .setContainerPath(DEVICE_LIST_DIR + "/" + uuid).setReadOnly(true));
            }
        }
        if (strategies.contains(DeviceListStrategy.CDI_ANNOTATIONS)) {
            String key = CDI_ANNOTATION_PREFIX + "gantry-agent_" + h.kind().name().toLowerCase(Locale.ROOT);
            r.putAnnotations(key, String.join(",", uuids.stream().map(u -> cdiKind + "=" + u).toList()));
        }
        if (strategies.contains(DeviceListStrategy.CDI_CRI)) {
            for (String uuid : uuids) {
                r.addCdiDevices(CDIDevice.newBuilder().setName(cdiKind + "=" + uuid));
            }
        }
        r.putEnvs("GANTRY_GPU_UUIDS", visible);
        if (h.kind() == ResourceKind.SHARE) {
            r.putAllEnvs(shareLimits(h));
        }
        return r.build();
    }

    private Map<String, String> shareLimits(Handout h) {
        int milli = h.milli();
        int percent = Math.max(1, (milli + 9) / 10);
        if (h.gpuUuids().size() != 1) {
            // The kubelet spread a share over several GPUs (no annotation to follow): only the total is meaningful.
            return Map.of("GANTRY_GPU_MILLI", String.valueOf(milli));
        }
        GpuDevice gpu = gpuByUuid.apply(h.gpuUuids().get(0));
        long limitMiB = gpu.memoryMiB() * milli / 1000;
        return Map.of(
                "GANTRY_GPU_MILLI", String.valueOf(milli),
                "GANTRY_GPU_MEMORY_LIMIT_MIB", String.valueOf(limitMiB),
                "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", String.valueOf(percent),
                // Device 0 is the container's only visible GPU.
                "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=" + limitMiB + "M",
                "CUDA_DEVICE_MEMORY_LIMIT", limitMiB + "m");
    }
}
