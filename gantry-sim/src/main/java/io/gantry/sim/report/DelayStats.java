package io.gantry.sim.report;

import java.util.Arrays;

/**
 * Queueing delays of one pod class: how many pods arrived, were placed, were given up (waited past the maximum
 * wait) or still waited when the simulation ended, and the delay percentiles of the placed ones. Percentiles are
 * nearest-rank: p is the smallest delay that at least p % of the placed pods did not exceed (sorted[⌈p/100 × n⌉ −
 * 1]); NaN when no pod was placed.
 */
public record DelayStats(PodClass podClass, int arrived, int placed, int givenUp, int waitingAtEnd, double meanSeconds,
        double p50Seconds, double p95Seconds, double p99Seconds, double maxSeconds) {

    public int neverPlaced() {
        return givenUp + waitingAtEnd;
    }

    /** From the delays (milliseconds) of the placed pods; {@code delays} is sorted in place. */
    public static DelayStats of(PodClass podClass, int arrived, long[] delays, int givenUp, int waitingAtEnd) {
        Arrays.sort(delays);
        int n = delays.length;
        if (n == 0) {
            return new DelayStats(podClass, arrived, 0, givenUp, waitingAtEnd, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (long d : delays) {
            sum += d;
        }
        return new DelayStats(podClass, arrived, n, givenUp, waitingAtEnd, sum / n / 1000.0,
                percentile(delays, 50) / 1000.0, percentile(delays, 95) / 1000.0, percentile(delays, 99) / 1000.0,
                delays[n - 1] / 1000.0);
    }

    /** Nearest rank on sorted values. */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
