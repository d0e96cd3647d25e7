package io.gantry.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what a long-running command opened, in order (what was added first with {@link #addFirst} closes first),
 * once, whoever asks first: the shutdown hook or the command itself. Callers wait at most the limit, because
 * Kubernetes kills a pod that outstays its grace period anyway.
 */
final class ShutdownCloser {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownCloser.class);

    private record Entry(String what, AutoCloseable resource) {
    }

    private final Duration limit;
    private final List<Entry> resources = new ArrayList<>();
    private Thread closing;

    ShutdownCloser(Duration limit) {
        this.limit = limit;
    }

    /** Adds a resource to close last; null is ignored. */
    void add(String what, AutoCloseable resource) {
        add(what, resource, Integer.MAX_VALUE);
    }

    /** Adds a resource to close first; null is ignored. */
    void addFirst(String what, AutoCloseable resource) {
        add(what, resource, 0);
    }

    private void add(String what, AutoCloseable resource, int position) {
        if (resource == null) {
            return;
        }
        synchronized (this) {
            if (closing == null) {
                resources.add(Math.min(position, resources.size()), new Entry(what, resource));
                return;
            }
        }
        // Stopping began (a signal during start): close what arrives late at once.
        closeNow(List.of(new Entry(what, resource)));
    }

    void close() {
        Thread t;
        synchronized (this) {
            if (closing == null) {
                List<Entry> all = List.copyOf(resources);
                closing = new Thread(() -> closeNow(all), "gantry-close");
                closing.setDaemon(true);
                closing.start();
            }
            t = closing;
        }
        try {
            t.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("stopping takes longer than {} s (API server unreachable?); exiting without waiting",
                    limit.toSeconds());
        }
    }

    private static void closeNow(List<Entry> all) {
        if (!all.isEmpty()) {
            LOG.info("stopping");
        }
        for (Entry e : all) {
            try {
                e.resource().close();
            } catch (Exception ex) {
                LOG.warn("error while closing {}: {}", e.what(), ex.toString());
            }
        }
        if (!all.isEmpty()) {
            LOG.info("stopped");
        }
    }
}
