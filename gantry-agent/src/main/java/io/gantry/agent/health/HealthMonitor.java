package io.gantry.agent.health;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.XidEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link HealthTracker}: one thread waits for the driver's Xid events (the wait blocks in native code),
 * another samples every GPU periodically (a lost or unreadable GPU is an error) and lets quiet GPUs recover.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    private static final Duration EVENT_WAIT = Duration.ofSeconds(1);

    private final GpuBackend backend;
    private final HealthTracker tracker;
    private final XidPolicy xids;
    private final ScheduledExecutorService checks;
    private final Thread eventThread;
    private final Map<String, Long> lastXids = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    private HealthMonitor(GpuBackend backend, HealthTracker tracker, XidPolicy xids, Duration interval) {
        this.backend = backend;
        this.tracker = tracker;
        this.xids = xids;
        this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-health-check");
            t.setDaemon(true);
            return t;
        });
        checks.scheduleWithFixedDelay(this::checkOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        Optional<GpuEventSource> events = backend.events();
        if (events.isPresent()) {
            eventThread = new Thread(() -> watchEvents(events.get()), "gantry-xid-events");
            eventThread.setDaemon(true);
            eventThread.start();
        } else {
            eventThread = null;
            LOG.info("backend {} cannot watch Xid events; health comes from periodic checks only", backend.name());
        }
    }

    /** Starts watching; {@code interval} is the period of the telemetry health check and of recovery. */
    public static HealthMonitor start(GpuBackend backend, HealthTracker tracker, XidPolicy xids, Duration interval) {
        requireNonNull(backend, "backend");
        requireNonNull(tracker, "tracker");
        requireNonNull(xids, "xids");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("health check interval must be positive, got " + interval);
        }
        return new HealthMonitor(backend, tracker, xids, interval);
    }

    /** One periodic check: every GPU's sample problem is an error; quiet GPUs recover. Public for tests. */
    public void checkOnce() {
        try {
            for (GpuSample s : backend.sample()) {
                if (!s.healthy()) {
                    tracker.reportError(s.uuid(), s.problem());
                }
            }
        } catch (RuntimeException e) {
            // A backend that cannot be read at all says nothing about one GPU; keep the last verdicts.
            LOG.warn("GPU health check failed: {}", e.getMessage());
        }
        tracker.recoverQuietGpus();
    }

    private void watchEvents(GpuEventSource source) {
        try (source) {
            while (running) {
                Optional<XidEvent> event = source.await(EVENT_WAIT);
                event.ifPresent(this::onXid);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (GpuDiscoveryException e) {
            if (running) {
                // NVIDIA's plugin does the same: a broken event stream makes every GPU suspect.
                tracker.reportErrorOnAll("GPU event stream failed: " + e.getMessage());
            }
        }
    }

    /** The last Xid seen on each GPU (critical or not), for {@code DCGM_FI_DEV_XID_ERRORS}. */
    public Map<String, Long> lastXids() {
        return Map.copyOf(lastXids);
    }

    void onXid(XidEvent e) {
        if (e.uuid() != null) {
            lastXids.put(e.uuid(), e.xid());
        }
        if (!xids.isCritical(e.xid())) {
            LOG.info("ignoring application Xid {} on {}", e.xid(), e.uuid() == null ? "an unknown GPU" : e.uuid());
            return;
        }
        String reason = "Xid " + e.xid();
        if (e.uuid() == null) {
            tracker.reportErrorOnAll(reason + " on an unidentified GPU");
        } else {
            tracker.reportError(e.uuid(), reason);
        }
    }

    @Override
    public void close() {
        running = false;
        checks.shutdownNow();
        if (eventThread != null) {
            eventThread.interrupt();
            try {
                eventThread.join(EVENT_WAIT.toMillis() * 3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
