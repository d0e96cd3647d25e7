package io.gantry.cli;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.queue.QueueConfig;
import io.gantry.sim.experiment.TimedReplay;
import io.gantry.sim.experiment.TimedRunResult;
import io.gantry.sim.experiment.TimedRunner;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.QueueTree;
import io.gantry.engine.tenancy.Tenancy;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.sim.report.TenantReports;
import io.gantry.sim.report.TimedReport;
import io.gantry.sim.tenancy.QueuesFile;
import io.gantry.sim.tenancy.TenantAssignment;
import io.gantry.sim.workload.SyntheticTenants;
import io.gantry.sim.trace.openb.OpenbTraceReader;
import io.gantry.sim.trace.TimedTrace;
import io.gantry.sim.trace.TraceReader;
import io.gantry.sim.workload.DlrmCluster;
import io.gantry.sim.workload.LoadCompression;
import io.gantry.sim.workload.TimedWorkload;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** {@code gantry simulate --mode time}: reads the traces, builds the clusters, runs the timed replays, reports. */
final class TimedSimulation {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");

    private final SimulateCommand options;
    private final CommandLine commandLine;
    private final PrintWriter err;
    private final PrintWriter out;

    TimedSimulation(SimulateCommand options, CommandLine commandLine, PrintWriter err, PrintWriter out) {
        this.options = options;
        this.commandLine = commandLine;
        this.err = err;
        this.out = out;
    }

    /**
     * @param admissions the admission policies to compare side by side ({@code --mode tenants}), or empty for a
     *     plain timed replay
     */
    int run(List<Policy> policies, ScoringMode scoring, List<Tenancy.Mode> admissions) {
        boolean tenants = !admissions.isEmpty();
        CommandLine.ParseResult parsed = commandLine.getParseResult();
        for (String paperOnly : List.of("--tune", "--scale", "--replay", "--paper", "--max-deviation")) {
            if (parsed.hasMatchedOption(paperOnly)) {
                throw options.usage(paperOnly + " belongs to --mode paper; time mode replays the trace as it is"
                        + " (raise its load with --load)");
            }
        }
        if (options.threads() < 1) {
            throw options.usage("--threads must be >= 1, got " + options.threads());
        }
        TraceReader reader;
        try {
            reader = TraceReader.forFormat(options.traceFormat());
        } catch (IllegalArgumentException e) {
            throw options.usage("--trace-format: " + e.getMessage());
        }
        long sampleMillis = options.sampleInterval().trim().equalsIgnoreCase("events") ? TimedReplay.AT_EVENTS
                : durationMillis("--sample-interval", options.sampleInterval());
        long maxWaitMillis = options.maxWait() == null ? TimedReplay.NO_MAX_WAIT
                : durationMillis("--max-wait", options.maxWait());
        Double load = options.load();
        if (load != null && (!(load > 0) || load.isInfinite())) {
            throw options.usage("--load must be a positive number such as 0.9, got " + load);
        }
        boolean builtIn = tenants && options.podFiles().isEmpty();
        if (options.podFiles().isEmpty() && !tenants) {
            throw options.usage("--mode time needs --pods FILE (the trace to replay)");
        }
        if (builtIn && load != null) {
            throw options.usage("--load needs --pods: the built-in multi-tenant workload is saturated as it is");
        }
        if (builtIn && options.nodesFile() != null) {
            throw options.usage("--nodes needs --pods: the built-in multi-tenant workload brings its own cluster");
        }
        boolean dlrm = reader.format().equals("dlrm");
        if (options.nodesFile() == null && !dlrm && !builtIn) {
            throw options.usage("--mode " + (tenants ? "tenants" : "time")
                    + " with --trace-format openb needs --nodes FILE");
        }
        List<QueueSpec> queues = List.of();
        if (options.queuesFile() != null) {
            QueuesFile.Contents read = QueuesFile.read(options.queuesFile());
            queues = read.queues();
            out.printf(Locale.ROOT, "%s: %d queue(s)%s%n", options.queuesFile(), queues.size(),
                    read.otherKinds().isEmpty() ? "" : "; not read (not Queue objects): " + read.otherKinds());
        } else if (builtIn) {
            queues = SyntheticTenants.queues();
        }
        if (options.outDir() != null) {
            options.prepareOutDir();
        }
        List<NodeSpec> given = options.nodesFile() == null ? null : OpenbTraceReader.readNodes(options.nodesFile());
        List<Long> seeds = options.seedsOrNull() == null ? List.of(42L) : options.seedsOrNull();
        List<TimedRunner.Job> jobs = new ArrayList<>();
        TimedReplay.Options replayOptions = new TimedReplay.Options(QueueConfig.kubeDefaultsMillis(), maxWaitMillis,
                sampleMillis);
        List<TimedReplay> replays = new ArrayList<>();
        long graceMillis = durationMillis("--eviction-grace", options.evictionGrace(), true);
        for (Tenancy.Mode mode : admissions) {
            replays.add(new TimedReplay(replayOptions.withAdmission(mode, queues).withEvictionGrace(graceMillis)));
        }
        if (builtIn) {
            List<NodeSpec> nodes = SyntheticTenants.nodes();
            out.printf(Locale.ROOT, "built-in multi-tenant workload: %d nodes x %d GPUs, %d queues, %.0f simulated"
                    + " days per seed%n", nodes.size(), SyntheticTenants.GPUS_PER_NODE, queues.size(),
                    SyntheticTenants.SPAN_MILLIS / 86_400_000.0);
            for (long seed : seeds) {
                TimedTrace trace = SyntheticTenants.trace(seed);
                checkQueues(trace, queues, "the built-in workload");
                for (Policy p : policies) {
                    for (TimedReplay replay : replays) {
                        jobs.add(new TimedRunner.Job(() -> TimedWorkload.of(trace, nodes, seed), p, scoring, seed,
                                replay));
                    }
                }
            }
        }
        for (Path file : options.podFiles()) {
            TimedTrace trace = reader.read(file);
            if (tenants) {
                TenantAssignment.Result assigned = TenantAssignment.apply(trace, queues);
                assigned.applied().forEach(line -> out.println(file.getFileName() + ": " + line));
                trace = assigned.trace();
                checkQueues(trace, queues, file.toString());
            }
            List<NodeSpec> nodes;
            if (dlrm) {
                nodes = given == null ? DlrmCluster.sizedFor(trace) : DlrmCluster.labelled(given);
                if (given == null) {
                    long cn = nodes.stream().filter(n -> n.gpuCount() == 0).count();
                    out.printf(Locale.ROOT, "%s: built-in cluster sized from the trace's peak concurrent demand"
                            + " +%.0f %%: %d CPU nodes (%d vCPU, %d GiB), %d GPU nodes (%d GPUs, %d vCPU, %d GiB)%n",
                            trace.name(), (DlrmCluster.HEADROOM - 1) * 100, cn, DlrmCluster.CPU_NODE.cpuMilli() / 1000,
                            DlrmCluster.CPU_NODE.memoryMib() / 1024, nodes.size() - cn, DlrmCluster.GPU_NODE.gpuCount(),
                            DlrmCluster.GPU_NODE.cpuMilli() / 1000, DlrmCluster.GPU_NODE.memoryMib() / 1024);
                }
            } else {
                nodes = given;
            }
            long capacity = nodes.stream().mapToLong(n -> (long) n.gpuCount() * NodeSpec.MILLI_PER_GPU).sum();
            if (load != null) {
                LoadCompression.Result r;
                try {
                    r = LoadCompression.toTarget(trace, capacity, load);
                } catch (IllegalArgumentException e) {
                    throw options.usage("--load: " + e.getMessage());
                }
                out.printf(Locale.ROOT, "%s: offered GPU load %.4f -> %.4f (inter-arrival times x %.5f)%n",
                        trace.name(), r.loadBefore(), r.loadAfter(), r.factor());
                trace = r.trace();
            }
            TimedTrace finalTrace = trace;
            for (long seed : seeds) {
                for (Policy p : policies) {
                    if (!tenants) {
                        jobs.add(new TimedRunner.Job(() -> TimedWorkload.of(finalTrace, nodes, seed), p, scoring,
                                seed));
                    }
                    for (TimedReplay replay : replays) {
                        jobs.add(new TimedRunner.Job(() -> TimedWorkload.of(finalTrace, nodes, seed), p, scoring,
                                seed, replay));
                    }
                }
            }
        }
        out.flush();
        TimedReplay replay = new TimedReplay(replayOptions);
        long start = System.nanoTime();
        List<TimedRunResult> results = TimedRunner.run(replay, jobs, options.threads(), (done, total, r) -> {
            if (!options.quiet()) {
                synchronized (err) {
                    err.printf(Locale.ROOT, "[%d/%d] %s %s%s seed %d: %d of %d pods placed, %.2f s%n", done, total,
                            r.workload(), r.policy().paperName(),
                            r.tenants() == null ? "" : " admission " + r.tenants().admission(), r.seed(), r.placed(),
                            r.pods(), r.wallNanos() / 1e9);
                    err.flush();
                }
            }
        });
        out.print(TimedReport.text(results));
        if (tenants) {
            out.print(TenantReports.text(results));
        }
        out.printf(Locale.ROOT, "%d runs in %.1f s%n", results.size(), (System.nanoTime() - start) / 1e9);
        if (options.outDir() != null) {
            Path dir = options.outDir();
            TimedReport.writeSeries(dir.resolve("timeseries.csv"), results);
            TimedReport.writeDelays(dir.resolve("delays.csv"), results);
            TimedReport.writeJson(dir.resolve("timed_summary.json"), results);
            out.println("wrote " + dir.resolve("timeseries.csv") + ", delays.csv, timed_summary.json");
            if (tenants) {
                TenantReports.writeQueuesCsv(dir.resolve("queues.csv"), results);
                TenantReports.writeSummaryJson(dir.resolve("summary.json"), results);
                out.println("wrote " + dir.resolve("queues.csv") + ", summary.json");
            }
        }
        out.flush();
        return 0;
    }

    /** Every queue a pod names must exist and be a leaf: found before any run, not as pods that never run. */
    private void checkQueues(TimedTrace trace, List<QueueSpec> queues, String source) {
        QueueTree tree = QueueTree.of(queues);
        java.util.Set<String> bad = new java.util.TreeSet<>();
        for (var p : trace.pods()) {
            int q = tree.indexOf(TenancyKeys.queueOf(p.pod()));
            if (q < 0 || !tree.isLeaf(q)) {
                bad.add(TenancyKeys.queueOf(p.pod()));
            }
        }
        if (!bad.isEmpty()) {
            throw options.usage(source + ": pods name queue(s) " + String.join(", ", bad) + " that "
                    + (options.queuesFile() == null ? "no --queues file declares" : options.queuesFile()
                            + " does not declare as leaf queues")
                    + "; declare them (Queue objects) or fix the pods' queue column");
        }
    }

    /** A duration such as 90s, 30m, 6h, 2d or 500ms; a bare number is seconds. Must be positive. */
    long durationMillis(String flag, String text) {
        return durationMillis(flag, text, false);
    }

    long durationMillis(String flag, String text, boolean zeroAllowed) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw options.usage(flag + " must be a duration such as 90s, 30m, 6h or 2d"
                    + (flag.equals("--sample-interval") ? ", or events" : "") + ", got '" + text + "'");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = v * switch (unit) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        if (zeroAllowed && millis == 0) {
            return 0;
        }
        if (millis < 1 || millis > 1e15) {
            throw options.usage(flag + " must be at least 1 ms and at most about 30,000 years, got '" + text + "'");
        }
        return Math.round(millis);
    }
}
