package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Status writes that go out only when what they say changed: each object's last written text is kept, a write of
 * the same text is dropped, and a write that fails is forgotten so the next offer writes again. Offers come from the
 * loop thread; writes run on one worker, in order.
 */
final class CoalescedWrites implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoalescedWrites.class);

    private final ExecutorService writer;
    private final Map<String, String> written = new ConcurrentHashMap<>();
    private long lastNanos = Long.MIN_VALUE;

    CoalescedWrites(ExecutorService writer) {
        this.writer = requireNonNull(writer, "writer");
    }

    /**
     * Whether a round of offers is due: a period has passed since the last and this instance leads. A follower
     * writes nothing and forgets what was written, so a new leader writes everything once.
     */
    boolean due(long now, boolean leader) {
        if (!leader) {
            written.clear();
            return false;
        }
        if (lastNanos != Long.MIN_VALUE && now - lastNanos < QueueStatusWriter.PERIOD_NANOS) {
            return false;
        }
        lastNanos = now;
        return true;
    }

    /** Writes unless {@code text} is what was last written for {@code key}; {@code write} runs on the worker. */
    void offer(String key, String text, Runnable write) {
        if (text.equals(written.get(key))) {
            return;
        }
        written.put(key, text);
        try {
            writer.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException ex) {
                    LOG.warn("could not write the status of {}: {}", key, ex.getMessage());
                    written.remove(key, text);
                }
            });
        } catch (RejectedExecutionException ex) {
            LOG.debug("shutting down; status of {} not written", key);
        }
    }

    /** Forgets the objects not in {@code keep} (deleted). */
    void retain(Set<String> keep) {
        written.keySet().retainAll(keep);
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
