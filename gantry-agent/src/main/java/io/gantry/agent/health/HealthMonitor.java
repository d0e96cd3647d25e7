package io.gantry.agent.health;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuBackend;
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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link HealthTracker}: one thread waits for the driver's Xid events (the wait blocks in native code),
 * another samples every GPU periodically (a lost or unreadable GPU is an error) and lets quiet GPUs recover.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    private static final Duration EVENT_WAIT = Duration.ofSeconds(1);
    /** Wait before the event stream is opened again after it failed. */
    static final Duration EVENT_REOPEN = Duration.ofSeconds(10);

    private final GpuBackend backend;
    private final HealthTracker tracker;
    private final XidPolicy xids;
    private final ScheduledExecutorService checks;
    private final Thread eventThread;
    private final Map<String, Long> lastXids = new ConcurrentHashMap<>();
    private final AtomicLong checksDone = new AtomicLong();
    private volatile boolean running = true;

    private final Duration reopenDelay;

    private HealthMonitor(GpuBackend backend, HealthTracker tracker, XidPolicy xids, Duration interval,
                          Duration reopenDelay) {
        this.reopenDelay = reopenDelay;
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
        return start(backend, tracker, xids, interval, EVENT_REOPEN);
    }

    /** As {@link #start}, with the pause before a failed event stream is opened again (tests shorten it). */
    static HealthMonitor start(GpuBackend backend, HealthTracker tracker, XidPolicy xids, Duration interval,
                               Duration reopenDelay) {
        requireNonNull(backend, "backend");
        requireNonNull(tracker, "tracker");
        requireNonNull(xids, "xids");
        requireNonNull(reopenDelay, "reopenDelay");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("health check interval must be positive, got " + interval);
        }
        return new HealthMonitor(backend, tracker, xids, interval, reopenDelay);
    }

    /** One periodic check: every GPU's sample problem is an error; quiet GPUs recover. Public for tests. */
    public void checkOnce() {
        try {
            for (GpuSample s : backend.sample()) {
                if (!s.healthy()) {
                    tracker.reportError(s.uuid(), s.problem());
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // A backend that cannot be read at all says nothing about one GPU; keep the last verdicts. Catching
            // LinkageError too: an NVML symbol missing from an old driver must not end the periodic checks.
            LOG.warn("GPU health check failed: {}", e.toString());
        }
        if (!eventsDown) {
            tracker.recoverQuietGpus();
        }
        checksDone.incrementAndGet();
    }

    /** How many checks have finished, recovery included: shows that a check ran after some moment. */
    public long checksDone() {
        return checksDone.get();
    }

    /** Whether the Xid event stream is down (then no GPU recovers: errors could go unseen). */
    public boolean eventsDown() {
        return eventsDown;
    }

    private volatile boolean eventsDown;

    /** Watches events until closed; a failed stream makes every GPU suspect and is opened again after a pause. */
    private void watchEvents(GpuEventSource first) {
        GpuEventSource source = first;
        while (running) {
            try (GpuEventSource s = source) {
                while (running) {
                    Optional<XidEvent> event = s.await(EVENT_WAIT);
                    eventsDown = false;
                    event.ifPresent(this::onXid);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | LinkageError e) {
                if (!running) {
                    return;
                }
                // NVIDIA's plugin does the same: a broken event stream makes every GPU suspect.
                eventsDown = true;
                tracker.reportErrorOnAll("GPU event stream failed: " + e.getMessage());
                LOG.warn("GPU event stream failed ({}); opening it again in {} ms", e.toString(),
                        reopenDelay.toMillis());
            }
            source = reopen();
            if (source == null) {
                return;
            }
        }
    }

    private GpuEventSource reopen() {
        while (running) {
            try {
                Thread.sleep(reopenDelay.toMillis());
                Optional<GpuEventSource> again = backend.events();
                if (again.isPresent()) {
                    LOG.info("GPU event stream open again");
                    return again.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("cannot open the GPU event stream again: {}", e.toString());
            }
        }
        return null;
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
        boolean reset = xids.needsReset(e.xid());
        String reason = "Xid " + e.xid() + (reset ? " (needs a GPU reset)" : "");
        if (e.uuid() == null) {
            tracker.reportErrorOnAll(reason + " on an unidentified GPU", reset);
        } else {
            tracker.reportError(e.uuid(), reason, reset);
        }
    }

    @Override
    public void close() {
        running = false;
        checks.shutdownNow();
        try {
            // A check in flight (nvidia-smi may take seconds) must end before the caller closes the backend.
            checks.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
