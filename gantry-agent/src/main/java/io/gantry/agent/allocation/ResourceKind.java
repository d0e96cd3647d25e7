package io.gantry.agent.allocation;

import io.gantry.contract.ContainerGpuRequest;
import io.gantry.contract.GpuAnnotations;

/** The two resources the agent advertises. */
public enum ResourceKind {
    /** One device per GPU, id = GPU UUID. */
    WHOLE(GpuAnnotations.GPU_RESOURCE, "gantry-gpu.sock"),
    /** 1000 devices per GPU, id = {@code <uuid>::<n>}; a container asking k of them gets k thousandths of one GPU. */
    SHARE(GpuAnnotations.GPU_MILLI_RESOURCE, "gantry-gpu-milli.sock");

    private final String resourceName;
    private final String socketName;

    ResourceKind(String resourceName, String socketName) {
        this.resourceName = resourceName;
        this.socketName = socketName;
    }

    /** The extended resource name registered with the kubelet. */
    public String resourceName() {
        return resourceName;
    }

    /** How many of this resource's devices the container asks (its limit). */
    public long askedBy(ContainerGpuRequest container) {
        return this == WHOLE ? container.gpus() : container.milli();
    }

    /** The plugin's socket file name inside the kubelet's device plugin directory. */
    public String socketName() {
        return socketName;
    }
}
