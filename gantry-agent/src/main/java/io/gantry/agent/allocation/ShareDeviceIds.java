package io.gantry.agent.allocation;

import io.gantry.contract.GpuAnnotations;

/**
 * Device ids of the share resource: {@code <GPU uuid>::<n>}, n = 0..999. The {@code ::n} suffix is the form NVIDIA's
 * time-slicing replicas use, so dcgm-exporter and other tools that read the kubelet's PodResources already map these
 * ids to their GPU.
 */
public final class ShareDeviceIds {

    /** One share device per thousandth of a GPU, the unit of {@code gantry.io/gpu-milli}. */
    public static final int PER_GPU = GpuAnnotations.MILLI_PER_GPU;
    private static final String SEPARATOR = "::";

    private ShareDeviceIds() {
    }

    public static String id(String gpuUuid, int n) {
        return gpuUuid + SEPARATOR + n;
    }

    /** The GPU an id belongs to: the id itself for a whole-GPU id, the part before {@code ::} for a share id. */
    public static String gpuOf(String deviceId) {
        int i = deviceId.lastIndexOf(SEPARATOR);
        return i < 0 ? deviceId : deviceId.substring(0, i);
    }
}
