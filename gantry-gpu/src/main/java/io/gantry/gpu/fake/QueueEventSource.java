package io.gantry.gpu.fake;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.XidEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Events injected by a test, handed out in order by {@link #await}. */
final class QueueEventSource implements GpuEventSource {

    /** Put on the queue by {@link #close} to wake a waiting reader; compared by identity. */
    private final XidEvent wakeUp = new XidEvent(null, -1);
    private final BlockingQueue<XidEvent> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    boolean isClosed() {
        return closed;
    }

    void offer(XidEvent event) {
        requireNonNull(event, "event");
        if (closed) {
            throw new IllegalStateException("the fake GPU event source is closed");
        }
        queue.add(event);
    }

    @Override
    public Optional<XidEvent> await(Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        if (closed) {
            throw new IllegalStateException("the fake GPU event source is closed");
        }
        XidEvent e = queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        return e == null || e == wakeUp ? Optional.empty() : Optional.of(e);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            queue.add(wakeUp);
        }
    }
}
