package io.gantry.agent.health;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health of every GPU of the node. An error makes a GPU Unhealthy at once; unlike NVIDIA's device plugin, which
 * keeps a GPU Unhealthy until the plugin restarts, a GPU that stays free of errors for the recovery period becomes
 * Healthy again (a zero period keeps NVIDIA's behaviour). Listeners hear every change, after it is made.
 */
public final class HealthTracker {

    private static final Logger LOG = LoggerFactory.getLogger(HealthTracker.class);

    private final Clock clock;
    private final Duration recovery;
    private final Map<String, GpuHealth> health = new LinkedHashMap<>();
    private final List<Consumer<Collection<GpuHealth>>> listeners = new CopyOnWriteArrayList<>();

    public HealthTracker(Collection<String> uuids, Duration recovery, Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        this.recovery = requireNonNull(recovery, "recovery");
        if (recovery.isNegative()) {
            throw new IllegalArgumentException("health recovery period must not be negative, got " + recovery);
        }
        for (String uuid : uuids) {
            health.put(uuid, GpuHealth.fine(uuid));
        }
    }

    /** Called with the full health list after every change. */
    public void addListener(Consumer<Collection<GpuHealth>> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    public synchronized boolean isHealthy(String uuid) {
        GpuHealth h = health.get(uuid);
        return h != null && h.healthy();
    }

    public synchronized GpuHealth get(String uuid) {
        GpuHealth h = health.get(uuid);
        if (h == null) {
            throw new IllegalArgumentException("no GPU " + uuid + " on this node");
        }
        return h;
    }

    public synchronized List<GpuHealth> all() {
        return List.copyOf(health.values());
    }

    /** Records an error on one GPU; it becomes (or stays) Unhealthy and its quiet period starts again. */
    public void reportError(String uuid, String reason) {
        reportError(uuid, reason, false);
    }

    /**
     * Records an error on one GPU; with {@code needsReset} no quiet period makes it Healthy again (only a restart of
     * the agent, after the GPU was reset).
     */
    public void reportError(String uuid, String reason, boolean needsReset) {
        requireNonNull(reason, "reason");
        List<GpuHealth> changed;
        synchronized (this) {
            GpuHealth before = health.get(uuid);
            if (before == null) {
                LOG.warn("error reported for unknown GPU {}: {}", uuid, reason);
                return;
            }
            health.put(uuid, new GpuHealth(uuid, false, reason, clock.instant(), before.sticky() || needsReset));
            if (!before.healthy()) {
                return;
            }
            LOG.warn("GPU {} is now Unhealthy: {}", uuid, reason);
            changed = List.copyOf(health.values());
        }
        notifyListeners(changed);
    }

    /** Records an error that cannot be attributed to one GPU: every GPU is suspect. */
    public void reportErrorOnAll(String reason) {
        reportErrorOnAll(reason, false);
    }

    public void reportErrorOnAll(String reason, boolean needsReset) {
        List<String> uuids;
        synchronized (this) {
            uuids = new ArrayList<>(health.keySet());
        }
        for (String uuid : uuids) {
            reportError(uuid, reason, needsReset);
        }
    }

    /** Makes GPUs Healthy again whose last error is at least the recovery period old. */
    public void recoverQuietGpus() {
        if (recovery.isZero()) {
            return;
        }
        List<GpuHealth> changed = null;
        synchronized (this) {
            Instant now = clock.instant();
            for (GpuHealth h : health.values()) {
                if (!h.healthy() && !h.sticky() && !h.lastErrorAt().plus(recovery).isAfter(now)) {
                    health.put(h.uuid(), new GpuHealth(h.uuid(), true, h.reason(), h.lastErrorAt(), false));
                    LOG.info("GPU {} is Healthy again: no error for {} since '{}'", h.uuid(), recovery, h.reason());
                    changed = List.copyOf(health.values());
                }
            }
        }
        if (changed != null) {
            notifyListeners(changed);
        }
    }

    private void notifyListeners(List<GpuHealth> snapshot) {
        for (Consumer<Collection<GpuHealth>> l : listeners) {
            l.accept(snapshot);
        }
    }
}
