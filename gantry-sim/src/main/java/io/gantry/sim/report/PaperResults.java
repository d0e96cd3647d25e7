package io.gantry.sim.report;

import io.gantry.sim.trace.CsvTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reference rows in the paper's discrete layout ({@code workload,sc_policy,tune,seed,[total_gpus,]0..130}), e.g.
 * the FGD paper's {@code analysis_allo_discrete.csv}, for comparing Gantry's runs with them.
 */
public final class PaperResults {

    private final Map<String, double[]> rows;

    private PaperResults(Map<String, double[]> rows) {
        this.rows = rows;
    }

    public static PaperResults read(Path file) {
        Map<String, double[]> rows = new HashMap<>();
        List<String> required = new ArrayList<>(List.of("workload", "sc_policy", "seed"));
        for (int j = 0; j < DiscreteSeries.COLUMNS; j++) {
            required.add(Integer.toString(j));
        }
        CsvTable.read(file, required, row -> {
            double[] v = new double[DiscreteSeries.COLUMNS];
            for (int j = 0; j < v.length; j++) {
                String raw = row.text(Integer.toString(j));
                try {
                    v[j] = raw.isEmpty() ? Double.NaN : Double.parseDouble(raw);
                } catch (NumberFormatException e) {
                    throw row.error(Integer.toString(j), raw, "not a number");
                }
            }
            rows.put(key(row.text("workload"), row.text("sc_policy"), row.nonNegativeLong("seed")), v);
        });
        return new PaperResults(rows);
    }

    /** The row for a trace (e.g. {@code openb_pod_list_default}), policy (e.g. {@code 06-FGD}) and seed. */
    public double[] row(String workload, String policy, long seed) {
        double[] v = rows.get(key(workload, policy, seed));
        return v == null ? null : v.clone();
    }

    /** Mean over the given seeds of one column; empty if any seed is missing. */
    public OptionalDouble mean(String workload, String policy, List<Long> seeds, int column) {
        double sum = 0;
        for (long seed : seeds) {
            double[] v = rows.get(key(workload, policy, seed));
            if (v == null || Double.isNaN(v[column])) {
                return OptionalDouble.empty();
            }
            sum += v[column];
        }
        return seeds.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(sum / seeds.size());
    }

    private static String key(String workload, String policy, long seed) {
        return workload + "\u0000" + policy + "\u0000" + seed;
    }
}
