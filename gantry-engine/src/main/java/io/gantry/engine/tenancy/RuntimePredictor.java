package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How long a pod will run, for backfill: the author's own figure when the pod carries one
 * ({@link TenancyKeys#EXPECTED_SECONDS}, from {@code gantry.io/expected-duration}), otherwise the mean run time of
 * the last {@value #WINDOW} pods of the same owner and queue that completed, once {@value #MIN_SAMPLES} have. A pod
 * with neither has no prediction: backfill treats it as running for ever, so it never delays a reservation.
 *
 * <p>It also keeps score over the completed pods that had a prediction when they started: the weighted absolute
 * percentage error (the sum of |predicted − ran| over the sum of run times, so that pods that ran a few seconds
 * do not swamp it as they do a plain mean of percentages) and the share predicted within 25 %.
 */
public final class RuntimePredictor {

    /** No prediction. */
    public static final long UNKNOWN = -1;
    static final int WINDOW = 16;
    static final int MIN_SAMPLES = 2;

    /** The last run times of one owner in one queue, in a ring. */
    private static final class History {
        final long[] ran = new long[WINDOW];
        int count;
        long sum;

        void add(long nanos) {
            int i = count % WINDOW;
            if (count >= WINDOW) {
                sum -= ran[i];
            }
            ran[i] = nanos;
            sum += nanos;
            count++;
        }

        long mean() {
            return sum / Math.min(count, WINDOW);
        }
    }

    /** How the predictions of completed pods compared with their run times. */
    public record Error(long predicted, long unpredicted, double weightedAbsolutePercentError,
            double within25Percent) {
        /** The error of no predictions at all. */
        public static final Error NONE = new Error(0, 0, Double.NaN, Double.NaN);
    }

    private final Map<String, History> histories = new HashMap<>();
    private long predicted;
    private long unpredicted;
    private double sumAbsOff;
    private double sumRan;
    private long within25;

    /** The predicted run time in nanoseconds, or {@link #UNKNOWN}. */
    public long predictNanos(PodRequest pod) {
        Long expected = pod.attributes().getOrNull(TenancyKeys.EXPECTED_SECONDS);
        if (expected != null) {
            return TimeUnit.SECONDS.toNanos(expected);
        }
        History h = histories.get(key(pod));
        return h == null || h.count < MIN_SAMPLES ? UNKNOWN : h.mean();
    }

    /**
     * A pod ran to completion in {@code ranNanos}; {@code predictedNanos} is what was predicted when it started
     * ({@link #UNKNOWN} if nothing was). Pods that were evicted or deleted are not completions: their run time says
     * nothing about the next one.
     */
    public void completed(PodRequest pod, long predictedNanos, long ranNanos) {
        requireNonNull(pod, "pod");
        if (ranNanos < 0) {
            throw new IllegalArgumentException("pod " + pod.name() + ": negative run time " + ranNanos);
        }
        histories.computeIfAbsent(key(pod), k -> new History()).add(ranNanos);
        if (predictedNanos == UNKNOWN) {
            unpredicted++;
            return;
        }
        double off = Math.abs((double) predictedNanos - ranNanos);
        predicted++;
        sumAbsOff += off;
        sumRan += ranNanos;
        if (off <= 0.25 * ranNanos) {
            within25++;
        }
    }

    public Error error() {
        if (predicted == 0) {
            return new Error(0, unpredicted, Double.NaN, Double.NaN);
        }
        return new Error(predicted, unpredicted, sumRan == 0 ? Double.NaN : 100 * sumAbsOff / sumRan,
                100.0 * within25 / predicted);
    }

    private static String key(PodRequest pod) {
        return TenancyKeys.ownerOf(pod) + '\u0000' + TenancyKeys.queueOf(pod);
    }
}
