package io.gantry.engine.queue;

/**
 * The queue's timings, in the caller's time unit: the backoff after the first failed attempt, its cap (the
 * backoff doubles with every failure), and the longest a pod stays unschedulable without a cluster change before
 * it is tried again.
 */
public record QueueConfig(long initialBackoff, long maxBackoff, long maxUnschedulableStay) {

    public QueueConfig {
        if (initialBackoff < 0 || maxBackoff < initialBackoff) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max, got initial "
                    + initialBackoff + ", max " + maxBackoff);
        }
        if (maxUnschedulableStay < 0) {
            throw new IllegalArgumentException("max unschedulable stay must not be negative, got "
                    + maxUnschedulableStay);
        }
    }

    /** kube-scheduler's defaults (1 s, 10 s, 5 min) in milliseconds. */
    public static QueueConfig kubeDefaultsMillis() {
        return new QueueConfig(1_000, 10_000, 300_000);
    }

    /** kube-scheduler's defaults (1 s, 10 s, 5 min) in nanoseconds. */
    public static QueueConfig kubeDefaultsNanos() {
        return new QueueConfig(1_000_000_000L, 10_000_000_000L, 300_000_000_000L);
    }

    /** The backoff after {@code attempts} failures: initial × 2^(attempts − 1), at most the maximum. */
    public long backoff(int attempts) {
        if (attempts <= 0) {
            return 0;
        }
        long d = initialBackoff;
        for (int i = 1; i < attempts && d < maxBackoff; i++) {
            d *= 2;
        }
        return Math.min(d, maxBackoff);
    }
}
