package io.gantry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.engine.Policy;
import io.gantry.kube.GantryScheduler;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.sandbox.KubeSandbox;
import io.gantry.sim.report.TextTable;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gantry bench}: benchmarks that need more than JMH, such as the scheduler against an API server. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of Gantry end to end.",
        subcommands = {BenchCommand.SchedulerBench.class, CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code gantry bench scheduler}: a burst of GPU pods through the real scheduler and an in-process API server. */
    @Command(name = "scheduler", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Starts an in-process Kubernetes API server (fabric8's mock, made to honour pods/binding) with fake "
                    + "GPU nodes (8x V100M32, 8x A100 and 4x T4 in a 4:3:3 mix; 96 cores, 512 GiB each), starts "
                    + "Gantry's scheduler against it (leader election off) and creates a burst of GPU pods as fast as "
                    + "--creators client threads can: about 60 %% whole-GPU pods (1, 2 or 4 GPUs) and 40 %% shares of "
                    + "one GPU (100-900 thousandths), about 80 %% of the cluster's GPUs in all, so every pod fits.",
                "",
                "Measures pods bound per second (first creation to last bind seen by a pod informer), the time from "
                    + "each pod's creation (when its create call returns) to the informer seeing it bound (p50, p99, "
                    + "max), and the engine's decision time from the scheduler's metrics. Then checks that every pod "
                    + "was bound exactly once, with the GPUs it asked for, and that no GPU, CPU or memory of a node "
                    + "is over-committed: prints check: OK, or the failures and exits with code 1.",
                "",
                "The API server runs in the same JVM and on the same cores as the scheduler and the pod creators, "
                    + "so the throughput is a lower bound for the scheduler, not a figure to compare 1:1 with "
                    + "kube-scheduler's scheduler_perf runs (real API server and etcd)."},
            footer = {"", "Examples:",
                "  gantry bench scheduler",
                "  gantry bench scheduler --nodes 5000 --pods 20000 --policy bestfit --json bench.json"})
    static final class SchedulerBench implements Callable<Integer> {

        static final String NAMESPACE = "gantry-bench";
        /** Refuse workloads asking more than this share of the cluster's GPUs: they might not all fit. */
        private static final double MAX_GPU_DEMAND = 0.9;
        private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
        private static final String QUIET_VERTX_CHECKER =
                "org.slf4j.simpleLogger.log.io.vertx.core.impl.BlockedThreadChecker";
        private static final String QUIET_NETTY_REJECTED =
                "org.slf4j.simpleLogger.log.io.netty.util.concurrent.DefaultPromise.rejectedExecution";
        private static final String QUIET_SCHEDULER_LOOP =
                "org.slf4j.simpleLogger.log.io.gantry.kube.scheduling.SchedulerLoop";

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

        @Option(names = "--creators", paramLabel = "K", defaultValue = "8",
                description = "Client threads creating pods, each with its own client (default: ${DEFAULT-VALUE}).")
        int creators;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
                description = "Give up when not every pod is bound this long after the first creation "
                        + "(default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON here.")
        Path json;

        @Option(names = "--quiet", description = "No progress on stderr.")
        boolean quiet;

        /** One fake node: name, GPUs, model. */
        record NodeShape(String name, int gpus, String model) {
        }

        /** One pod: whole GPUs ({@code milli == 1000}) or a share of one GPU. */
        record PodShape(String name, int gpus, int milli, int cpuMilli, int memoryMib) {
            long gpuMilliTotal() {
                return (long) gpus * milli;
            }
        }

        static final int NODE_CORES = 96;
        static final int NODE_MEMORY_GIB = 512;

        static List<NodeShape> nodeShapes(int count) {
            List<NodeShape> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int kind = i % 10;
                String name = String.format(Locale.ROOT, "gpu-node-%05d", i);
                out.add(kind < 4 ? new NodeShape(name, 8, "V100M32")
                        : kind < 7 ? new NodeShape(name, 8, "A100") : new NodeShape(name, 4, "T4"));
            }
            return out;
        }

        static List<PodShape> podShapes(int count, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            List<PodShape> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = String.format(Locale.ROOT, "bench-%06d", i);
                if (random.nextInt(100) < 60) {
                    int x = random.nextInt(100);
                    int gpus = x < 70 ? 1 : x < 90 ? 2 : 4;
                    out.add(new PodShape(name, gpus, 1000, 4000 * gpus, 16_384 * gpus));
                } else {
                    out.add(new PodShape(name, 1, 100 * (1 + random.nextInt(9)), 1000, 4096));
                }
            }
            return out;
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Policy chosen = validate();
            List<NodeShape> nodeList = nodeShapes(nodes);
            List<PodShape> podList = podShapes(pods, seed);
            long gpuCapacity = nodeList.stream().mapToLong(n -> n.gpus() * 1000L).sum();
            long gpuDemand = podList.stream().mapToLong(PodShape::gpuMilliTotal).sum();
            if (gpuDemand > MAX_GPU_DEMAND * gpuCapacity) {
                throw new CommandLine.ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                        "--pods %d ask %.1f GPUs, %.0f %% of the %d GPUs of --nodes %d; keep it under %.0f %% so that "
                                + "every pod fits (more --nodes or fewer --pods)", pods, gpuDemand / 1000.0,
                        100.0 * gpuDemand / gpuCapacity, gpuCapacity / 1000, nodes, 100 * MAX_GPU_DEMAND));
            }
            Progress progress = new Progress(err, quiet);
            long wholePods = podList.stream().filter(p -> p.milli() == 1000).count();
            progress.say("gantry bench scheduler: %d nodes (%d GPUs), %d pods (%d whole-GPU, %d shares; %.1f %% of "
                    + "the GPUs), policy %s, seed %d, %d creators", nodes, gpuCapacity / 1000, pods, wholePods,
                    pods - wholePods, 100.0 * gpuDemand / gpuCapacity, chosen.cliName(), seed, creators);

            // The mock API server does its work on its Vert.x event loop, which Vert.x reports as blocked every
            // couple of seconds under a burst: expected here, and noise in the output. The scheduler writes its
            // Scheduled events on two background threads, far behind the binds against this server; at the end the
            // events still queued fail one warning each as the client closes; and Netty reports connections that
            // close after their event loop as errors. All are quieted unless asked for; bind failures still show in
            // the attempts counted.
            for (String logger : List.of(QUIET_VERTX_CHECKER, QUIET_SCHEDULER_LOOP, QUIET_NETTY_REJECTED)) {
                if (System.getProperty(logger) == null) {
                    System.setProperty(logger, logger.equals(QUIET_NETTY_REJECTED) ? "off" : "error");
                }
            }
            Result result;
            try (KubeSandbox sandbox = KubeSandbox.start()) {
                result = run(sandbox, chosen, nodeList, podList, progress);
            }
            result.header = String.format(Locale.ROOT,
                    "gantry bench scheduler: %d nodes (%d GPUs), %d pods (%d whole-GPU, %d shares; %.1f %% of the "
                            + "GPUs), policy %s, seed %d, %d creators, %d cores, in-process mock API server",
                    nodes, gpuCapacity / 1000, pods, wholePods, pods - wholePods, 100.0 * gpuDemand / gpuCapacity,
                    chosen.cliName(), seed, creators, Runtime.getRuntime().availableProcessors());
            out.println(result.header);
            out.print(result.table());
            if (result.problems.isEmpty()) {
                out.println("check: OK (every pod bound exactly once with the GPUs it asked for; no GPU, CPU or "
                        + "memory over-committed; no bind conflicts)");
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
            if (creators < 1 || creators > 256) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--creators must be 1..256, got "
                        + creators);
            }
            if (timeoutSeconds < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be >= 1 second");
            }
            return chosen;
        }

        private Result run(KubeSandbox sandbox, Policy chosen, List<NodeShape> nodeList, List<PodShape> podList,
                Progress progress) throws Exception {
            Result r = new Result();
            List<KubernetesClient> clients = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(creators, daemon("bench-creator"));
            SharedIndexInformer<Pod> informer = null;
            GantryScheduler scheduler = null;
            try {
                for (int i = 0; i < creators; i++) {
                    clients.add(sandbox.newClient());
                }
                long t = System.nanoTime();
                parallel(pool, nodeList.size(), clients, (client, i) -> {
                    NodeShape n = nodeList.get(i);
                    client.nodes().resource(KubeSandbox.gpuNode(n.name(), n.gpus(), n.model(), NODE_CORES,
                            NODE_MEMORY_GIB)).create();
                });
                progress.say("created %d nodes in %.1f s", nodeList.size(), seconds(System.nanoTime() - t));

                // The bench's own view: the first time each pod is seen with spec.nodeName set.
                Map<String, Long> boundAt = new ConcurrentHashMap<>();
                KubernetesClient watcher = sandbox.newClient();
                clients.add(watcher);
                informer = watcher.pods().inNamespace(NAMESPACE).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        seen(pod);
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod newPod) {
                        seen(newPod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                    }

                    private void seen(Pod pod) {
                        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
                        if (node != null && !node.isEmpty()) {
                            boundAt.putIfAbsent(pod.getMetadata().getName(), System.nanoTime());
                        }
                    }
                }, 0);

                SchedulerConfig defaults = SchedulerConfig.defaults();
                SchedulerConfig.LeaderElection le = defaults.leaderElection();
                SchedulerConfig config = defaults.withServerPort(0).withPolicy(chosen)
                        .withLeaderElection(new SchedulerConfig.LeaderElection(false, le.leaseName(),
                                le.leaseNamespace(), le.leaseDuration(), le.renewDeadline(), le.retryPeriod()));
                KubernetesClient schedulerClient = sandbox.newClient();
                clients.add(schedulerClient);
                t = System.nanoTime();
                GantryScheduler started = GantryScheduler.start(schedulerClient, config,
                        new GantryScheduler.Options(false, "gantry-bench", "default", () -> { }));
                scheduler = started;
                waitFor(() -> started.loop().isSynced(), TimeUnit.SECONDS.toNanos(60));
                progress.say("scheduler started (policy %s, %d binding workers) in %.1f s; creating %d pods",
                        chosen.cliName(), config.bindingWorkers(), seconds(System.nanoTime() - t), podList.size());

                AtomicLongArray createdAt = new AtomicLongArray(podList.size());
                AtomicReference<String> firstCreateError = new AtomicReference<>();
                AtomicInteger createErrors = new AtomicInteger();
                String schedulerName = config.schedulerName();
                long start = System.nanoTime();
                List<Future<?>> creating = parallelAsync(pool, podList.size(), clients.subList(0, creators),
                        (client, i) -> {
                            PodShape p = podList.get(i);
                            try {
                                client.pods().inNamespace(NAMESPACE).resource(KubeSandbox.gpuPod(NAMESPACE, p.name(),
                                        schedulerName, p.gpus(), p.milli(), p.cpuMilli(), p.memoryMib())).create();
                                createdAt.set(i, System.nanoTime());
                            } catch (RuntimeException e) {
                                createErrors.incrementAndGet();
                                firstCreateError.compareAndSet(null, p.name() + ": " + e.getMessage());
                            }
                        });

                long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
                long lastProgress = System.nanoTime();
                int lastBound = 0;
                long lastBindChange = System.nanoTime();
                boolean created = false;
                while (true) {
                    long now = System.nanoTime();
                    int bound = boundAt.size();
                    if (!created && creating.stream().allMatch(Future::isDone)) {
                        created = true;
                        r.creationNanos = now - start;
                        progress.say("created %d pods in %.1f s (%.0f pods/s)", podList.size() - createErrors.get(),
                                seconds(r.creationNanos), (podList.size() - createErrors.get())
                                        / seconds(r.creationNanos));
                    }
                    if (bound != lastBound) {
                        lastBound = bound;
                        lastBindChange = now;
                    }
                    if (created && bound >= podList.size() - createErrors.get()) {
                        break;
                    }
                    if (now > deadline) {
                        r.problems.add(String.format(Locale.ROOT, "timed out after %d s with %d of %d pods bound",
                                timeoutSeconds, bound, podList.size()));
                        break;
                    }
                    if (created && now - lastBindChange > STALL_NANOS) {
                        r.problems.add(String.format(Locale.ROOT, "no pod bound for %d s; %d of %d pods bound",
                                TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS), bound, podList.size()));
                        break;
                    }
                    if (now - lastProgress > TimeUnit.SECONDS.toNanos(5)) {
                        lastProgress = now;
                        progress.say("%.0f s: %d pods created, %d bound", seconds(now - start),
                                IntStream.range(0, podList.size()).filter(i -> createdAt.get(i) != 0).count(), bound);
                    }
                    Thread.sleep(10);
                }
                scheduler.loop().awaitBinds(java.time.Duration.ofSeconds(30));
                if (createErrors.get() > 0) {
                    r.problems.add(createErrors.get() + " pod creations failed, first: " + firstCreateError.get());
                }

                // ---- measurements ----
                r.pods = podList.size();
                r.bound = boundAt.size();
                long lastBind = boundAt.values().stream().mapToLong(Long::longValue).max().orElse(start);
                r.wallNanos = lastBind - start;
                long[] latencies = new long[podList.size()];
                int n = 0;
                for (int i = 0; i < podList.size(); i++) {
                    Long b = boundAt.get(podList.get(i).name());
                    if (b != null && createdAt.get(i) != 0) {
                        long d = b - createdAt.get(i);
                        if (d < 0) {
                            r.boundBeforeCreateReturned++;
                            d = 0;
                        }
                        latencies[n++] = d;
                    }
                }
                latencies = Arrays.copyOf(latencies, n);
                Arrays.sort(latencies);
                r.latencyNanos = latencies;
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

                // ---- checks ----
                verify(sandbox, watcher, nodeList, podList, r);
                r.scheduledEvents = watcher.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                        .filter(e -> "Scheduled".equals(e.getReason())).count();
            } finally {
                if (informer != null) {
                    informer.close();
                }
                if (scheduler != null) {
                    scheduler.close();
                }
                pool.shutdownNow();
                clients.forEach(KubernetesClient::close);
            }
            return r;
        }

        private void verify(KubeSandbox sandbox, KubernetesClient client, List<NodeShape> nodeList,
                List<PodShape> podList, Result r) {
            Map<String, Integer> binds = sandbox.dispatcher().bindCounts();
            int conflicts = sandbox.dispatcher().conflicts();
            if (conflicts != 0) {
                r.problems.add(conflicts + " binds refused because the pod was already bound");
            }
            for (PodShape p : podList) {
                int count = binds.getOrDefault(NAMESPACE + "/" + p.name(), 0);
                if (count != 1) {
                    r.problems.add(p.name() + " was bound " + count + " times");
                }
            }
            Map<String, NodeShape> nodesByName = new HashMap<>();
            nodeList.forEach(nd -> nodesByName.put(nd.name(), nd));
            Map<String, PodShape> asked = new HashMap<>();
            podList.forEach(p -> asked.put(p.name(), p));
            Map<String, Integer> gpuMilli = new HashMap<>();
            Map<String, long[]> cpuMem = new HashMap<>();
            List<Pod> listed = client.pods().inNamespace(NAMESPACE).list().getItems();
            if (listed.size() != podList.size()) {
                r.problems.add("the API server lists " + listed.size() + " pods, expected " + podList.size());
            }
            for (Pod pod : listed) {
                String name = pod.getMetadata().getName();
                String node = pod.getSpec().getNodeName();
                PodShape want = asked.get(name);
                if (want == null || node == null || node.isEmpty()) {
                    continue; // unbound: already reported through the bind counts
                }
                NodeShape nd = nodesByName.get(node);
                if (nd == null) {
                    r.problems.add(name + " bound to unknown node " + node);
                    continue;
                }
                long[] cm = cpuMem.computeIfAbsent(node, k -> new long[2]);
                cm[0] += want.cpuMilli();
                cm[1] += want.memoryMib();
                Map<String, String> ann = pod.getMetadata().getAnnotations();
                String ids = ann == null ? null : ann.get(GpuAnnotations.GPU_IDS);
                String milliText = ann == null ? null : ann.get(GpuAnnotations.GPU_MILLI);
                if (ids == null || milliText == null) {
                    r.problems.add(name + " on " + node + " has no " + GpuAnnotations.GPU_IDS + "/"
                            + GpuAnnotations.GPU_MILLI + " annotations");
                    continue;
                }
                List<Integer> gpuIds;
                int milli;
                try {
                    gpuIds = GpuAssignmentCodec.decodeIds(ids);
                    milli = GpuAssignmentCodec.decodeMilli(milliText);
                } catch (IllegalArgumentException e) {
                    r.problems.add(name + ": " + e.getMessage());
                    continue;
                }
                if (gpuIds.size() != want.gpus() || milli != want.milli()) {
                    r.problems.add(String.format(Locale.ROOT, "%s asked %d x %d milli, got GPUs %s x %d milli",
                            name, want.gpus(), want.milli(), ids, milli));
                }
                for (int id : gpuIds) {
                    if (id >= nd.gpus()) {
                        r.problems.add(name + " got GPU " + id + " of " + node + ", which has " + nd.gpus());
                    }
                    gpuMilli.merge(node + "#" + id, milli, Integer::sum);
                }
            }
            gpuMilli.forEach((gpu, sum) -> {
                if (sum > 1000) {
                    r.problems.add("GPU " + gpu + " over-committed: " + sum + " milli");
                }
            });
            cpuMem.forEach((node, cm) -> {
                if (cm[0] > NODE_CORES * 1000L || cm[1] > NODE_MEMORY_GIB * 1024L) {
                    r.problems.add(String.format(Locale.ROOT, "node %s over-committed: %d mCPU, %d MiB", node, cm[0],
                            cm[1]));
                }
            });
            r.gpusUsed = gpuMilli.size();
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
            doc.put("creators", creators);
            doc.put("cores", Runtime.getRuntime().availableProcessors());
            doc.put("pods_bound", r.bound);
            doc.put("pods_per_second", r.throughput());
            doc.put("wall_seconds", seconds(r.wallNanos));
            doc.put("creation_seconds", seconds(r.creationNanos));
            doc.put("create_to_bind_p50_ms", r.latencyMillis(0.50));
            doc.put("create_to_bind_p99_ms", r.latencyMillis(0.99));
            doc.put("create_to_bind_max_ms", r.latencyMillis(1.0));
            doc.put("decisions", r.decisions);
            doc.put("decision_mean_us", r.decisionMeanNanos / 1000);
            doc.put("decision_p99_upper_bound_us", r.decisionP99UpperNanos / 1000);
            doc.put("attempts", r.attempts);
            doc.put("scheduled_events_written", r.scheduledEvents);
            doc.put("check", r.problems.isEmpty() ? "OK" : "FAILED");
            doc.put("problems", r.problems);
            if (json.getParent() != null) {
                Files.createDirectories(json.getParent());
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        }

        // ---- plumbing ----

        /** A task for pod or node {@code i} on a creator's client. */
        private interface ClientTask {
            void run(KubernetesClient client, int index);
        }

        /** Runs tasks 0..count-1 on the pool, worker k using clients[k], and waits for them. */
        private static void parallel(ExecutorService pool, int count, List<KubernetesClient> clients, ClientTask task)
                throws Exception {
            for (Future<?> f : parallelAsync(pool, count, clients, task)) {
                f.get();
            }
        }

        private static List<Future<?>> parallelAsync(ExecutorService pool, int count, List<KubernetesClient> clients,
                ClientTask task) {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (KubernetesClient client : clients) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        task.run(client, i);
                    }
                    return null;
                }));
            }
            return futures;
        }

        private static void waitFor(java.util.function.BooleanSupplier condition, long timeoutNanos)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the scheduler did not load the cluster state in time");
                }
                Thread.sleep(5);
            }
        }

        private static java.util.concurrent.ThreadFactory daemon(String prefix) {
            AtomicInteger n = new AtomicInteger();
            return runnable -> {
                Thread t = new Thread(runnable, prefix + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
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
            long creationNanos;
            long[] latencyNanos = new long[0];
            int boundBeforeCreateReturned;
            long decisions;
            double decisionMeanNanos = Double.NaN;
            double decisionP99UpperNanos = Double.NaN;
            int gpusUsed;
            long scheduledEvents;
            final Map<String, Long> attempts = new LinkedHashMap<>();
            final List<String> problems = new ArrayList<>();

            double throughput() {
                return wallNanos <= 0 ? 0 : bound / seconds(wallNanos);
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
                t.row("creation (all create calls returned)", String.format(Locale.ROOT, "%.2f s (%.0f pods/s)",
                        seconds(creationNanos), creationNanos <= 0 ? 0 : pods / seconds(creationNanos)));
                t.row("create -> bind p50", ms(latencyMillis(0.50)));
                t.row("create -> bind p99", ms(latencyMillis(0.99)));
                t.row("create -> bind max", ms(latencyMillis(1.0)));
                t.row("engine decision mean", us(decisionMeanNanos));
                t.row("engine decision p99 (histogram bucket)", Double.isNaN(decisionP99UpperNanos) ? "-"
                        : "<= " + us(decisionP99UpperNanos));
                t.row("decisions", decisions);
                t.row("attempts scheduled / unschedulable", attempts.getOrDefault("scheduled", 0L) + " / "
                        + attempts.getOrDefault("unschedulable", 0L));
                t.row("attempts error / conflict / invalid", attempts.getOrDefault("error", 0L) + " / "
                        + attempts.getOrDefault("conflict", 0L) + " / " + attempts.getOrDefault("invalid", 0L));
                t.row("GPUs holding a pod", gpusUsed);
                t.row("Scheduled events written by the end", scheduledEvents + " / " + bound);
                if (boundBeforeCreateReturned > 0) {
                    t.row("pods seen bound before their create returned (counted as 0 ms)",
                            boundBeforeCreateReturned);
                }
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
}
