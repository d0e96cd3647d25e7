package io.gantry.gpu;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where each backend finds its source.
 *
 * @param inventory the fake backend's YAML file, or null
 * @param nvidiaSmi the nvidia-smi executable (a name on PATH or a path)
 * @param nvmlLibrary the NVML library name or path given to JNA, normally {@code nvidia-ml}
 *     ({@code libnvidia-ml.so.1} is tried as well)
 */
public record BackendOptions(Path inventory, String nvidiaSmi, String nvmlLibrary) {

    public BackendOptions {
        requireNonNull(nvidiaSmi, "nvidiaSmi");
        requireNonNull(nvmlLibrary, "nvmlLibrary");
    }

    public static BackendOptions defaults() {
        return new BackendOptions(null, "nvidia-smi", "nvidia-ml");
    }

    public BackendOptions withInventory(Path file) {
        return new BackendOptions(file, nvidiaSmi, nvmlLibrary);
    }
}
