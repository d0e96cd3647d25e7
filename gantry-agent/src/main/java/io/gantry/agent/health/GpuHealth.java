package io.gantry.agent.health;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The health verdict on one GPU.
 *
 * @param uuid the GPU
 * @param healthy what ListAndWatch reports ({@code Healthy} or {@code Unhealthy})
 * @param reason the last error seen (kept after recovery, for the logs and the metrics page), or empty
 * @param lastErrorAt when the last error was seen, or null when none ever was
 * @param sticky whether the error needs a GPU reset: no quiet period heals it
 */
public record GpuHealth(String uuid, boolean healthy, String reason, Instant lastErrorAt, boolean sticky) {

    public GpuHealth {
        requireNonNull(uuid, "uuid");
        requireNonNull(reason, "reason");
    }

    static GpuHealth fine(String uuid) {
        return new GpuHealth(uuid, true, "", null, false);
    }
}
