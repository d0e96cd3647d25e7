package io.gantry.gpu;

import static java.util.Objects.requireNonNull;

/**
 * One reading of a GPU's telemetry. A value the GPU or backend does not report is {@link Double#NaN}; the metrics
 * page then omits that series, as dcgm-exporter does.
 *
 * @param uuid the GPU
 * @param gpuUtilPercent share of time a kernel ran, 0..100 ({@code DCGM_FI_DEV_GPU_UTIL})
 * @param memCopyUtilPercent share of time memory was read or written, 0..100 ({@code DCGM_FI_DEV_MEM_COPY_UTIL})
 * @param fbUsedMiB framebuffer used, MiB
 * @param fbFreeMiB framebuffer free, MiB
 * @param temperatureC GPU temperature, degrees C
 * @param powerWatts board power draw, W
 * @param energyMillijoules energy since the driver loaded, mJ
 * @param smClockMHz SM clock, MHz
 * @param memClockMHz memory clock, MHz
 * @param problem why this GPU failed its health check (lost, unreachable, reported unhealthy), or null when fine
 */
public record GpuSample(String uuid, double gpuUtilPercent, double memCopyUtilPercent, double fbUsedMiB,
                        double fbFreeMiB, double temperatureC, double powerWatts, double energyMillijoules,
                        double smClockMHz, double memClockMHz, String problem) {

    public GpuSample {
        requireNonNull(uuid, "uuid");
    }

    /** A reading with no telemetry, only a health verdict. */
    public static GpuSample failed(String uuid, String problem) {
        requireNonNull(problem, "problem");
        double n = Double.NaN;
        return new GpuSample(uuid, n, n, n, n, n, n, n, n, n, problem);
    }

    public boolean healthy() {
        return problem == null;
    }
}
