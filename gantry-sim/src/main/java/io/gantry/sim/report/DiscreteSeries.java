package io.gantry.sim.report;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * A metric bucketed by arrived GPU demand, as the FGD paper's analysis scripts do: column j (0..130) averages the
 * samples whose arrived demand, in % of capacity, rounds (half to even) to j; if there are none, those within
 * j ± 1; if still none, the column is empty (NaN).
 */
public record DiscreteSeries(double[] values) {

    /** Columns 0..130 (% of cluster GPU capacity arrived). */
    public static final int COLUMNS = 131;

    public DiscreteSeries {
        requireNonNull(values, "values");
        if (values.length != COLUMNS) {
            throw new IllegalArgumentException("expected " + COLUMNS + " columns, got " + values.length);
        }
        values = values.clone();
    }

    public double at(int column) {
        return values[column];
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiscreteSeries d && Arrays.equals(values, d.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }

    /** One sample per submitted pod: arrived and used GPU milli, fragmentation (milli) and idle GPU milli. */
    public record Samples(int totalGpus, long[] arrived, long[] used, double[] frag, long[] idle) {
        public Samples {
            requireNonNull(arrived, "arrived");
            requireNonNull(used, "used");
            requireNonNull(frag, "frag");
            requireNonNull(idle, "idle");
            if (totalGpus <= 0) {
                throw new IllegalArgumentException("the cluster has no GPUs");
            }
        }

        int size() {
            return arrived.length;
        }

        int bucket(int i) {
            return (int) Math.rint((double) arrived[i] / totalGpus / 10);
        }
    }

    /** GPU allocation ratio, % of capacity, each sample and each column rounded to 2 decimals. */
    public static DiscreteSeries allocation(Samples s) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = round2((double) s.used[i] / s.totalGpus / 10);
        }
        double[] means = bucketMeans(s, v);
        for (int j = 0; j < COLUMNS; j++) {
            means[j] = round2(means[j]);
        }
        return new DiscreteSeries(means);
    }

    /** Fragmented GPU milli in % of capacity, each column rounded to 2 decimals. */
    public static DiscreteSeries fragmentation(Samples s) {
        double[] means = bucketMeans(s, s.frag);
        for (int j = 0; j < COLUMNS; j++) {
            means[j] = round2(100 * means[j] / 1000 / s.totalGpus);
        }
        return new DiscreteSeries(means);
    }

    /**
     * Fragmented share of the idle GPU milli, %: each sample rounded to 2 decimals (as the paper's per-pod log
     * does), the column means not rounded.
     */
    public static DiscreteSeries fragmentationRatio(Samples s) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.idle[i] == 0 ? Double.NaN : round2(100 * s.frag[i] / s.idle[i]);
        }
        return new DiscreteSeries(bucketMeans(s, v));
    }

    private static double[] bucketMeans(Samples s, double[] v) {
        double[] sum = new double[COLUMNS];
        int[] count = new int[COLUMNS];
        for (int i = 0; i < v.length; i++) {
            int b = s.bucket(i);
            if (b >= 0 && b < COLUMNS && !Double.isNaN(v[i])) {
                sum[b] += v[i];
                count[b]++;
            }
        }
        double[] out = new double[COLUMNS];
        for (int j = 0; j < COLUMNS; j++) {
            if (count[j] > 0) {
                out[j] = sum[j] / count[j];
                continue;
            }
            double wide = 0;
            int n = 0;
            for (int i = 0; i < v.length; i++) {
                int b = s.bucket(i);
                if (b >= j - 1 && b <= j + 1 && !Double.isNaN(v[i])) {
                    wide += v[i];
                    n++;
                }
            }
            out[j] = n == 0 ? Double.NaN : wide / n;
        }
        return out;
    }

    /** Python's {@code round(x, 2)}: the exact binary value, half to even. */
    public static double round2(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return x;
        }
        return new BigDecimal(x).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
    }
}
