package io.gantry.sim.report;

import io.gantry.sim.experiment.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The paper's discrete result files: {@code workload,sc_policy,tune,seed,total_gpus,0,1,...,130}, one row per run,
 * numbers written as Python writes them, empty for an empty column.
 */
public final class CsvReports {

    private CsvReports() {
    }

    public static void writeAllocation(Path file, List<RunResult> runs) {
        write(file, runs, RunResult::allocation, true);
    }

    public static void writeFragmentation(Path file, List<RunResult> runs) {
        write(file, runs, RunResult::fragmentation, true);
    }

    public static void writeFragmentationRatio(Path file, List<RunResult> runs) {
        write(file, runs, RunResult::fragmentationRatio, false);
    }

    public static String header() {
        StringBuilder sb = new StringBuilder("workload,sc_policy,tune,seed,total_gpus");
        for (int j = 0; j < DiscreteSeries.COLUMNS; j++) {
            sb.append(',').append(j);
        }
        return sb.toString();
    }

    public static String row(RunResult run, DiscreteSeries series, boolean rounded) {
        StringBuilder sb = new StringBuilder();
        sb.append(run.workload()).append(',').append(run.policy().paperName()).append(',')
                .append(formatNumber(run.tune())).append(',').append(run.seed()).append(',').append(run.totalGpus());
        for (int j = 0; j < DiscreteSeries.COLUMNS; j++) {
            sb.append(',');
            double v = series.at(j);
            if (!Double.isNaN(v)) {
                sb.append(rounded ? formatRounded(v) : formatNumber(v));
            }
        }
        return sb.toString();
    }

    private static void write(Path file, List<RunResult> runs, Function<RunResult, DiscreteSeries> series,
            boolean rounded) {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write(header());
            w.write('\n');
            for (RunResult run : runs) {
                w.write(row(run, series.apply(run), rounded));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A value already rounded to 2 decimals, as Python's repr prints it: 87.26, 2.0, 0.25. */
    static String formatRounded(double v) {
        String s = BigDecimal.valueOf(v).setScale(2, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros()
                .toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    /** Any double as Python's {@code repr} prints it: 1.3, 2.0, 0.0001, 5e-05, 1e+16. */
    static String formatNumber(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal digits = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = digits.precision() - digits.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String unscaled = digits.unscaledValue().abs().toString();
            String mantissa = unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
            return (v < 0 ? "-" : "") + mantissa + (exponent < 0 ? "e-" : "e+")
                    + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exponent));
        }
        String plain = digits.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
