package io.gantry.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gantry.agent.AgentConfig;
import io.gantry.agent.GantryAgent;
import io.gantry.agent.health.XidPolicy;
import io.gantry.agent.metrics.AgentHttpServer;
import io.gantry.gpu.BackendKind;
import io.gantry.gpu.BackendOptions;
import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuBackends;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuInventory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gantry agent}: the node agent (kubelet device plugin, GPU health, metrics, node labels) until stopped. */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs Gantry's node agent on a GPU node (normally as the DaemonSet of deploy/): it finds the node's GPUs "
                + "and registers with the kubelet as a device plugin for two resources, nvidia.com/gpu (whole GPUs) "
                + "and gantry.io/gpu-milli (thousandths of a GPU). When the kubelet admits a container it hands out "
                + "the GPUs the scheduler wrote on the pod (gantry.io/gpu-ids, gantry.io/gpu-milli). GPUs with "
                + "critical Xid errors or failed health checks are advertised Unhealthy and recover after "
                + "--health-recovery without errors. /metrics serves GPU telemetry with dcgm-exporter's names "
                + "(DCGM_FI_DEV_*); the node gets GPU Feature Discovery's labels (nvidia.com/gpu.product, ...).",
            "",
            "A bad flag value exits with code 2 and a message naming the flag. When GPU discovery fails or finds no "
                + "GPU, the agent exits with code 1, or with --fail-on-init-error false stays up without serving "
                + "GPUs (only /healthz and an empty /metrics) so that a DaemonSet pod on a node without GPUs does not "
                + "crash-loop. SIGTERM or SIGINT stops it and removes its device plugin sockets.",
            "",
            "API access: with --kubeconfig, that file; else in a cluster (KUBERNETES_SERVICE_HOST set) its service "
                + "account, or $KUBECONFIG or ~/.kube/config where one exists; else none (as with --no-api): "
                + "containers then get the kubelet's choice of GPUs and the node is not labelled."},
        footer = {"", "Examples:",
            "  gantry agent",
            "  gantry agent --backend fake --inventory deploy/examples/fake-inventory.yaml \\",
            "      --device-plugin-dir /tmp/gantry-dp --no-api --metrics-addr 127.0.0.1:9400",
            "  gantry agent --device-list-strategy volume-mounts --health-recovery 0 --force-xids 43"})
final class AgentCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);
    /** How long stopping may take before the process exits anyway. */
    static final Duration CLOSE_LIMIT = Duration.ofSeconds(15);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--backend", paramLabel = "KIND", defaultValue = "auto",
            converter = AgentOptions.BackendConverter.class,
            description = "GPU discovery: auto (NVML, else nvidia-smi), nvml, nvidia-smi, or fake (the GPUs of "
                    + "--inventory) (default: ${DEFAULT-VALUE}).")
    BackendKind backend;

    @Option(names = "--inventory", paramLabel = "FILE",
            description = "The fake backend's GPUs (YAML; deploy/examples/fake-inventory.yaml shows the format).")
    Path inventory;

    @Option(names = "--nvidia-smi", paramLabel = "PATH", defaultValue = "nvidia-smi",
            description = "The nvidia-smi executable, a name on PATH or a path (default: ${DEFAULT-VALUE}).")
    String nvidiaSmi;

    @Option(names = "--device-plugin-dir", paramLabel = "DIR", defaultValue = "/var/lib/kubelet/device-plugins",
            description = "The kubelet's device plugin directory, where kubelet.sock is; the agent's sockets "
                    + "gantry-gpu.sock and gantry-gpu-milli.sock go there (default: ${DEFAULT-VALUE}).")
    Path pluginDir;

    @Option(names = "--pod-resources-socket", paramLabel = "FILE",
            defaultValue = "/var/lib/kubelet/pod-resources/kubelet.sock",
            description = "The kubelet's PodResources socket, for pod labels on metrics; optional "
                    + "(default: ${DEFAULT-VALUE}).")
    Path podResourcesSocket;

    @Option(names = "--metrics-addr", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:9400",
            converter = AgentOptions.MetricsAddressConverter.class,
            description = "Where /metrics, /healthz and /readyz are served; port 0 picks a free port (the address "
                    + "is logged); none: not served (default: ${DEFAULT-VALUE}).")
    AgentOptions.MetricsAddress metricsAddress;

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "This node's name, as in the pods' spec.nodeName (default: $NODE_NAME, else the host "
                    + "name).")
    String nodeName;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig to reach the API server (default: in-cluster service account, else "
                    + "$KUBECONFIG or ~/.kube/config where one exists, else no API access).")
    Path kubeconfig;

    @Option(names = "--no-api",
            description = "Run without API access: containers get the kubelet's choice of GPUs (not the "
                    + "scheduler's annotations) and the node is not labelled.")
    boolean noApi;

    @Option(names = "--device-list-strategy", paramLabel = "LIST", defaultValue = "envvar",
            converter = AgentOptions.StrategiesConverter.class,
            description = "How containers are told their GPUs, one or more of envvar, volume-mounts, "
                    + "cdi-annotations, cdi-cri, comma-separated (default: ${DEFAULT-VALUE}).")
    AgentOptions.Strategies strategies;

    @Option(names = "--cdi-kind", paramLabel = "VENDOR/CLASS", defaultValue = "nvidia.com/gpu",
            description = "The CDI kind of GPU devices, for the cdi-* strategies (default: ${DEFAULT-VALUE}).")
    String cdiKind;

    @Option(names = "--health-recovery", paramLabel = "DURATION", defaultValue = "5m",
            converter = AgentOptions.DurationConverter.class,
            description = "An Unhealthy GPU becomes Healthy again after this long without errors; 0: never "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration healthRecovery;

    @Option(names = "--health-check-interval", paramLabel = "DURATION", defaultValue = "10s",
            converter = AgentOptions.DurationConverter.class,
            description = "How often every GPU's telemetry is read and checked (default: ${DEFAULT-VALUE}).")
    Duration healthCheckInterval;

    @Option(names = "--ignore-xids", paramLabel = "LIST", split = ",", converter = AgentOptions.XidConverter.class,
            description = "Xids that do not make a GPU Unhealthy, besides the application errors always ignored "
                    + "(13, 31, 43, 45, 68, 109).")
    List<Long> ignoreXids = new ArrayList<>();

    @Option(names = "--force-xids", paramLabel = "LIST", split = ",", converter = AgentOptions.XidConverter.class,
            description = "Xids that make a GPU Unhealthy even if ignored by default, e.g. 43.")
    List<Long> forceXids = new ArrayList<>();

    @Option(names = "--label-node", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            defaultValue = "true", converter = AgentOptions.ToggleConverter.class,
            description = "Write GPU Feature Discovery's labels (nvidia.com/gpu.product, nvidia.com/gpu.count, ...) "
                    + "on the Node; needs API access (default: ${DEFAULT-VALUE}).")
    AgentOptions.Toggle labelNode;

    @Option(names = "--fail-on-init-error", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            defaultValue = "true", converter = AgentOptions.ToggleConverter.class,
            description = "When GPU discovery fails or finds no GPU: true exits with code 1; false logs the error "
                    + "and stays up without serving GPUs until stopped (default: ${DEFAULT-VALUE}).")
    AgentOptions.Toggle failOnInitError;

    /** Completed with the exit code when the agent is to stop (signal, or {@link #stop()}). */
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile GantryAgent running;
    private volatile AgentHttpServer idleServer;
    private volatile boolean idle;

    /** How the agent reaches the API server, and why. */
    record ApiAccess(Kind kind, String reason) {
        enum Kind { KUBECONFIG, AUTO_CONFIGURE, NONE }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig config = config();
        ApiAccess api = apiAccess(kubeconfig, noApi, System.getenv(), Path.of(System.getProperty("user.home")));

        KubernetesClient client;
        try {
            client = client(api);
        } catch (RuntimeException e) {
            err.println("gantry agent: cannot configure the Kubernetes client (" + api.reason() + "): "
                    + SchedulerCommand.rootMessage(e));
            err.flush();
            return 2;
        }
        ShutdownCloser closer = new ShutdownCloser(CLOSE_LIMIT);
        closer.add("the Kubernetes client", client);
        Thread hook = new Thread(() -> {
            exit.complete(0);
            closer.close();
        }, "gantry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            GpuBackend gpus;
            try {
                gpus = discover();
            } catch (RuntimeException e) {
                // GpuDiscoveryException says what to do; anything else is a backend's bug, reported the same way.
                String why = e instanceof GpuDiscoveryException ? e.getMessage()
                        : "GPU discovery with the " + backend + " backend failed: " + SchedulerCommand.rootMessage(e);
                if (failOnInitError.on()) {
                    err.println("gantry agent: " + why + ". To keep the agent running on a node without GPUs "
                            + "instead, pass --fail-on-init-error false");
                    err.flush();
                    return 1;
                }
                return idle(why, closer, err);
            }
            closer.addFirst("the GPU backend", gpus);

            if (client == null) {
                LOG.warn("running without API access ({}): pods get the kubelet's choice of GPUs, not the "
                        + "scheduler's, and the node is not labelled", api.reason());
            }
            GantryAgent agent;
            try {
                agent = GantryAgent.start(config, gpus, client, Clock.systemUTC());
            } catch (IOException | RuntimeException e) {
                err.println("gantry agent: cannot start: " + startError(e));
                err.flush();
                return 1;
            }
            closer.addFirst("the agent", agent);
            running = agent;
            GpuInventory inv = gpus.inventory();
            InetSocketAddress metrics = agent.metricsAddress();
            LOG.info("agent running on node {}: {} GPU(s) from the {} backend (driver {}, CUDA {}); device plugins in "
                            + "{}; {}; {}", config.nodeName(), inv.devices().size(), gpus.name(),
                    orDash(inv.driverVersion()), orDash(inv.cudaVersion()), config.pluginDir(),
                    metrics == null ? "metrics off" : "metrics on " + url(metrics),
                    client == null ? "no API access" : "API server " + client.getMasterUrl());
            return exit.join();
        } finally {
            closer.close();
            running = null;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /** Stays up without GPUs until stopped, serving /healthz (for the DaemonSet's probes) and an empty /metrics. */
    private int idle(String why, ShutdownCloser closer, PrintWriter err) {
        err.println("gantry agent: " + why + ". --fail-on-init-error false: staying up without serving any GPU "
                + "until stopped");
        err.flush();
        if (metricsAddress.address() != null) {
            try {
                AgentHttpServer http = AgentHttpServer.start(metricsAddress.address(), new PrometheusRegistry(),
                        () -> false);
                closer.addFirst("the HTTP server", http);
                idleServer = http;
                LOG.info("no GPU served; /healthz and an empty /metrics on {}", url(http.address()));
            } catch (IOException e) {
                err.println("gantry agent: cannot start: " + startError(e));
                err.flush();
                return 1;
            }
        }
        idle = true;
        int code = exit.join();
        idle = false;
        return code;
    }

    /** The agent's configuration from the flags; a flag combination that makes no sense is a usage error. */
    AgentConfig config() {
        if (backend == BackendKind.FAKE && inventory == null) {
            throw usage("--backend fake needs --inventory FILE (a YAML list of GPUs such as "
                    + "deploy/examples/fake-inventory.yaml)");
        }
        if (backend != BackendKind.FAKE && inventory != null) {
            throw usage("--inventory is read only by --backend fake; drop it or pass --backend fake");
        }
        if (noApi && kubeconfig != null) {
            throw usage("--no-api and --kubeconfig contradict each other; pass one of them");
        }
        if (healthCheckInterval.isZero()) {
            throw usage("--health-check-interval must be longer than 0, e.g. 10s");
        }
        Set<Long> both = new TreeSet<>(ignoreXids);
        both.retainAll(forceXids);
        if (!both.isEmpty()) {
            throw usage("Xid(s) " + both + " are in both --ignore-xids and --force-xids; keep each in one list");
        }
        if (cdiKind.isBlank() || !cdiKind.contains("/")) {
            throw usage("--cdi-kind '" + cdiKind + "' is not VENDOR/CLASS, e.g. nvidia.com/gpu");
        }
        String node = nodeName != null ? nodeName.trim() : defaultNodeName();
        if (node.isEmpty()) {
            throw usage("--node-name must not be empty");
        }
        return AgentConfig.defaults(node)
                .withPluginDir(pluginDir)
                .withPodResourcesSocket(podResourcesSocket)
                .withMetricsAddress(metricsAddress.address())
                .withStrategies(strategies.set())
                .withCdiKind(cdiKind)
                .withHealth(healthRecovery, healthCheckInterval, XidPolicy.of(Set.copyOf(ignoreXids),
                        Set.copyOf(forceXids)))
                .withLabelNode(labelNode.on());
    }

    /**
     * The API access rule: {@code --no-api}: none; {@code --kubeconfig}: that file; in a cluster, or where $KUBECONFIG
     * or ~/.kube/config exists: fabric8's auto-configuration; else none.
     */
    static ApiAccess apiAccess(Path kubeconfig, boolean noApi, Map<String, String> env, Path home) {
        if (noApi) {
            return new ApiAccess(ApiAccess.Kind.NONE, "--no-api");
        }
        if (kubeconfig != null) {
            return new ApiAccess(ApiAccess.Kind.KUBECONFIG, "--kubeconfig " + kubeconfig);
        }
        String serviceHost = env.get("KUBERNETES_SERVICE_HOST");
        if (serviceHost != null && !serviceHost.isBlank()) {
            return new ApiAccess(ApiAccess.Kind.AUTO_CONFIGURE, "in-cluster service account");
        }
        String kubeconfigEnv = env.get("KUBECONFIG");
        if (kubeconfigEnv != null && !kubeconfigEnv.isBlank()) {
            for (String part : kubeconfigEnv.split(File.pathSeparator)) {
                if (!part.isBlank() && Files.isRegularFile(Path.of(part))) {
                    return new ApiAccess(ApiAccess.Kind.AUTO_CONFIGURE, "$KUBECONFIG " + kubeconfigEnv);
                }
            }
        }
        Path homeConfig = home.resolve(".kube").resolve("config");
        if (Files.isRegularFile(homeConfig)) {
            return new ApiAccess(ApiAccess.Kind.AUTO_CONFIGURE, homeConfig.toString());
        }
        return new ApiAccess(ApiAccess.Kind.NONE, "no --kubeconfig, not in a cluster (KUBERNETES_SERVICE_HOST unset), "
                + "no $KUBECONFIG or " + homeConfig);
    }

    private KubernetesClient client(ApiAccess api) {
        switch (api.kind()) {
            case NONE -> {
                return null;
            }
            case KUBECONFIG -> {
                String text;
                try {
                    text = Files.readString(kubeconfig);
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read --kubeconfig " + kubeconfig + ": " + e, e);
                }
                return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(text)).build();
            }
            default -> {
                return new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
            }
        }
    }

    /** Opens the backend; a backend that finds no GPU is a discovery failure too. */
    private GpuBackend discover() {
        BackendOptions options = new BackendOptions(inventory, nvidiaSmi, BackendOptions.defaults().nvmlLibrary());
        GpuBackend opened = GpuBackends.open(backend, options);
        if (opened.inventory().devices().isEmpty()) {
            String name = opened.name();
            opened.close();
            throw new GpuDiscoveryException("the " + name + " backend found no GPU on this node");
        }
        return opened;
    }

    private static String startError(Throwable e) {
        if (e instanceof BindException) {
            return "cannot listen on the --metrics-addr given: " + e.getMessage()
                    + "; pass another HOST:PORT, port 0 for any free port, or none";
        }
        return SchedulerCommand.rootMessage(e);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Stops a running agent as a signal would, with exit code 0 (for tests and embedding). */
    void stop() {
        exit.complete(0);
    }

    /** The running agent, or null before it started or after it stopped. */
    GantryAgent agent() {
        return running;
    }

    /** Whether the agent stays up without GPUs ({@code --fail-on-init-error false} after a discovery failure). */
    boolean idle() {
        return idle;
    }

    /** In idle mode, where /healthz is served; else null. */
    InetSocketAddress idleAddress() {
        AgentHttpServer s = idleServer;
        return s == null ? null : s.address();
    }

    static String url(InetSocketAddress a) {
        String host = a.getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics";
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static String defaultNodeName() {
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String host = System.getenv("HOSTNAME");
            return host == null ? "" : host.trim();
        }
    }
}
