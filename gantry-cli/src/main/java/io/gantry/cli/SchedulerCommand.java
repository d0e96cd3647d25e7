package io.gantry.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gantry.kube.GantryScheduler;
import io.gantry.kube.config.SchedulerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gantry scheduler}: run Gantry as a Kubernetes scheduler (or kube-scheduler extender) until stopped. */
@Command(name = "scheduler", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs Gantry as a Kubernetes secondary scheduler: it watches nodes and pods, places every pod whose "
                + "spec.schedulerName matches the config's schedulerName (default gantry) with the engine, writes "
                + "the chosen GPUs as annotations (gantry.io/gpu-ids, gantry.io/gpu-milli) and binds the pod. "
                + "With --extender it serves kube-scheduler's extender API (filter, prioritize, bind) instead.",
            "",
            "The config file is validated before anything starts: a bad key exits with code 2 and a message naming it. "
                + "Only the holder of the Lease binds (leaderElection in the config); an instance that loses the "
                + "lease exits with code 1, as kube-scheduler does, so that Kubernetes restarts it. SIGTERM or "
                + "SIGINT stops it cleanly and releases the lease.",
            "",
            "One HTTP port serves /metrics (Prometheus), /healthz, /readyz, /api/explain/{namespace}/{pod} and, "
                + "with --extender, /extender/filter, /extender/prioritize and /extender/bind."},
        footer = {"", "Examples:",
            "  gantry scheduler --config /etc/gantry/config.yaml",
            "  gantry scheduler --kubeconfig ~/.kube/config --port 8081 --identity dev-laptop",
            "  gantry scheduler --config config.yaml --extender"})
final class SchedulerCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerCommand.class);
    /** How long stopping may take before the process exits anyway. */
    static final Duration CLOSE_LIMIT = Duration.ofSeconds(15);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Scheduler config (YAML): schedulerName, policy, scoring, namespaces, server.port, "
                    + "leaderElection, binding.workers, backoff (default: every default; policy fgd).")
    private Path configFile;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig to reach the API server (default: in-cluster service account, else "
                    + "$KUBECONFIG or ~/.kube/config).")
    private Path kubeconfig;

    @Option(names = "--extender",
            description = "Serve kube-scheduler's extender API instead of scheduling pods itself.")
    private boolean extender;

    @Option(names = "--port", paramLabel = "N",
            description = "HTTP port for metrics, health, explanations and the extender API; overrides server.port "
                    + "(0 picks a free port).")
    private Integer port;

    @Option(names = "--identity", paramLabel = "NAME",
            description = "This instance's name in the Lease (default: $POD_NAME, else the host name).")
    private String identity;

    @Option(names = "--lease-namespace", paramLabel = "NS",
            description = "Namespace of the Lease when leaderElection.leaseNamespace is empty "
                    + "(default: $POD_NAMESPACE, else default).")
    private String leaseNamespace;

    /** Completed with the exit code: 0 when stopped (signal, or {@link #stop()}), 1 when the lease is lost. */
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile GantryScheduler running;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        SchedulerConfig config;
        try {
            config = loadConfig();
        } catch (IllegalArgumentException e) {
            err.println("gantry scheduler: " + e.getMessage());
            err.flush();
            return 2;
        }
        String id = identity != null ? identity : defaultIdentity();
        String leaseNs = leaseNamespace != null ? leaseNamespace : envOr("POD_NAMESPACE", "default");
        if (id.isBlank() || leaseNs.isBlank()) {
            err.println("gantry scheduler: --identity and --lease-namespace must not be empty");
            err.flush();
            return 2;
        }

        KubernetesClient client;
        try {
            client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
        } catch (RuntimeException e) {
            err.println("gantry scheduler: cannot configure the Kubernetes client: " + e.getMessage());
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
            LOG.info("starting scheduler '{}' (policy {}, scoring {}, {}) as {} against {}", config.schedulerName(),
                    config.policy().cliName(), config.scoring().name().toLowerCase(Locale.ROOT),
                    config.namespaces().isEmpty() ? "all namespaces" : "namespaces " + config.namespaces(), id,
                    client.getMasterUrl());
            GantryScheduler scheduler;
            try {
                scheduler = GantryScheduler.start(client, config, new GantryScheduler.Options(extender, id, leaseNs,
                        () -> {
                            LOG.warn("leadership lost; exiting with code 1 so that a fresh instance takes over");
                            exit.complete(1);
                        }));
            } catch (RuntimeException e) {
                err.println("gantry scheduler: cannot start: " + rootMessage(e));
                err.flush();
                return 1;
            }
            closer.addFirst("the scheduler", scheduler);
            running = scheduler;
            SchedulerConfig.LeaderElection le = config.leaderElection();
            LOG.info("listening on :{} (/metrics, /healthz, /readyz, /api/explain/NAMESPACE/POD{}); {}",
                    scheduler.httpPort(), extender ? ", /extender/filter, /extender/prioritize, /extender/bind" : "",
                    !le.enabled() ? "leader election off: this instance binds"
                            : "leader election on: lease " + (le.leaseNamespace().isEmpty() ? leaseNs
                                    : le.leaseNamespace()) + "/" + le.leaseName());
            int code = exit.join();
            closer.close();
            return code;
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

    /** Stops a running scheduler as a signal would, with exit code 0 (for tests and embedding). */
    void stop() {
        exit.complete(0);
    }

    /** The running scheduler, or null before it started or after it stopped. */
    GantryScheduler scheduler() {
        return running;
    }

    private SchedulerConfig loadConfig() {
        SchedulerConfig config = configFile == null ? SchedulerConfig.defaults() : SchedulerConfig.load(configFile);
        if (port != null) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port: " + port + " is not a port; expected 0..65535");
            }
            config = config.withServerPort(port);
        }
        return config;
    }

    private Config clientConfig() {
        if (kubeconfig == null) {
            return Config.autoConfigure(null);
        }
        try {
            return Config.fromKubeconfig(Files.readString(kubeconfig));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
        }
    }

    private static String defaultIdentity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return envOr("HOSTNAME", "gantry-" + ProcessHandle.current().pid());
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** The exception's message, with its root cause's when that says more (e.g. "Connection refused"). */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = e.getMessage() == null ? e.toString() : e.getMessage();
        String bottom = root.getMessage();
        return root == e || bottom == null || top.contains(bottom) ? top : top + " (" + bottom + ")";
    }
}
