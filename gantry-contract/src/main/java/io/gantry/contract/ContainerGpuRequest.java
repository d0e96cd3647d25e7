package io.gantry.contract;

import static java.util.Objects.requireNonNull;

/**
 * What one container of a pod asks of the GPU resources (its limits; Kubernetes requires requests to equal them).
 *
 * @param name container name, unique in the pod (init containers included)
 * @param init whether it is an init container: init containers run one at a time before the app containers and
 *     release their devices when they finish
 * @param gpus whole GPUs ({@code nvidia.com/gpu})
 * @param milli thousandths of one GPU ({@code gantry.io/gpu-milli})
 */
public record ContainerGpuRequest(String name, boolean init, long gpus, long milli) {

    public ContainerGpuRequest {
        requireNonNull(name, "name");
        if (gpus < 0 || milli < 0) {
            throw new IllegalArgumentException("container " + name + " asks " + gpus + " " + GpuAnnotations.GPU_RESOURCE
                    + " and " + milli + " " + GpuAnnotations.GPU_MILLI_RESOURCE + "; neither can be negative");
        }
    }

    public static ContainerGpuRequest app(String name, long gpus, long milli) {
        return new ContainerGpuRequest(name, false, gpus, milli);
    }

    public static ContainerGpuRequest init(String name, long gpus, long milli) {
        return new ContainerGpuRequest(name, true, gpus, milli);
    }
}
