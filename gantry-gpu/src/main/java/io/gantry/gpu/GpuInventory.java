package io.gantry.gpu;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything discovered about this node's GPUs at start: stable for the life of a backend.
 *
 * @param backend which backend found them ({@code nvml}, {@code nvidia-smi}, {@code fake})
 * @param driverVersion NVIDIA driver version such as {@code 550.54.15}, or empty
 * @param cudaVersion highest CUDA version the driver supports such as {@code 12.4}, or empty
 * @param devices GPUs ordered by index, indices 0..n-1
 * @param links connections between GPU pairs that the backend could tell (may be empty)
 */
public record GpuInventory(String backend, String driverVersion, String cudaVersion, List<GpuDevice> devices,
                           List<GpuLink> links) {

    public GpuInventory {
        requireNonNull(backend, "backend");
        requireNonNull(driverVersion, "driverVersion");
        requireNonNull(cudaVersion, "cudaVersion");
        devices = List.copyOf(devices);
        links = List.copyOf(links);
        Set<String> uuids = new HashSet<>();
        for (int i = 0; i < devices.size(); i++) {
            GpuDevice d = devices.get(i);
            if (d.index() != i) {
                throw new IllegalArgumentException("GPUs must be ordered by index 0.." + (devices.size() - 1)
                        + ", found index " + d.index() + " at position " + i);
            }
            if (!uuids.add(d.uuid())) {
                throw new IllegalArgumentException("two GPUs have the UUID " + d.uuid());
            }
        }
        for (GpuLink l : links) {
            if (l.gpuB() >= devices.size()) {
                throw new IllegalArgumentException("link " + l.gpuA() + "-" + l.gpuB() + " names a GPU beyond index "
                        + (devices.size() - 1));
            }
        }
    }

    public Optional<GpuDevice> byUuid(String uuid) {
        return devices.stream().filter(d -> d.uuid().equals(uuid)).findFirst();
    }
}
