package io.gantry.gpu;

import static java.util.Objects.requireNonNull;

/**
 * The connection between two GPUs of the node.
 *
 * @param gpuA index of one GPU
 * @param gpuB index of the other, greater than {@code gpuA}
 * @param level nearest path between them
 * @param nvLinks number of active NVLinks between them (0 unless {@code level} is NVLINK)
 */
public record GpuLink(int gpuA, int gpuB, TopologyLevel level, int nvLinks) {

    public GpuLink {
        requireNonNull(level, "level");
        if (gpuA < 0 || gpuB <= gpuA) {
            throw new IllegalArgumentException("a link needs two GPU indices a < b, got " + gpuA + " and " + gpuB);
        }
        if (nvLinks < 0 || (nvLinks > 0) != (level == TopologyLevel.NVLINK)) {
            throw new IllegalArgumentException("link " + gpuA + "-" + gpuB + ": " + nvLinks
                    + " NVLinks does not agree with level " + level);
        }
    }
}
