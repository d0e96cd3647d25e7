package io.gantry.gpu;

import java.time.Duration;
import java.util.Optional;

/** The driver's stream of critical error events; read by one thread. */
public interface GpuEventSource extends AutoCloseable {

    /**
     * Waits up to {@code timeout} for the next event.
     *
     * @return the event, or empty when none arrived in time
     * @throws GpuDiscoveryException when the event stream itself failed (every GPU should then be considered
     *     suspect)
     */
    Optional<XidEvent> await(Duration timeout) throws InterruptedException;

    @Override
    void close();
}
