package io.gantry.engine.frag;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One pod type of a target workload and its share of the workload. Keyed by CPU, GPU milli per GPU, GPU count and
 * the model list as written (memory plays no part in fragmentation).
 */
public record WorkloadType(long cpuMilli, int gpuMilliPerGpu, int gpuCount, List<String> gpuModels, long count,
        double popularity) {

    public WorkloadType {
        requireNonNull(gpuModels, "gpuModels");
        gpuModels = List.copyOf(gpuModels);
        if (popularity < 0 || popularity > 1) {
            throw new IllegalArgumentException("popularity must be in [0, 1], got " + popularity);
        }
    }

    public String gpuModelSpec() {
        return String.join("|", gpuModels);
    }
}
