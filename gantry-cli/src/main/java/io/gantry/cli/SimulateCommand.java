package io.gantry.cli;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.tenancy.Tenancy;
import io.gantry.sim.experiment.ExperimentRunner;
import io.gantry.sim.experiment.RunResult;
import io.gantry.sim.report.CsvReports;
import io.gantry.sim.report.DiscreteSeries;
import io.gantry.sim.report.PaperResults;
import io.gantry.sim.report.PolicySummary;
import io.gantry.sim.report.SummaryJson;
import io.gantry.sim.report.TextTable;
import io.gantry.sim.trace.openb.OpenbTraceReader;
import io.gantry.sim.workload.OpenbWorkloadBuilder;
import io.gantry.sim.workload.ReplayWorkload;
import io.gantry.sim.workload.SyntheticOpenb;
import io.gantry.sim.workload.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gantry simulate}: replay a GPU cluster trace through the engine and compare policies. */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Replays pods through Gantry's scheduling engine and compares policies, following the FGD paper's "
                + "protocol (USENIX ATC '23): pods are shuffled with the seed, the GPU demand is tuned to "
                + "--tune times the cluster's GPU capacity, pods arrive one at a time and never leave, a pod that "
                + "fits nowhere is dropped, and the GPU allocation is sampled after every pod.",
            "",
            "With --mode time it replays the trace in simulated time instead: pods arrive at their creation time, "
                + "wait in the scheduling queue until they fit, run for their traced duration and leave; it reports "
                + "queueing delays per pod class, pods never placed, GPU-hours asked and served, and allocation and "
                + "fragmentation over time (openb pod lists with times, or --trace-format dlrm).",
            "",
            "With --mode tenants it replays in simulated time under admission policies side by side (fifo, quota, "
                + "gantry, backfill): queues with guaranteed quotas, borrowing and reclaim, fair share, gangs and priority "
                + "preemption; it reports per queue GPUs held against the fair-share entitlement, waits, "
                + "preemptions, and the invariants (quota violations, partial gangs, priority inversions). With no "
                + "--pods it runs a built-in saturated multi-tenant workload.",
            "",
            "With no --nodes/--pods it runs all policies on a built-in synthetic cluster and workload shaped like "
                + "the Alibaba openb trace (1213 nodes; CPU-only, shared, 1-, 2-, 4- and 8-GPU pods in openb's "
                + "proportions).",
            "",
            "Runs go in parallel on all cores; progress goes to stderr, the comparison table to stdout."},
        footer = {"", "Examples:",
            "  gantry simulate",
            "  gantry simulate --nodes openb_node_list_gpu_node.csv --pods openb_pod_list_default.csv --policy fgd,bestfit --seeds 42-51 --out results",
            "  gantry simulate --nodes openb_node_list_gpu_node.csv --pods openb_pod_list_default.csv --replay openb-replay/openb_pod_list_default/seed-42 --paper paper_analysis_allo_discrete.csv",
            "  gantry simulate --mode time --nodes openb_node_list_gpu_node.csv --pods openb_pod_list_default.csv --load 0.9 --max-wait 1h",
            "  gantry simulate --mode time --trace-format dlrm --pods disaggregated_DLRM_trace.csv --out results",
            "  gantry simulate --mode tenants --out results",
            "  gantry simulate --mode tenants --nodes nodes.csv --pods pods.csv --queues queues.yaml --admission quota,gantry"})
final class SimulateCommand implements Callable<Integer> {

    private static final String SYNTHETIC = "synthetic-openb";
    private static final int SYNTHETIC_PODS = 8000;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "FILE",
            description = "Node list, openb format: sn,cpu_milli,memory_mib,gpu,model.")
    private Path nodes;

    @Option(names = "--pods", paramLabel = "FILE", split = ",",
            description = "Pod list(s), openb format: name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,... "
                    + "Repeat or separate with commas to run several traces.")
    private List<Path> pods = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "P", split = ",", completionCandidates = PolicyNames.class,
            description = "Policies: ${COMPLETION-CANDIDATES} (default: all of them).")
    private List<String> policies = new ArrayList<>();

    @Option(names = "--seeds", paramLabel = "SEEDS", converter = SeedRange.class,
            description = "Seeds, e.g. 42-51 or 1,5,9 (default: 42-51 with --pods, 42 for the built-in workload).")
    private List<Long> seeds;

    @Option(names = "--tune", paramLabel = "RATIO", defaultValue = "1.3",
            description = "Tune the total GPU demand to RATIO x cluster GPU capacity, up or down (default: ${DEFAULT-VALUE}; 0 keeps the trace as is).")
    private double tune;

    @Option(names = "--scoring", paramLabel = "MODE", defaultValue = "paper",
            description = "paper: integer scores 0-100, truncated, ties to a seeded random node order, as the paper's "
                    + "simulator (needed for comparable numbers); exact: full-precision scores, ties (rarer) to the "
                    + "same seeded order; both are deterministic for a seed (default: ${DEFAULT-VALUE}).")
    private String scoring;

    @Option(names = "--scale", paramLabel = "K", defaultValue = "1",
            description = "Replicate the node list K times; the tuning target grows with it (default: ${DEFAULT-VALUE}).")
    private int scale;

    @Option(names = "--replay", paramLabel = "DIR",
            description = "Replay the arrival order and node tie-break order exported from the paper's simulator: "
                    + "a folder with arrivals.csv and node_order.csv (named seed-<S>), or a folder of such folders. "
                    + "Needs exactly one --pods; takes no --seeds, --tune or --scale.")
    private List<Path> replay = new ArrayList<>();

    @Option(names = "--paper", paramLabel = "FILE",
            description = "Reference results in the paper's alloc layout (e.g. paper_analysis_allo_discrete.csv): "
                    + "adds the paper's seed means (or, with --replay, the largest difference over all 131 columns).")
    private Path paper;

    @Option(names = "--max-deviation", paramLabel = "PP",
            description = "With --paper: exit 1 if a seed mean at 130 %% differs from the paper's by more than PP "
                    + "points (twice that for random), or, with --replay, if any column of a deterministic policy does.")
    private Double maxDeviation;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write alloc.csv, frag.csv, frag_ratio.csv (the paper's discrete layout) and summary.json here.")
    private Path out;

    @Option(names = "--threads", paramLabel = "N", description = "Parallel runs (default: all cores).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--quiet", description = "No progress on stderr.")
    private boolean quiet;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "paper",
            description = "paper: the FGD paper's protocol (above); time: replay the trace in simulated time: pods "
                    + "arrive at their creation time, wait in the scheduling queue until they fit (retried when "
                    + "something completes, with kube-scheduler's 1 s..10 s backoff), run for their traced duration "
                    + "and leave; tenants: time mode under admission policies (--admission, --queues) side by side, "
                    + "placement by --policy (default fgd) (default: ${DEFAULT-VALUE}).")
    private String simulationMode;

    @Option(names = "--trace-format", paramLabel = "FORMAT", defaultValue = "openb",
            description = "Time mode: openb (pod lists with creation_time/deletion_time; needs --nodes) or dlrm "
                    + "(Alibaba's DLRM inference trace; --nodes optional, else a built-in cluster sized from the "
                    + "trace) (default: ${DEFAULT-VALUE}).")
    private String traceFormat;

    @Option(names = "--load", paramLabel = "L",
            description = "Time mode: compress (or stretch) inter-arrival times so the offered GPU load "
                    + "(GPU time asked / (GPU capacity x arrival span)) is L, e.g. 0.9; durations unchanged.")
    private Double load;

    @Option(names = "--max-wait", paramLabel = "DURATION",
            description = "Time mode: give a pod up after waiting this long, e.g. 30m, 6h, 2d (default: never).")
    private String maxWait;

    @Option(names = "--sample-interval", paramLabel = "DURATION", defaultValue = "events",
            description = "Time mode: simulated time between samples of the allocation/fragmentation series, e.g. "
                    + "10m, or 'events' for one sample after every moment with events (default: ${DEFAULT-VALUE}).")
    private String sampleInterval;

    @Option(names = "--queues", paramLabel = "FILE",
            description = "Tenants mode: the queues, as Queue objects (scheduling.gantry.io/v1alpha1) in YAML, the same"
                    + " file a cluster is given (default: the built-in workload's queues, or one default queue).")
    private Path queuesFile;

    @Option(names = "--eviction-grace", paramLabel = "DURATION", defaultValue = "30s",
            description = "Tenants mode: how long an evicted pod keeps running before it is gone (its"
                    + " terminationGracePeriodSeconds); its preemptor waits for it, e.g. 0s, 30s, 2m"
                    + " (default: ${DEFAULT-VALUE}, Kubernetes' default).")
    private String evictionGrace;

    @Option(names = "--admission", paramLabel = "A", split = ",",
            description = "Tenants mode: admission policies to compare on the same arrivals: fifo (one queue, no"
                    + " quotas), quota (fixed quotas, no borrowing), gantry (borrowing, reclaim, fair share), backfill"
                    + " (gantry with reservations for gangs and multi-GPU pods, backfilled by pods predicted to end"
                    + " first); gangs are all or nothing in each (default: all four).")
    private List<String> admissions = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outWriter = spec.commandLine().getOut();
        ScoringMode mode = parseScoring();
        List<Policy> chosen = policies.isEmpty() ? Arrays.asList(Policy.values())
                : policies.stream().map(this::parsePolicy).distinct().toList();
        String m = simulationMode.trim().toLowerCase(Locale.ROOT);
        if (!m.equals("tenants")) {
            for (String tenantsOnly : List.of("--queues", "--admission", "--eviction-grace")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(tenantsOnly)) {
                    throw usage(tenantsOnly + " belongs to --mode tenants");
                }
            }
        }
        if (m.equals("time")) {
            return new TimedSimulation(this, spec.commandLine(), err, outWriter).run(chosen, mode, List.of());
        }
        if (m.equals("tenants")) {
            List<Policy> placement = policies.isEmpty() ? List.of(Policy.FGD) : chosen;
            List<Tenancy.Mode> compared = admissions.isEmpty() ? Arrays.asList(Tenancy.Mode.values())
                    : admissions.stream().map(this::parseAdmission).distinct().toList();
            return new TimedSimulation(this, spec.commandLine(), err, outWriter).run(placement, mode, compared);
        }
        if (!m.equals("paper")) {
            throw usage("--mode must be paper, time or tenants, got '" + simulationMode + "'");
        }
        CommandLine.ParseResult parsedOptions = spec.commandLine().getParseResult();
        for (String timeOnly : List.of("--trace-format", "--load", "--max-wait", "--sample-interval")) {
            if (parsedOptions.hasMatchedOption(timeOnly)) {
                throw usage(timeOnly + " belongs to --mode time; the paper protocol has no clock");
            }
        }
        if (scale < 1) {
            throw usage("--scale must be >= 1, got " + scale);
        }
        if (!(tune >= 0) || Double.isInfinite(tune)) {
            throw usage("--tune must be a non-negative number, got " + tune);
        }
        if (maxDeviation != null && paper == null) {
            throw usage("--max-deviation needs --paper FILE");
        }
        if (seeds != null) {
            seeds = new ArrayList<>(new java.util.LinkedHashSet<>(seeds)); // --seeds given twice lists a seed once
        }
        if (out != null) {
            prepareOut(); // before any run: a bad --out must not cost a finished matrix
        }
        List<ExperimentRunner.Job> jobs = jobs(chosen, mode);
        PaperResults reference = paper == null ? null : PaperResults.read(paper);

        long start = System.nanoTime();
        List<RunResult> results = ExperimentRunner.run(jobs, threads, (done, total, r) -> {
            if (!quiet) {
                synchronized (err) {
                    err.printf(Locale.ROOT, "[%d/%d] %s %s seed %d %s: final allocation %.2f%%, %d of %d pods failed, %.2f s%n",
                            done, total, r.workload(), r.policy().paperName(), r.seed(),
                            r.scoring().name().toLowerCase(Locale.ROOT),
                            100.0 * r.finalUsedGpuMilli() / (r.totalGpus() * 1000.0), r.failedPods(), r.pods(),
                            r.wallNanos() / 1e9);
                    err.flush();
                }
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;

        boolean withinTolerance = replay.isEmpty() ? printMeans(outWriter, results, reference)
                : printReplay(outWriter, results, reference);
        outWriter.printf(Locale.ROOT, "%d runs in %.1f s%n", results.size(), seconds);
        outWriter.flush();
        if (out != null) {
            writeReports(results);
            outWriter.println("wrote " + out.resolve("alloc.csv") + ", frag.csv, frag_ratio.csv, summary.json");
        }
        outWriter.flush();
        if (!withinTolerance) {
            err.println("gantry: results differ from " + paper + " by more than " + maxDeviation + " points");
            return 1;
        }
        return 0;
    }

    private List<ExperimentRunner.Job> jobs(List<Policy> chosen, ScoringMode mode) {
        List<ExperimentRunner.Job> jobs = new ArrayList<>();
        if (nodes == null && pods.isEmpty()) {
            if (!replay.isEmpty()) {
                throw usage("--replay needs --nodes and --pods");
            }
            List<NodeSpec> cluster = SyntheticOpenb.nodes();
            List<PodRequest> podList = SyntheticOpenb.pods(SYNTHETIC_PODS, 1);
            for (long seed : seeds == null ? List.of(42L) : seeds) {
                for (Policy p : chosen) {
                    jobs.add(new ExperimentRunner.Job(
                            () -> OpenbWorkloadBuilder.build(SYNTHETIC, cluster, podList, seed, tune, scale), p, mode,
                            seed, tune, scale));
                }
            }
            return jobs;
        }
        if (nodes == null || pods.isEmpty()) {
            throw usage("give both --nodes FILE and --pods FILE, or neither for the built-in workload");
        }
        List<NodeSpec> cluster = OpenbTraceReader.readNodes(nodes);
        if (cluster.stream().allMatch(n -> n.gpuCount() == 0)) {
            throw usage("--nodes " + nodes + ": no node has a GPU; GPU allocation cannot be measured on it");
        }
        if (scale > 1) {
            try {
                OpenbWorkloadBuilder.scaled(cluster, scale); // fails now, naming the clash, rather than in a worker
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        java.util.Set<String> traceNames = new java.util.HashSet<>();
        for (Path file : pods) {
            if (!traceNames.add(traceName(file))) {
                throw usage("--pods: two files are named " + file.getFileName()
                        + "; results are labelled by file name, so give each trace a distinct name");
            }
        }
        if (!replay.isEmpty()) {
            if (pods.size() != 1) {
                throw usage("--replay needs exactly one --pods file, the trace it was exported for");
            }
            if (scale != 1) {
                throw usage("--replay cannot be combined with --scale");
            }
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            if (parsed.hasMatchedOption("--seeds") || parsed.hasMatchedOption("--tune")) {
                throw usage("--replay takes the seed from the folder name and the arrivals as recorded; "
                        + "drop --seeds and --tune");
            }
            List<PodRequest> podList = OpenbTraceReader.readPods(pods.get(0));
            String name = traceName(pods.get(0));
            for (Path dir : replayFolders()) {
                long seed = seedOf(dir);
                Workload workload = ReplayWorkload.load(name, dir, cluster, podList);
                for (Policy p : chosen) {
                    jobs.add(new ExperimentRunner.Job(() -> workload, p, mode, seed, tune, 1));
                }
            }
            return jobs;
        }
        for (Path file : pods) {
            List<PodRequest> podList = OpenbTraceReader.readPods(file);
            String name = traceName(file);
            for (long seed : seeds == null ? range(42, 51) : seeds) {
                for (Policy p : chosen) {
                    jobs.add(new ExperimentRunner.Job(
                            () -> OpenbWorkloadBuilder.build(name, cluster, podList, seed, tune, scale), p, mode, seed,
                            tune, scale));
                }
            }
        }
        return jobs;
    }

    private boolean printMeans(PrintWriter w, List<RunResult> results, PaperResults reference) {
        boolean ok = true;
        TextTable table = reference == null
                ? new TextTable("workload", "policy", "scoring", "seeds", "alloc@100", "alloc@130", "frag@130", "failed pods")
                : new TextTable("workload", "policy", "scoring", "seeds", "alloc@100", "alloc@130", "frag@130",
                        "failed pods", "paper@100", "paper@130", "diff@130");
        for (PolicySummary s : PolicySummary.of(results)) {
            List<Object> cells = new ArrayList<>(List.of(s.workload(), s.policy().cliName(),
                    s.scoring().name().toLowerCase(Locale.ROOT), s.seeds().size(), fmt(s.allocationAt100()),
                    fmt(s.allocationAt130()), fmt(s.fragmentationAt130()), String.format(Locale.ROOT, "%.1f", s.failedPods())));
            if (reference != null) {
                OptionalDouble p100 = reference.mean(s.workload(), s.policy().paperName(), s.seeds(), 100);
                OptionalDouble p130 = reference.mean(s.workload(), s.policy().paperName(), s.seeds(), 130);
                double diff = p130.isPresent() ? s.allocationAt130() - p130.getAsDouble() : Double.NaN;
                cells.add(p100.isPresent() ? fmt(p100.getAsDouble()) : "-");
                cells.add(p130.isPresent() ? fmt(p130.getAsDouble()) : "-");
                cells.add(Double.isNaN(diff) ? "-" : String.format(Locale.ROOT, "%+.2f", diff));
                if (maxDeviation != null) {
                    double limit = s.policy() == Policy.RANDOM ? 2 * maxDeviation : maxDeviation;
                    if (Double.isNaN(diff) || Math.abs(diff) > limit) {
                        ok = false;
                    }
                }
            }
            table.row(cells.toArray());
        }
        w.print(table);
        return ok;
    }

    private boolean printReplay(PrintWriter w, List<RunResult> results, PaperResults reference) {
        boolean ok = true;
        TextTable table = reference == null
                ? new TextTable("workload", "policy", "seed", "alloc@100", "alloc@130", "failed pods")
                : new TextTable("workload", "policy", "seed", "alloc@100", "alloc@130", "failed pods",
                        "paper@130", "max |diff| over 131 columns");
        for (RunResult r : results) {
            List<Object> cells = new ArrayList<>(List.of(r.workload(), r.policy().cliName(), r.seed(),
                    fmt(r.allocation().at(100)), fmt(r.allocation().at(130)), r.failedPods()));
            if (reference != null) {
                double[] row = reference.row(r.workload(), r.policy().paperName(), r.seed());
                double maxDiff = row == null ? Double.NaN : maxDiff(r.allocation(), row);
                cells.add(row == null ? "-" : fmt(row[130]));
                cells.add(Double.isNaN(maxDiff) ? "-" : String.format(Locale.ROOT, "%.2f", maxDiff));
                if (maxDeviation != null && r.policy() != Policy.RANDOM
                        && (Double.isNaN(maxDiff) || maxDiff > maxDeviation + 1e-9)) {
                    ok = false;
                }
            }
            table.row(cells.toArray());
        }
        w.print(table);
        return ok;
    }

    static double maxDiff(DiscreteSeries series, double[] reference) {
        double max = 0;
        for (int j = 0; j < DiscreteSeries.COLUMNS; j++) {
            double a = series.at(j);
            double b = reference[j];
            if (Double.isNaN(a) != Double.isNaN(b)) {
                return Double.POSITIVE_INFINITY;
            }
            if (!Double.isNaN(a)) {
                max = Math.max(max, Math.abs(a - b));
            }
        }
        return max;
    }

    private void prepareOut() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw usage("--out " + out + " is a file; give a folder (it is created if missing)");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw usage("--out " + out + ": cannot create the folder (" + e.getMessage() + ")");
        }
        if (!Files.isWritable(out)) {
            throw usage("--out " + out + ": the folder is not writable");
        }
    }

    private void writeReports(List<RunResult> results) {
        CsvReports.writeAllocation(out.resolve("alloc.csv"), results);
        CsvReports.writeFragmentation(out.resolve("frag.csv"), results);
        CsvReports.writeFragmentationRatio(out.resolve("frag_ratio.csv"), results);
        SummaryJson.write(out.resolve("summary.json"), results);
    }

    private List<Path> replayFolders() {
        List<Path> dirs = new ArrayList<>();
        for (Path dir : replay) {
            if (Files.isRegularFile(dir.resolve("arrivals.csv"))) {
                dirs.add(dir);
                continue;
            }
            if (!Files.isDirectory(dir)) {
                throw usage("--replay " + dir + ": no such folder");
            }
            try (Stream<Path> children = Files.list(dir)) {
                List<Path> seedsDirs = children.filter(p -> Files.isRegularFile(p.resolve("arrivals.csv")))
                        .sorted().toList();
                if (seedsDirs.isEmpty()) {
                    throw usage("--replay " + dir + ": neither arrivals.csv nor seed-<S> folders with one");
                }
                dirs.addAll(seedsDirs);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return dirs;
    }

    private long seedOf(Path dir) {
        String name = dir.getFileName().toString();
        if (name.startsWith("seed-")) {
            try {
                return Long.parseLong(name.substring(5));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw usage("--replay " + dir + ": the folder must be named seed-<S> (the seed its arrivals were made with)");
    }

    static String traceName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    }

    private ScoringMode parseScoring() {
        try {
            return ScoringMode.valueOf(scoring.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw usage("--scoring must be paper or exact, got '" + scoring + "'");
        }
    }

    private Tenancy.Mode parseAdmission(String name) {
        return Tenancy.Mode.byLabel(name.trim().toLowerCase(Locale.ROOT)).orElseThrow(() -> usage(
                "--admission: unknown policy '" + name + "'; use fifo, quota, gantry or backfill"));
    }

    private Policy parsePolicy(String name) {
        try {
            return Policy.parse(name);
        } catch (IllegalArgumentException e) {
            throw usage("--policy: " + e.getMessage());
        }
    }

    // ---- what time mode reads -----------------------------------------------------------------------------

    Path nodesFile() {
        return nodes;
    }

    Path queuesFile() {
        return queuesFile;
    }

    List<Path> podFiles() {
        return pods;
    }

    List<Long> seedsOrNull() {
        return seeds;
    }

    String traceFormat() {
        return traceFormat;
    }

    Double load() {
        return load;
    }

    String maxWait() {
        return maxWait;
    }

    String evictionGrace() {
        return evictionGrace;
    }

    String sampleInterval() {
        return sampleInterval;
    }

    Path outDir() {
        return out;
    }

    int threads() {
        return threads;
    }

    boolean quiet() {
        return quiet;
    }

    void prepareOutDir() {
        prepareOut();
    }

    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
