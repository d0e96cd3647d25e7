package io.gantry.sim.report;

import io.gantry.sim.experiment.TimedRunResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reports of timed runs: text tables for stdout (one row per run, then queueing delays per pod class), and with
 * {@code --out} the time series ({@code timeseries.csv}), the delays ({@code delays.csv}) and everything but the
 * series as {@code timed_summary.json}.
 */
public final class TimedReport {

    private TimedReport() {
    }

    public static String text(List<TimedRunResult> runs) {
        TextTable summary = new TextTable("workload", "policy", "seed", "nodes", "GPUs", "pods", "placed", "given up",
                "waiting at end", "GPU-h asked", "GPU-h served", "served %", "alloc % arriving", "frag % arriving",
                "peak alloc %", "peak waiting", "simulated days", "wall s");
        TextTable delays = new TextTable("workload", "policy", "seed", "class", "arrived", "placed", "never placed",
                "p50 s", "p95 s", "p99 s", "max s");
        for (TimedRunResult r : runs) {
            summary.row(r.workload(), r.policy().cliName(), r.seed(), r.nodes(), r.totalGpus(), r.pods(), r.placed(),
                    r.givenUp(), r.waitingAtEnd(), f1(r.gpuHoursRequested()), f1(r.gpuHoursServed()),
                    f2(servedPercent(r)), f2(r.meanAllocationWhileArriving()), f2(r.meanFragmentationWhileArriving()),
                    f2(r.series().peakGpuAllocatedPercent()), r.series().peakWaiting(),
                    f2(r.simulatedMillis() / 86_400_000.0),
                    f2(r.wallNanos() / 1e9));
            for (DelayStats d : r.delays()) {
                delays.row(r.workload(), r.policy().cliName(), r.seed(), d.podClass().label(), d.arrived(), d.placed(),
                        d.neverPlaced(), f1(d.p50Seconds()), f1(d.p95Seconds()), f1(d.p99Seconds()), f1(d.maxSeconds()));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(summary);
        sb.append("alloc/frag % arriving: time averages from the first to the last arrival; GPU-h served counts"
                + " placed pods' run time (until the trace's end for pods that run to it)\n");
        sb.append("queueing delay (arrival to placement) of the placed pods, by class; never placed = given up + waiting at end\n");
        sb.append(delays);
        runs.stream().flatMap(r -> r.notModelled().stream()).distinct()
                .forEach(n -> sb.append("not modelled: ").append(n).append('\n'));
        return sb.toString();
    }

    public static double servedPercent(TimedRunResult r) {
        return r.gpuHoursRequested() == 0 ? Double.NaN : 100.0 * r.gpuHoursServed() / r.gpuHoursRequested();
    }

    public static void writeSeries(Path file, List<TimedRunResult> runs) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("workload,sc_policy,scoring,seed,time_s,gpu_alloc_pct,cpu_alloc_pct,frag_pct,frag_ratio_pct,"
                    + "pods_running,pods_waiting\n");
            for (TimedRunResult r : runs) {
                TimeSeries s = r.series();
                String prefix = r.workload() + "," + r.policy().paperName() + ","
                        + r.scoring().name().toLowerCase(Locale.ROOT) + "," + r.seed() + ",";
                for (int i = 0; i < s.size(); i++) {
                    w.write(prefix);
                    w.write(String.format(Locale.ROOT, "%.3f,%.4f,%.4f,%.4f,%.4f,%d,%d%n", s.timeMillis(i) / 1000.0,
                            s.gpuAllocatedPercent(i), s.cpuAllocatedPercent(i), s.fragmentationPercent(i),
                            s.fragmentationRatioPercent(i), s.running(i), s.waiting(i)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static void writeDelays(Path file, List<TimedRunResult> runs) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("workload,sc_policy,scoring,seed,class,arrived,placed,given_up,waiting_at_end,mean_s,p50_s,p95_s,"
                    + "p99_s,max_s\n");
            for (TimedRunResult r : runs) {
                for (DelayStats d : r.delays()) {
                    w.write(String.join(",", r.workload(), r.policy().paperName(),
                            r.scoring().name().toLowerCase(Locale.ROOT), String.valueOf(r.seed()), d.podClass().label(),
                            String.valueOf(d.arrived()), String.valueOf(d.placed()), String.valueOf(d.givenUp()),
                            String.valueOf(d.waitingAtEnd()), csv(d.meanSeconds()), csv(d.p50Seconds()),
                            csv(d.p95Seconds()), csv(d.p99Seconds()), csv(d.maxSeconds())));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static void writeJson(Path file, List<TimedRunResult> runs) {
        ObjectMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        ArrayNode root = mapper.createArrayNode();
        for (TimedRunResult r : runs) {
            ObjectNode o = root.addObject();
            o.put("workload", r.workload());
            o.put("policy", r.policy().paperName());
            o.put("scoring", r.scoring().name().toLowerCase(Locale.ROOT));
            o.put("seed", r.seed());
            o.put("nodes", r.nodes());
            o.put("gpus", r.totalGpus());
            o.put("pods", r.pods());
            o.put("placed", r.placed());
            o.put("givenUp", r.givenUp());
            o.put("waitingAtEnd", r.waitingAtEnd());
            o.put("gpuHoursRequested", r.gpuHoursRequested());
            o.put("gpuHoursServed", r.gpuHoursServed());
            putNumber(o, "meanGpuAllocationPercentWhileArriving", r.meanAllocationWhileArriving());
            putNumber(o, "meanFragmentationPercentWhileArriving", r.meanFragmentationWhileArriving());
            putNumber(o, "peakGpuAllocationPercent", r.series().peakGpuAllocatedPercent());
            o.put("peakWaiting", r.series().peakWaiting());
            o.put("simulatedSeconds", r.simulatedMillis() / 1000.0);
            o.put("schedulingAttempts", r.attempts());
            o.put("retriesAnsweredFromMemo", r.skippedAttempts());
            o.put("wallSeconds", r.wallNanos() / 1e9);
            ArrayNode classes = o.putArray("delays");
            for (DelayStats d : r.delays()) {
                ObjectNode c = classes.addObject();
                c.put("class", d.podClass().label());
                c.put("arrived", d.arrived());
                c.put("placed", d.placed());
                c.put("givenUp", d.givenUp());
                c.put("waitingAtEnd", d.waitingAtEnd());
                putNumber(c, "meanSeconds", d.meanSeconds());
                putNumber(c, "p50Seconds", d.p50Seconds());
                putNumber(c, "p95Seconds", d.p95Seconds());
                putNumber(c, "p99Seconds", d.p99Seconds());
                putNumber(c, "maxSeconds", d.maxSeconds());
            }
            ArrayNode nm = o.putArray("notModelled");
            r.notModelled().forEach(nm::add);
        }
        try {
            mapper.writeValue(file.toFile(), root);
        } catch (JacksonIOException e) {
            // Jackson 3 wraps the I/O failure unchecked; report the file system's own words, as before.
            throw new UncheckedIOException("cannot write " + file + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    static String csv(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String f1(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
