package io.gantry.loadtest;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gantry.engine.Policy;
import io.gantry.kube.GantryScheduler;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.loadtest.Workload.NodeShape;
import io.gantry.loadtest.Workload.PodShape;
import io.gantry.sim.report.TextTable;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** {@code gantry bench scheduler}: a burst of GPU pods through the real scheduler and a standalone API server. */
@Command(name = "scheduler", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Starts a standalone Kubernetes API server in its own JVM on 127.0.0.1 (indexed storage: no request "
                + "costs more with more objects stored) with fake GPU nodes (8x V100M32, 8x A100 and 4x T4 in a "
                + "4:3:3 mix; 96 cores, 512 GiB each), starts Gantry's scheduler in this JVM against it (leader "
                + "election off) and has the API server create a burst of GPU pods as fast as it can (or at "
                + "--rate): about 60 %% whole-GPU pods (1, 2 or 4 GPUs) and 40 %% shares of one GPU (100-900 "
                + "thousandths), about 80 %% of the cluster's GPUs in all, so every pod fits.",
            "",
            "Measures pods bound per second (first creation to last bind, both on the API server's clock), the "
                + "time from each pod's creation to its bind (p50, p99, max), the engine's decision time, and the "
                + "CPU time each process used per bound pod: this JVM (the scheduler: informers, scheduling loop, "
                + "binding workers, events, its HTTP client, GC and JIT) and the API server's. Then checks from "
                + "the API server's state that every pod was bound exactly once, with the GPUs it asked for, and "
                + "that no GPU, CPU or memory of a node is over-committed: prints check: OK, or the failures and "
                + "exits with code 1.",
            "",
            "Both processes share this machine's cores, so on a small machine the scheduler competes with the "
                + "API server for CPU; the CPU time per pod is the figure that does not depend on that."},
        footer = {"", "Examples:",
            "  gantry bench scheduler",
            "  gantry bench scheduler --nodes 5000 --pods 10000 --json bench.json",
            "  gantry bench scheduler --server-jvm-options='-Xmx4g -XX:StartFlightRecording=filename=api.jfr'"})
final class SchedulerLoadTest implements Callable<Integer> {

    static final String NAMESPACE = "gantry-bench";
    /** Refuse workloads asking more than this share of the cluster's GPUs: they might not all fit. */
    private static final double MAX_GPU_DEMAND = 0.9;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String QUIET_SCHEDULER_LOOP =
            "org.slf4j.simpleLogger.log.io.gantry.kube.scheduling.SchedulerLoop";
    private static final String QUIET_NETTY_REJECTED =
            "org.slf4j.simpleLogger.log.io.netty.util.concurrent.DefaultPromise.rejectedExecution";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "1000",
            description = "Fake GPU nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--pods", paramLabel = "M", defaultValue = "5000",
            description = "GPU pods created in one burst (default: ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--policy", paramLabel = "P", defaultValue = "fgd",
            description = "random, dotprod, gpuclustering, gpupacking, bestfit, fgd (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of the pod mix (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "0",
            description = "First schedule W other pods (same mix, another seed) and wait for them, so that the "
                    + "measured burst runs on warm JIT-compiled code; they stay bound and count in the checks "
                    + "(default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--rate", paramLabel = "PODS_PER_SECOND", defaultValue = "0",
            description = "Create the pods at this rate instead of all at once (default: 0, all at once).")
    double rate;

    @Option(names = "--server-event-loops", paramLabel = "K", defaultValue = "2",
            description = "Event loops of the API server (default: ${DEFAULT-VALUE}).")
    int serverEventLoops;

    @Option(names = "--server-jvm-options", paramLabel = "OPTIONS", defaultValue = "-Xmx2g",
            description = "JVM options of the API server process, split at spaces (default: ${DEFAULT-VALUE}).")
    String serverJvmOptions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Give up when not every pod is bound this long after the first creation "
                    + "(default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--tenancy", description = "Run the same burst with multi-tenancy active: Queue objects whose "
            + "guarantees sum to the cluster's GPUs (borrowing allowed), every pod in one of --queues team queues, "
            + "--gang-share of them in gangs (PodGroups, minMember --gang-size), priorities, and before the warm-up "
            + "a low-priority borrower queue 'batch' filling the cluster with whole-node pods so that about "
            + "--reclaim-share of the burst's GPUs must be reclaimed from it by preemption (Eviction API).")
    boolean tenancy;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "4",
            description = "With --tenancy: team queues the pods are spread over (default: ${DEFAULT-VALUE}).")
    int queues;

    @Option(names = "--gang-share", paramLabel = "F", defaultValue = "0.2",
            description = "With --tenancy: share of the pods that are gang members (default: ${DEFAULT-VALUE}).")
    double gangShare;

    @Option(names = "--gang-size", paramLabel = "G", defaultValue = "4",
            description = "With --tenancy: members per gang, its PodGroup's minMember (default: ${DEFAULT-VALUE}).")
    int gangSize;

    @Option(names = "--reclaim-share", paramLabel = "F", defaultValue = "0.05",
            description = "With --tenancy: share of the warm-up's and burst's GPUs the borrower leaves no free room "
                    + "for, so that they are reclaimed by preemption (default: ${DEFAULT-VALUE}; 0: no more than "
                    + "fragmentation forces).")
    double reclaimShare;

    @Option(names = "--no-borrower", description = "With --tenancy: no borrower pods, so nothing is preempted "
            + "unless fragmentation forces it: queues and gangs alone.")
    boolean noBorrower;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON here.")
    Path json;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Policy chosen = validate();
        List<NodeShape> nodeList = Workload.nodeShapes(nodes);
        List<PodShape> podList = Workload.podShapes(pods, seed);
        List<PodShape> warmupList = Workload.podShapes("warmup", warmup, seed + 1);
        long gpuCapacity = nodeList.stream().mapToLong(n -> n.gpus() * 1000L).sum();
        long gpuDemand = podList.stream().mapToLong(PodShape::gpuMilliTotal).sum()
                + warmupList.stream().mapToLong(PodShape::gpuMilliTotal).sum();
        if (gpuDemand > MAX_GPU_DEMAND * gpuCapacity) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                    "--pods %d (and --warmup) ask %.1f GPUs, %.0f %% of the %d GPUs of --nodes %d; keep it under "
                            + "%.0f %% so that every pod fits (more --nodes or fewer --pods)", pods, gpuDemand / 1000.0,
                    100.0 * gpuDemand / gpuCapacity, gpuCapacity / 1000, nodes, 100 * MAX_GPU_DEMAND));
        }
        TenancyWorkload plan = null;
        if (tenancy) {
            try {
                plan = TenancyWorkload.plan(nodeList, warmupList, podList, queues, gangShare, gangSize,
                        reclaimShare, !noBorrower);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        Progress progress = new Progress(err, quiet);
        long wholePods = podList.stream().filter(p -> p.milli() == 1000).count();
        String header = String.format(Locale.ROOT,
                "gantry bench scheduler: %d nodes (%d GPUs), %d pods (%d whole-GPU, %d shares; %.1f %% of the "
                        + "GPUs), policy %s, seed %d, %s%s, %d cores, API server in its own JVM%s",
                nodes, gpuCapacity / 1000, pods, wholePods, pods - wholePods, 100.0 * gpuDemand / gpuCapacity,
                chosen.cliName(), seed, rate > 0 ? String.format(Locale.ROOT, "%.0f pods/s", rate) : "one burst",
                warmup > 0 ? ", after " + warmup + " warm-up pods" : "",
                Runtime.getRuntime().availableProcessors(), plan == null ? "" : tenancyHeader(plan, podList));
        progress.say("%s", header);
        // The scheduler writes its Scheduled events on background threads; at the end the events still queued fail
        // one warning each as the client closes, and Netty reports connections that close after their event loop.
        // Both are quieted unless asked for; bind failures still show in the attempts counted.
        for (String logger : List.of(QUIET_SCHEDULER_LOOP, QUIET_NETTY_REJECTED)) {
            if (System.getProperty(logger) == null) {
                System.setProperty(logger, logger.equals(QUIET_NETTY_REJECTED) ? "off" : "error");
            }
        }
        Result result;
        long t = System.nanoTime();
        try (ApiServerProcess server = ApiServerProcess.start(jvmOptions(), serverEventLoops,
                Duration.ofSeconds(60))) {
            progress.say("API server started (pid %d, %s) in %.1f s", server.pid(), server.url(),
                    seconds(System.nanoTime() - t));
            result = run(server, chosen, nodeList, warmupList, podList, plan, progress);
        }
        result.header = header;
        out.println(header);
        out.print(result.table());
        if (result.problems.isEmpty()) {
            out.println("check: OK (every pod bound exactly once with the GPUs it asked for; no GPU, CPU or "
                    + "memory over-committed; no bind conflicts" + (plan == null ? ")"
                    : "; only the borrower's pods evicted; no queue over its limit; no gang bound in part)"));
        } else {
            out.println("check: FAILED");
            result.problems.stream().limit(20).forEach(p -> out.println("  " + p));
            if (result.problems.size() > 20) {
                out.println("  ... and " + (result.problems.size() - 20) + " more");
            }
        }
        out.flush();
        if (json != null) {
            writeJson(result, gpuCapacity, gpuDemand, chosen);
            out.println("wrote " + json);
            out.flush();
        }
        return result.problems.isEmpty() ? 0 : 1;
    }

    private String tenancyHeader(TenancyWorkload plan, List<PodShape> podList) {
        long borrowed = plan.fillers().stream().mapToLong(PodShape::gpuMilliTotal).sum() / 1000;
        return String.format(Locale.ROOT, "; tenancy: %d team queues + borrower '%s' (guarantees summing to the "
                        + "cluster's GPUs), %d of the pods in gangs of %d, priorities %d/%d, %d borrower pods of "
                        + "priority %d holding %d GPUs first (reclaim share %.2f)", queues, TenancyWorkload.BORROWER,
                plan.gangMembers(podList), gangSize, TenancyWorkload.TEAM_PRIORITY,
                TenancyWorkload.TEAM_HIGH_PRIORITY, plan.fillers().size(), TenancyWorkload.BATCH_PRIORITY, borrowed,
                reclaimShare);
    }

    private List<String> jvmOptions() {
        return Arrays.stream(serverJvmOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private Policy validate() {
        Policy chosen;
        try {
            chosen = Policy.parse(policy);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--policy: unknown policy '" + policy
                    + "'; expected one of random, dotprod, gpuclustering, gpupacking, bestfit, fgd");
        }
        if (nodes < 1 || pods < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes and --pods must be >= 1");
        }
        if (warmup < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be >= 0");
        }
        if (rate < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be >= 0 (0: one burst)");
        }
        if (serverEventLoops < 1 || serverEventLoops > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server-event-loops must be 1..64, got "
                    + serverEventLoops);
        }
        if (!tenancy) {
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            for (String option : List.of("--queues", "--gang-share", "--gang-size", "--reclaim-share",
                    "--no-borrower")) {
                if (parsed != null && parsed.hasMatchedOption(option)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), option + " only applies with "
                            + "--tenancy; add --tenancy to run the burst with queues, gangs and preemption");
                }
            }
        }
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be >= 1 second");
        }
        return chosen;
    }

    static KubernetesClient client(String url) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace(NAMESPACE)
                .withRequestTimeout(60_000).withConnectionTimeout(30_000).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private Result run(ApiServerProcess server, Policy chosen, List<NodeShape> nodeList, List<PodShape> warmupList,
            List<PodShape> podList, TenancyWorkload plan, Progress progress) throws Exception {
        Result r = new Result();
        r.pods = podList.size();
        LoadTestApi api = new LoadTestApi(server.url());
        KubernetesSerialization serialization = new KubernetesSerialization();
        GantryScheduler scheduler = null;
        KubernetesClient schedulerClient = client(server.url());
        KubernetesClient checker = client(server.url());
        try {
            long t = System.nanoTime();
            api.post("/loadtest/v1/objects", items(serialization, nodeList.stream()
                    .map(n -> (Object) Workload.node(n)).toList()));
            progress.say("created %d nodes in %.1f s", nodeList.size(), seconds(System.nanoTime() - t));
            List<PodShape> fillers = plan == null ? List.of() : plan.fillers();
            if (plan != null) {
                // Queues and every PodGroup exist before the scheduler starts, so that its first lists hold them and
                // the burst does not rebuild the engine or re-read pending pods for new objects.
                List<Object> objects = new ArrayList<>(plan.queueObjects());
                objects.addAll(plan.podGroupObjects(NAMESPACE));
                api.post("/loadtest/v1/objects", items(serialization, objects));
                progress.say("created %d queues and %d pod groups", plan.queues().size(), plan.gangs().size());
            }

            SchedulerConfig defaults = SchedulerConfig.defaults();
            SchedulerConfig.LeaderElection le = defaults.leaderElection();
            SchedulerConfig config = defaults.withServerPort(0).withPolicy(chosen)
                    .withLeaderElection(new SchedulerConfig.LeaderElection(false, le.leaseName(),
                            le.leaseNamespace(), le.leaseDuration(), le.renewDeadline(), le.retryPeriod()));
            t = System.nanoTime();
            GantryScheduler started = GantryScheduler.start(schedulerClient, config,
                    new GantryScheduler.Options(false, "gantry-bench", "default", () -> { }));
            scheduler = started;
            waitFor(() -> started.loop().isSynced(), TimeUnit.SECONDS.toNanos(120));
            progress.say("scheduler started (policy %s, %d binding workers) in %.1f s; creating %d pods",
                    chosen.cliName(), config.bindingWorkers(), seconds(System.nanoTime() - t), podList.size());
            java.util.function.Function<PodShape, Object> podOf = plan == null
                    ? p -> Workload.pod(NAMESPACE, config.schedulerName(), p)
                    : p -> plan.pod(NAMESPACE, config.schedulerName(), p);
            if (!fillers.isEmpty()) {
                t = System.nanoTime();
                api.post("/loadtest/v1/burst", items(serialization, fillers.stream().map(podOf).toList()));
                awaitBound(api, fillers.size(), t + TimeUnit.SECONDS.toNanos(timeoutSeconds), r, "the borrower's pods");
                if (!r.problems.isEmpty()) {
                    return r;
                }
                progress.say("borrower: %d pods bound in %.1f s", fillers.size(), seconds(System.nanoTime() - t));
            }
            if (!warmupList.isEmpty()) {
                t = System.nanoTime();
                api.post("/loadtest/v1/burst", items(serialization, warmupList.stream().map(podOf).toList()));
                awaitBound(api, fillers.size() + warmupList.size(), t + TimeUnit.SECONDS.toNanos(timeoutSeconds), r,
                        "the warm-up");
                if (!r.problems.isEmpty()) {
                    return r;
                }
                progress.say("warm-up: %d pods bound in %.1f s", warmupList.size(), seconds(System.nanoTime() - t));
            }
            String body = items(serialization, podList.stream().map(podOf).toList());
            int before = fillers.size() + warmupList.size();
            int expected = before + podList.size();
            int evictionsBefore = api.get("/loadtest/v1/progress").path("evictions").asInt();

            Map<String, Long> requestsBefore = new HashMap<>();
            api.get("/loadtest/v1/report").path("requests").properties()
                    .forEach(e -> requestsBefore.put(e.getKey(), e.getValue().asLong()));
            Map<Long, Map.Entry<String, Long>> threadsBefore = ThreadCpu.snapshot();
            long schedulerCpu0 = ThreadCpu.processNanos();
            long serverCpu0 = server.cpuNanos();
            long start = System.nanoTime();
            api.post("/loadtest/v1/burst" + (rate > 0 ? "?perSecond=" + rate : ""), body);

            long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            long lastProgress = System.nanoTime();
            int lastBound = -1;
            long lastBindChange = System.nanoTime();
            JsonNode p;
            while (true) {
                p = api.get("/loadtest/v1/progress");
                long now = System.nanoTime();
                int bound = p.path("bound").asInt();
                boolean created = p.path("burstDone").asBoolean();
                if (bound != lastBound) {
                    lastBound = bound;
                    lastBindChange = now;
                }
                if (created && bound >= p.path("created").asInt() && bound >= expected) {
                    break;
                }
                if (p.has("burstError")) {
                    r.problems.add("the API server failed to create pods: " + p.path("burstError").asString());
                    break;
                }
                if (now > deadline) {
                    r.problems.add(String.format(Locale.ROOT, "timed out after %d s with %d of %d pods bound",
                            timeoutSeconds, bound, expected));
                    break;
                }
                if (created && now - lastBindChange > STALL_NANOS) {
                    r.problems.add(String.format(Locale.ROOT, "no pod bound for %d s; %d of %d pods bound",
                            TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS), bound, expected));
                    break;
                }
                if (now - lastProgress > TimeUnit.SECONDS.toNanos(5)) {
                    lastProgress = now;
                    progress.say("%.0f s: %d pods created, %d bound", seconds(now - start),
                            p.path("created").asInt() - before, bound - before);
                }
                Thread.sleep(20);
            }
            r.schedulerCpuNanos = ThreadCpu.processNanos() - schedulerCpu0;
            r.serverCpuNanos = server.cpuNanos() - serverCpu0;
            r.threadCpuNanos = ThreadCpu.between(threadsBefore, ThreadCpu.snapshot());
            r.observedWallNanos = System.nanoTime() - start;
            // The scheduler writes its Scheduled events off the loop, so some are still queued at the last bind:
            // their cost is part of scheduling the burst, so it is also measured until they are all posted.
            long eventsBefore = requestsBefore.getOrDefault("POST events", 0L);
            long eventsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < eventsDeadline
                    && api.get("/loadtest/v1/progress").path("eventsPosted").asLong() - eventsBefore < podList.size()) {
                Thread.sleep(20);
            }
            r.eventsPosted = api.get("/loadtest/v1/progress").path("eventsPosted").asLong() - eventsBefore;
            r.schedulerCpuWithEventsNanos = ThreadCpu.processNanos() - schedulerCpu0;
            r.serverCpuWithEventsNanos = server.cpuNanos() - serverCpu0;
            scheduler.loop().awaitBinds(Duration.ofSeconds(30));

            // ---- measurements, from the API server's own record ----
            JsonNode report = api.get("/loadtest/v1/report");
            Map<String, Integer> binds = new HashMap<>();
            java.util.Set<String> measured = new java.util.HashSet<>();
            java.util.Set<String> evicted = new java.util.TreeSet<>();
            podList.forEach(pd -> measured.add(pd.name()));
            long[] latencies = new long[podList.size()];
            long[] boundAt = new long[podList.size()];
            int n = 0;
            long firstCreated = Long.MAX_VALUE;
            long lastBoundAt = Long.MIN_VALUE;
            var fields = report.path("pods").properties().iterator();
            while (fields.hasNext()) {
                var e = fields.next();
                String name = e.getKey().substring(e.getKey().indexOf('/') + 1);
                JsonNode rec = e.getValue();
                binds.put(name, rec.get(1).asInt());
                if (rec.path(5).asBoolean()) {
                    evicted.add(name);
                }
                if (!measured.contains(name)) {
                    continue; // a warm-up pod: checked below, not measured
                }
                firstCreated = Math.min(firstCreated, rec.get(3).asLong());
                long latency = rec.get(0).asLong();
                if (latency >= 0 && n < latencies.length) {
                    boundAt[n] = rec.get(4).asLong();
                    latencies[n++] = latency;
                    lastBoundAt = Math.max(lastBoundAt, rec.get(4).asLong());
                }
            }
            r.bound = n;
            r.wallNanos = lastBoundAt == Long.MIN_VALUE ? 0 : lastBoundAt - firstCreated;
            boundAt = Arrays.copyOf(boundAt, n);
            Arrays.sort(boundAt);
            // A burst's last pods can wait on preemption (victims evicted, then the preemptor's turn) and on
            // backoff: the time until 90 % were bound shows the rate before that tail.
            int at90 = (int) Math.ceil(0.9 * podList.size());
            r.wall90Nanos = n >= at90 && at90 > 0 ? boundAt[at90 - 1] - firstCreated : 0;
            latencies = Arrays.copyOf(latencies, n);
            Arrays.sort(latencies);
            r.latencyNanos = latencies;
            // requests during the measured burst only (the setup's and the warm-up's left out)
            report.path("requests").properties().forEach(e -> r.requests.put(e.getKey(),
                    e.getValue().asLong() - requestsBefore.getOrDefault(e.getKey(), 0L)));
            SchedulerMetrics metrics = scheduler.metrics();
            for (SchedulerMetrics.Result kind : SchedulerMetrics.Result.values()) {
                r.attempts.put(kind.name().toLowerCase(Locale.ROOT), (long) metrics.attempts(kind));
            }
            Timer decision = metrics.registry().find("gantry.scheduling.decision").timer();
            if (decision != null) {
                HistogramSnapshot s = decision.takeSnapshot();
                r.decisions = s.count();
                r.decisionMeanNanos = s.mean(TimeUnit.NANOSECONDS);
                r.decisionP99UpperNanos = percentileUpperBound(s.histogramCounts(), s.count(), 0.99);
            }

            // ---- checks, on the API server's final state ----
            List<Pod> listed = checker.pods().inNamespace(NAMESPACE).list().getItems();
            List<PodShape> all = new ArrayList<>(fillers);
            all.addAll(warmupList);
            all.addAll(podList);
            r.problems.addAll(PlacementCheck.check(nodeList, all, binds, report.path("conflicts").asInt(), listed,
                    evicted));
            r.evictions = report.path("evictions").asInt();
            r.evictionsInBurst = r.evictions - evictionsBefore;
            r.tenancy = plan != null;
            if (plan != null) {
                java.util.Set<String> fillerNames = new java.util.HashSet<>();
                fillers.forEach(f -> fillerNames.add(f.name()));
                evicted.stream().filter(e -> !fillerNames.contains(e)).limit(20).forEach(e -> r.problems.add(
                        e + " was evicted, but only the borrower's pods may be (no queue preempts inside itself)"));
                r.problems.addAll(PlacementCheck.checkTenancy(plan, all, listed));
            }
            r.gpusUsed = PlacementCheck.gpusUsed(listed);
            r.scheduledEvents = checker.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                    .filter(e -> "Scheduled".equals(e.getReason()) && e.getInvolvedObject() != null
                            && measured.contains(e.getInvolvedObject().getName())).count();
        } finally {
            if (scheduler != null) {
                scheduler.close();
            }
            schedulerClient.close();
            checker.close();
        }
        return r;
    }

    /** Waits until the API server has created its burst and bound this many pods in all; else a problem. */
    private static void awaitBound(LoadTestApi api, int count, long deadline, Result r, String phase)
            throws Exception {
        while (true) {
            JsonNode p = api.get("/loadtest/v1/progress");
            if (p.has("burstError")) {
                r.problems.add("the API server failed to create pods: " + p.path("burstError").asString());
                return;
            }
            if (p.path("burstDone").asBoolean() && p.path("bound").asInt() >= count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                r.problems.add(phase + " timed out with " + p.path("bound").asInt() + " of " + count
                        + " pods bound");
                return;
            }
            Thread.sleep(20);
        }
    }

    private static String items(KubernetesSerialization serialization, List<Object> objects) {
        StringBuilder b = new StringBuilder("{\"items\":[");
        for (int i = 0; i < objects.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(serialization.asJson(objects.get(i)));
        }
        return b.append("]}").toString();
    }

    /** The load test's own endpoints of the API server, over the JDK's HTTP client. */
    private static final class LoadTestApi {
        private final String url;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final ObjectMapper json = new ObjectMapper();

        LoadTestApi(String url) {
            this.url = url;
        }

        JsonNode get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60)).GET()
                    .build());
        }

        JsonNode post(String path, String body) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build());
        }

        private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IOException(request.method() + " " + request.uri().getPath() + " answered HTTP "
                        + response.statusCode() + ": " + response.body());
            }
            return json.readTree(response.body());
        }
    }

    /** The upper bound of the histogram bucket holding the quantile, in nanoseconds; NaN without data. */
    static double percentileUpperBound(CountAtBucket[] buckets, long total, double q) {
        if (total == 0 || buckets.length == 0) {
            return Double.NaN;
        }
        boolean cumulative = true;
        for (int i = 1; i < buckets.length; i++) {
            if (buckets[i].count() < buckets[i - 1].count()) {
                cumulative = false;
                break;
            }
        }
        double need = q * total;
        double seen = 0;
        for (CountAtBucket b : buckets) {
            seen = cumulative ? b.count() : seen + b.count();
            if (seen >= need) {
                return b.bucket(TimeUnit.NANOSECONDS);
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private void writeJson(Result r, long gpuCapacity, long gpuDemand, Policy chosen) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("nodes", nodes);
        doc.put("gpus", gpuCapacity / 1000);
        doc.put("pods", pods);
        doc.put("gpu_demand", gpuDemand / 1000.0);
        doc.put("policy", chosen.cliName());
        doc.put("seed", seed);
        doc.put("rate", rate);
        doc.put("warmup_pods", warmup);
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("pods_bound", r.bound);
        doc.put("pods_per_second", r.throughput());
        doc.put("wall_seconds", seconds(r.wallNanos));
        doc.put("wall_to_90_percent_seconds", seconds(r.wall90Nanos));
        doc.put("pods_per_second_to_90_percent", r.throughput90());
        doc.put("create_to_bind_p50_ms", r.latencyMillis(0.50));
        doc.put("create_to_bind_p99_ms", r.latencyMillis(0.99));
        doc.put("create_to_bind_max_ms", r.latencyMillis(1.0));
        doc.put("scheduler_cpu_ms", r.schedulerCpuNanos / 1e6);
        doc.put("scheduler_cpu_us_per_pod", r.cpuPerPodMicros(r.schedulerCpuNanos));
        doc.put("api_server_cpu_ms", r.serverCpuNanos / 1e6);
        doc.put("api_server_cpu_us_per_pod", r.cpuPerPodMicros(r.serverCpuNanos));
        doc.put("events_posted", r.eventsPosted);
        doc.put("scheduler_cpu_us_per_pod_with_events", r.cpuPerPodMicros(r.schedulerCpuWithEventsNanos));
        doc.put("api_server_cpu_us_per_pod_with_events", r.cpuPerPodMicros(r.serverCpuWithEventsNanos));
        Map<String, Double> threads = new LinkedHashMap<>();
        r.topThreads(Integer.MAX_VALUE).forEach(e -> threads.put(e.getKey(), e.getValue() / 1e6));
        doc.put("scheduler_cpu_ms_by_thread", threads);
        doc.put("scheduler_cpu_ms_gc_jit", r.jvmInternalNanos() / 1e6);
        doc.put("decisions", r.decisions);
        doc.put("decision_mean_us", r.decisionMeanNanos / 1000);
        doc.put("decision_p99_upper_bound_us", r.decisionP99UpperNanos / 1000);
        doc.put("attempts", r.attempts);
        doc.put("api_requests", r.requests);
        doc.put("scheduled_events_written", r.scheduledEvents);
        doc.put("tenancy", tenancy);
        if (tenancy) {
            doc.put("borrower", !noBorrower);
            doc.put("queues", queues);
            doc.put("gang_share", gangShare);
            doc.put("gang_size", gangSize);
            doc.put("reclaim_share", reclaimShare);
            doc.put("evictions_in_burst", r.evictionsInBurst);
            doc.put("evictions", r.evictions);
        }
        doc.put("check", r.problems.isEmpty() ? "OK" : "FAILED");
        doc.put("problems", r.problems);
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        try {
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(json.toFile(), doc);
        } catch (JacksonIOException e) {
            throw e.getCause(); // Jackson 3 wraps I/O failures unchecked; callers handle the IOException as before
        }
    }

    private static void waitFor(BooleanSupplier condition, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the scheduler did not load the cluster state in time");
            }
            Thread.sleep(5);
        }
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Progress lines on stderr. */
    private record Progress(PrintWriter err, boolean quiet) {
        void say(String format, Object... args) {
            if (!quiet) {
                err.println(String.format(Locale.ROOT, format, args));
                err.flush();
            }
        }
    }

    /** What one run measured and found. */
    static final class Result {
        String header;
        int pods;
        int bound;
        long wallNanos;
        /** First creation to the bind that made 90 % of the burst bound; 0 when fewer were. */
        long wall90Nanos;
        long observedWallNanos;
        long[] latencyNanos = new long[0];
        long schedulerCpuNanos;
        long serverCpuNanos;
        /** Until the burst's Scheduled events were all posted (or 60 s after the last bind). */
        long schedulerCpuWithEventsNanos;
        long serverCpuWithEventsNanos;
        long eventsPosted;
        boolean tenancy;
        /** Pods deleted through the Eviction API in all, and during the measured burst. */
        int evictions;
        int evictionsInBurst;
        Map<String, Long> threadCpuNanos = Map.of();
        long decisions;
        double decisionMeanNanos = Double.NaN;
        double decisionP99UpperNanos = Double.NaN;
        int gpusUsed;
        long scheduledEvents;
        final Map<String, Long> attempts = new LinkedHashMap<>();
        final Map<String, Long> requests = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();

        double throughput() {
            return wallNanos <= 0 ? 0 : bound / seconds(wallNanos);
        }

        /** Pods per second until 90 % of the burst was bound. */
        double throughput90() {
            return wall90Nanos <= 0 ? 0 : Math.ceil(0.9 * pods) / seconds(wall90Nanos);
        }

        double cpuPerPodMicros(long nanos) {
            return bound == 0 || nanos < 0 ? Double.NaN : nanos / 1e3 / bound;
        }

        /** Process CPU not on a live Java thread: GC and JIT compiler threads (ThreadMXBean omits them), ended threads. */
        long jvmInternalNanos() {
            return Math.max(0, schedulerCpuNanos - threadCpuNanos.values().stream().mapToLong(Long::longValue).sum());
        }

        List<Map.Entry<String, Long>> topThreads(int limit) {
            return threadCpuNanos.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit).toList();
        }

        /** Nearest-rank quantile of create-to-bind, in ms; q = 1 is the maximum. */
        double latencyMillis(double q) {
            if (latencyNanos.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * latencyNanos.length);
            return latencyNanos[Math.max(0, Math.min(latencyNanos.length - 1, rank - 1))] / 1e6;
        }

        String table() {
            TextTable t = new TextTable("metric", "value");
            t.row("pods bound", bound + " / " + pods);
            t.row("throughput (first create -> last bind)", String.format(Locale.ROOT, "%.1f pods/s",
                    throughput()));
            t.row("wall (first create -> last bind)", String.format(Locale.ROOT, "%.2f s", seconds(wallNanos)));
            t.row("first create -> 90 % bound", wall90Nanos <= 0 ? "-" : String.format(Locale.ROOT,
                    "%.2f s (%.1f pods/s)", seconds(wall90Nanos), throughput90()));
            t.row("create -> bind p50", ms(latencyMillis(0.50)));
            t.row("create -> bind p99", ms(latencyMillis(0.99)));
            t.row("create -> bind max", ms(latencyMillis(1.0)));
            t.row("scheduler process CPU per bound pod", String.format(Locale.ROOT, "%.1f us (%.2f s in all)",
                    cpuPerPodMicros(schedulerCpuNanos), seconds(schedulerCpuNanos)));
            t.row("API server process CPU per bound pod", String.format(Locale.ROOT, "%.1f us (%.2f s in all)",
                    cpuPerPodMicros(serverCpuNanos), seconds(serverCpuNanos)));
            t.row("  the same until the burst's events were posted (" + eventsPosted + ")",
                    String.format(Locale.ROOT, "%.1f us / %.1f us", cpuPerPodMicros(schedulerCpuWithEventsNanos),
                            cpuPerPodMicros(serverCpuWithEventsNanos)));
            for (Map.Entry<String, Long> e : topThreads(6)) {
                t.row("  scheduler threads " + e.getKey(), String.format(Locale.ROOT, "%.2f s",
                        seconds(e.getValue())));
            }
            t.row("  scheduler JVM: GC, JIT, threads that ended", String.format(Locale.ROOT, "%.2f s",
                    seconds(jvmInternalNanos())));
            t.row("engine decision mean", us(decisionMeanNanos));
            t.row("engine decision p99 (histogram bucket)", Double.isNaN(decisionP99UpperNanos) ? "-"
                    : "<= " + us(decisionP99UpperNanos));
            t.row("decisions", decisions);
            t.row("attempts scheduled / unschedulable", attempts.getOrDefault("scheduled", 0L) + " / "
                    + attempts.getOrDefault("unschedulable", 0L));
            t.row("attempts error / conflict / invalid", attempts.getOrDefault("error", 0L) + " / "
                    + attempts.getOrDefault("conflict", 0L) + " / " + attempts.getOrDefault("invalid", 0L));
            t.row("API requests per bound pod (measured burst)", bound == 0 ? "-"
                    : String.format(Locale.ROOT, "%.2f",
                    requests.entrySet().stream().filter(e -> !e.getKey().endsWith("loadtest"))
                            .mapToLong(Map.Entry::getValue).sum() / (double) bound));
            if (tenancy) {
                t.row("evictions (preemption) during the burst / in all", evictionsInBurst + " / " + evictions);
            }
            t.row("GPUs holding a pod", gpusUsed);
            t.row("Scheduled events written by the end", scheduledEvents + " / " + bound);
            return t.toString();
        }

        private static String ms(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f ms", v);
        }

        private static String us(double nanos) {
            return Double.isNaN(nanos) ? "-" : String.format(Locale.ROOT, "%.1f us", nanos / 1000);
        }
    }
}
