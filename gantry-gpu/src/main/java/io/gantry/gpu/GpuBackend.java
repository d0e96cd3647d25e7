package io.gantry.gpu;

import java.util.List;
import java.util.Optional;

/**
 * A source of facts about this node's GPUs. Implementations: NVML through JNA, the {@code nvidia-smi} command,
 * and a fake inventory. Opened by {@link GpuBackends#open}; thread-safe for concurrent {@link #sample} calls.
 */
public interface GpuBackend extends AutoCloseable {

    /** {@code nvml}, {@code nvidia-smi} or {@code fake}. */
    String name();

    /** The GPUs found when the backend was opened. */
    GpuInventory inventory();

    /**
     * Reads every GPU's telemetry and health now, one sample per inventory GPU in inventory order. A GPU that cannot
     * be read is not an exception: its sample carries the {@link GpuSample#problem}.
     */
    List<GpuSample> sample();

    /** Critical error events, when this backend can watch them ({@code nvidia-smi} cannot). */
    Optional<GpuEventSource> events();

    @Override
    void close();
}
