package io.gantry.gpu;

import static java.util.Objects.requireNonNull;

/**
 * One physical GPU of this node, as discovered. Values a backend cannot tell are {@code -1} (numbers) or empty
 * (text).
 *
 * @param index NVML index, 0-based; the order in which the agent advertises GPUs and in which the scheduler's
 *     {@code gantry.io/gpu-ids} indices count
 * @param uuid {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, stable across reboots
 * @param name model name as NVML reports it, e.g. {@code NVIDIA A100-SXM4-80GB}
 * @param memoryMiB total framebuffer memory in MiB
 * @param pciBusId NVML's bus id, e.g. {@code 00000000:3B:00.0}, or empty
 * @param minorNumber the N of {@code /dev/nvidiaN}, or -1
 * @param numaNode NUMA node of the PCI device, or -1
 * @param computeCapability CUDA compute capability such as {@code 8.0}, or empty
 * @param migEnabled whether MIG mode is on (the agent advertises the whole GPU either way)
 */
public record GpuDevice(int index, String uuid, String name, long memoryMiB, String pciBusId, int minorNumber,
                        int numaNode, String computeCapability, boolean migEnabled) {

    public GpuDevice {
        requireNonNull(uuid, "uuid");
        requireNonNull(name, "name");
        requireNonNull(pciBusId, "pciBusId");
        requireNonNull(computeCapability, "computeCapability");
        if (index < 0) {
            throw new IllegalArgumentException("GPU index must be >= 0, got " + index);
        }
        if (uuid.isBlank()) {
            throw new IllegalArgumentException("GPU " + index + " has an empty UUID");
        }
        if (memoryMiB < 0) {
            throw new IllegalArgumentException("GPU " + uuid + " memory must be >= 0 MiB, got " + memoryMiB);
        }
    }
}
