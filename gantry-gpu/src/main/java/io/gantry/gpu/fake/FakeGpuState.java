package io.gantry.gpu.fake;

/**
 * What a fake GPU reports besides its identity: health and telemetry, as the file or a test hook set them.
 *
 * @param problem why the GPU fails its health check, or null when healthy
 * @param gpuUtilPercent GPU utilization, NaN when not given
 * @param fbUsedMiB framebuffer used, MiB
 * @param temperatureC NaN when not given
 * @param powerWatts NaN when not given
 */
record FakeGpuState(String problem, double gpuUtilPercent, double fbUsedMiB, double temperatureC,
                    double powerWatts) {

    static FakeGpuState idle() {
        return new FakeGpuState(null, Double.NaN, 0, Double.NaN, Double.NaN);
    }

    FakeGpuState withTelemetry(double utilPercent, double usedMiB) {
        return new FakeGpuState(problem, utilPercent, usedMiB, temperatureC, powerWatts);
    }
}
