package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.AgentConfig;
import io.gantry.agent.plugin.DeviceListStrategy;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import io.gantry.agent.testing.FakeKubelet;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class AgentCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<Path> cleanUp = new ArrayList<>();

    private CommandLine commandLine() {
        CommandLine cl = GantryCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    private int run(String... args) {
        return CliRun.execute(out, err, args);
    }

    /** A short directory for Unix sockets (their paths are limited to 107 bytes). */
    private Path socketDir() throws IOException {
        Path d = Files.createTempDirectory("gx");
        cleanUp.add(d);
        return d;
    }

    @AfterEach
    void deleteSocketDirs() throws IOException {
        for (Path d : cleanUp) {
            try (Stream<Path> files = Files.walk(d)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .dontCatchUncaughtExceptions().until(condition::getAsBoolean);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(List.of("--health-recovery", "5x"),
                        List.of("--health-recovery", "'5x' is not a duration", "10s, 5m or 1h30m")),
                Arguments.of(List.of("--health-check-interval", "0"),
                        List.of("--health-check-interval must be longer than 0")),
                Arguments.of(List.of("--device-list-strategy", "foo"),
                        List.of("--device-list-strategy", "'foo'", "envvar, volume-mounts, cdi-annotations, cdi-cri")),
                Arguments.of(List.of("--backend", "fake"),
                        List.of("--backend fake needs --inventory FILE")),
                Arguments.of(List.of("--backend", "rocm"),
                        List.of("--backend", "unknown GPU backend 'rocm'; expected one of auto, nvml, nvidia-smi, fake")),
                Arguments.of(List.of("--inventory", "gpus.yaml"),
                        List.of("--inventory is read only by --backend fake")),
                Arguments.of(List.of("--metrics-addr", "9400"),
                        List.of("--metrics-addr", "'9400' has no port", "HOST:PORT", "none")),
                Arguments.of(List.of("--metrics-addr", "localhost:65536"),
                        List.of("--metrics-addr", "the port must be 0..65535")),
                Arguments.of(List.of("--ignore-xids", "13,abc"),
                        List.of("--ignore-xids", "'abc' is not an Xid", "13,31,79")),
                Arguments.of(List.of("--ignore-xids", "79", "--force-xids", "43,79"),
                        List.of("[79] are in both --ignore-xids and --force-xids")),
                Arguments.of(List.of("--label-node", "maybe"),
                        List.of("--label-node", "'maybe' is not true or false")),
                Arguments.of(List.of("--fail-on-init-error", "no"),
                        List.of("--fail-on-init-error", "'no' is not true or false")),
                Arguments.of(List.of("--no-api", "--kubeconfig", "kubeconfig.yaml"),
                        List.of("--no-api and --kubeconfig contradict each other")),
                Arguments.of(List.of("--cdi-kind", "gpu"),
                        List.of("--cdi-kind 'gpu' is not VENDOR/CLASS")));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void aBadFlagValueExitsWith2NamingTheFlagAndTheExpectedForm(List<String> flags, List<String> expected) {
        List<String> args = new ArrayList<>(List.of("agent", "--node-name", "n"));
        args.addAll(flags);
        assertThat(run(args.toArray(String[]::new))).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains(expected).doesNotContain("Exception", "\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMalformedInventoryExitsWith1NamingFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                gpus:
                  - uuid: GPU-aaaa
                    name: NVIDIA A100-SXM4-40GB
                    memoryMiB: 40960
                    colour: green
                """);
        assertThat(run("agent", "--backend", "fake", "--inventory", bad.toString(), "--no-api", "--node-name", "n",
                "--metrics-addr", "none", "--device-plugin-dir", dir.resolve("dp").toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("gantry agent: ").contains("bad.yaml:5", "colour",
                "pass --fail-on-init-error false").doesNotContain("\tat ");
        assertThat(dir.resolve("dp")).doesNotExist();

        assertThat(run("agent", "--backend", "fake", "--inventory", dir.resolve("missing.yaml").toString(),
                "--no-api", "--node-name", "n", "--metrics-addr", "none")).isEqualTo(1);
        assertThat(err.toString()).contains("missing.yaml does not exist");
    }

    @Test
    void anUnreadableKubeconfigExitsWith2() {
        assertThat(run("agent", "--backend", "fake", "--inventory", Repo.fakeInventory().toString(),
                "--kubeconfig", dir.resolve("nope").toString(), "--node-name", "n")).isEqualTo(2);
        assertThat(err.toString()).contains("gantry agent: cannot configure the Kubernetes client",
                "cannot read --kubeconfig", "nope");
    }

    private AgentCommand parse(String... args) {
        CommandLine cl = commandLine();
        List<String> all = new ArrayList<>(List.of("agent"));
        all.addAll(List.of(args));
        cl.parseArgs(all.toArray(String[]::new));
        return cl.getSubcommands().get("agent").getCommand();
    }

    @Test
    void defaultsAreTheDaemonSetsAndTheHelmChartsTwoArgumentFormsParse() {
        AgentConfig defaults = parse("--node-name", "gpu-1").config();
        assertThat(defaults).isEqualTo(AgentConfig.defaults("gpu-1"));
        assertThat(defaults.metricsAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 9400));
        assertThat(parse().failOnInitError.on()).isTrue();

        // What deploy/helm/gantry/templates/agent-daemonset.yaml passes (gantry-deploy's AgentChartTest), one value
        // per argument: the chart's defaults, then other values.
        AgentCommand chart = parse("--backend", "auto",
                "--device-plugin-dir", "/var/lib/kubelet/device-plugins",
                "--pod-resources-socket", "/var/lib/kubelet/pod-resources/kubelet.sock",
                "--metrics-addr", "0.0.0.0:9400",
                "--device-list-strategy", "envvar",
                "--health-recovery", "5m",
                "--label-node", "true",
                "--fail-on-init-error", "false");
        assertThat(chart.failOnInitError.on()).isFalse();
        assertThat(chart.labelNode.on()).isTrue();
        assertThat(chart.healthRecovery).isEqualTo(Duration.ofMinutes(5));
        AgentCommand other = parse("--backend", "nvidia-smi",
                "--device-plugin-dir", "/var/lib/kubelet/device-plugins",
                "--pod-resources-socket", "/var/lib/kubelet/pod-resources/kubelet.sock",
                "--metrics-addr", "0.0.0.0:9500",
                "--device-list-strategy", "volume-mounts,cdi-cri",
                "--health-recovery", "0",
                "--label-node", "false",
                "--fail-on-init-error", "true",
                "--kubeconfig", "/etc/kubernetes/agent.conf",
                "--node-name", "gpu-1");
        AgentConfig c = other.config();
        assertThat(other.failOnInitError.on()).isTrue();
        assertThat(other.kubeconfig).isEqualTo(Path.of("/etc/kubernetes/agent.conf"));
        assertThat(c.labelNode()).isFalse();
        assertThat(c.healthRecovery()).isZero();
        assertThat(c.metricsAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 9500));
        assertThat(c.strategies()).containsExactlyInAnyOrder(DeviceListStrategy.VOLUME_MOUNTS,
                DeviceListStrategy.CDI_CRI);
        assertThat(parse("--label-node", "true", "--node-name", "n").config().labelNode()).isTrue();
        assertThat(parse("--label-node=false", "--node-name", "n").config().labelNode()).isFalse();
        assertThat(parse("--label-node", "--node-name", "n").config().labelNode()).isTrue();
        assertThat(parse("--fail-on-init-error", "false").failOnInitError.on()).isFalse();
        assertThat(parse("--fail-on-init-error", "--no-api").failOnInitError.on()).isTrue();

        AgentConfig tuned = parse("--node-name", "n", "--health-recovery", "0", "--health-check-interval", "1h30m",
                "--ignore-xids", "48,94", "--force-xids", "43", "--metrics-addr", "none", "--cdi-kind",
                "example.com/gpu", "--pod-resources-socket", "/run/pr.sock").config();
        assertThat(tuned.healthRecovery()).isZero();
        assertThat(tuned.healthCheckInterval()).isEqualTo(Duration.ofMinutes(90));
        assertThat(tuned.xids().isCritical(48)).isFalse();
        assertThat(tuned.xids().isCritical(94)).isFalse();
        assertThat(tuned.xids().isCritical(43)).as("forced").isTrue();
        assertThat(tuned.xids().isCritical(13)).as("still ignored by default").isFalse();
        assertThat(tuned.xids().isCritical(79)).isTrue();
        assertThat(tuned.metricsAddress()).isNull();
        assertThat(tuned.cdiKind()).isEqualTo("example.com/gpu");
        assertThat(tuned.podResourcesSocket()).isEqualTo(Path.of("/run/pr.sock"));
        assertThat(parse("--node-name", "n", "--metrics-addr", ":9500").config().metricsAddress())
                .isEqualTo(new InetSocketAddress("0.0.0.0", 9500));
    }

    @Test
    void apiAccessFollowsKubeconfigThenClusterThenUserConfig() throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path kubeconfig = Files.writeString(dir.resolve("kc.yaml"), "apiVersion: v1\n");
        Map<String, String> none = Map.of();

        assertThat(AgentCommand.apiAccess(null, true, Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), home).kind())
                .isEqualTo(AgentCommand.ApiAccess.Kind.NONE);
        assertThat(AgentCommand.apiAccess(kubeconfig, false, none, home).kind())
                .isEqualTo(AgentCommand.ApiAccess.Kind.KUBECONFIG);
        assertThat(AgentCommand.apiAccess(null, false, Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), home))
                .isEqualTo(new AgentCommand.ApiAccess(AgentCommand.ApiAccess.Kind.AUTO_CONFIGURE,
                        "in-cluster service account"));
        assertThat(AgentCommand.apiAccess(null, false, Map.of("KUBECONFIG", kubeconfig.toString()), home).kind())
                .isEqualTo(AgentCommand.ApiAccess.Kind.AUTO_CONFIGURE);

        AgentCommand.ApiAccess nothing = AgentCommand.apiAccess(null, false,
                Map.of("KUBECONFIG", dir.resolve("gone.yaml").toString()), home);
        assertThat(nothing.kind()).isEqualTo(AgentCommand.ApiAccess.Kind.NONE);
        assertThat(nothing.reason()).contains("KUBERNETES_SERVICE_HOST", home.resolve(".kube/config").toString());

        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube/config"), "apiVersion: v1\n");
        assertThat(AgentCommand.apiAccess(null, false, none, home))
                .isEqualTo(new AgentCommand.ApiAccess(AgentCommand.ApiAccess.Kind.AUTO_CONFIGURE,
                        home.resolve(".kube/config").toString()));
    }

    @Test
    void withFailOnInitErrorFalseAFailedDiscoveryStaysUpUntilStopped() throws Exception {
        Path plugins = dir.resolve("dp");
        CommandLine cl = commandLine();
        AgentCommand command = cl.getSubcommands().get("agent").getCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("agent",
                "--backend", "fake", "--inventory", dir.resolve("missing.yaml").toString(),
                "--fail-on-init-error", "false", "--no-api", "--node-name", "n",
                "--metrics-addr", "127.0.0.1:0", "--device-plugin-dir", plugins.toString()));
        try {
            await("the agent to idle", () -> command.idle() || exit.isDone());
            assertThat(exit).as(err.toString()).isNotDone();
            assertThat(err.toString()).contains("missing.yaml does not exist",
                    "--fail-on-init-error false: staying up without serving any GPU until stopped");
            assertThat(command.agent()).isNull();
            assertThat(plugins).as("no device plugin served").doesNotExist();

            // The DaemonSet's probes keep passing, and /readyz tells that no GPU is served.
            InetSocketAddress http = command.idleAddress();
            assertThat(get(http, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(http, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            HttpResponse<String> metrics = get(http, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).doesNotContain("DCGM_");
            assertThat(exit).isNotDone();

            command.stop();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
            assertThat(command.idle()).isFalse();
            assertThatThrownBy(() -> get(http, "/healthz")).as("the HTTP server is closed")
                    .isInstanceOf(IOException.class);
        } finally {
            command.stop();
            exit.get(30, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(InetSocketAddress address, String path)
            throws IOException, InterruptedException {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The agent in this JVM against a kubelet on real Unix sockets; the jar's own run is in FatJarIT. */
    @Test
    void servesTheFakeGpusToAKubeletAndRemovesItsSocketsWhenStopped() throws Exception {
        Path plugins = socketDir();
        try (FakeKubelet kubelet = FakeKubelet.start(plugins)) {
            CommandLine cl = commandLine();
            AgentCommand command = cl.getSubcommands().get("agent").getCommand();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("agent",
                    "--backend", "fake", "--inventory", Repo.fakeInventory().toString(), "--no-api",
                    "--node-name", "test-node", "--metrics-addr", "127.0.0.1:0",
                    "--device-plugin-dir", plugins.toString(),
                    "--pod-resources-socket", plugins.resolve("pr.sock").toString(),
                    "--device-list-strategy", "volume-mounts"));
            try {
                await("the agent to start", () -> command.agent() != null || exit.isDone());
                assertThat(exit).as(err.toString()).isNotDone();
                kubelet.awaitRegisterCalls("nvidia.com/gpu", 1, WAIT);
                kubelet.awaitRegisterCalls("gantry.io/gpu-milli", 1, WAIT);
                kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 4, WAIT);
                kubelet.awaitDevices("gantry.io/gpu-milli", d -> d.size() == 4000, WAIT);
                assertThat(command.agent().metricsAddress().getPort()).isPositive();

                ContainerAllocateResponse r = kubelet.admit("nvidia.com/gpu", 2);
                // --device-list-strategy volume-mounts: the GPUs are mounts, the variable points at their directory.
                assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES",
                        "/var/run/nvidia-container-devices");
                assertThat(r.getMountsList()).hasSize(2).allSatisfy(m ->
                        assertThat(Set.of(Repo.FAKE_UUIDS)).contains(Path.of(m.getContainerPath()).getFileName()
                                .toString()));

                command.stop();
                assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
                assertThat(command.agent()).isNull();
                assertThat(plugins.resolve("gantry-gpu.sock")).doesNotExist();
                assertThat(plugins.resolve("gantry-gpu-milli.sock")).doesNotExist();
                assertThat(plugins.resolve("kubelet.sock")).exists();
            } finally {
                command.stop();
                exit.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void helpDocumentsEveryOption() {
        assertThat(run("agent", "--help")).isZero();
        assertThat(out.toString()).contains("--backend", "--inventory", "--nvidia-smi", "--device-plugin-dir",
                "--pod-resources-socket", "--metrics-addr", "--node-name", "NODE_NAME", "--kubeconfig", "--no-api",
                "--device-list-strategy", "--cdi-kind", "--health-recovery", "--health-check-interval",
                "--ignore-xids", "--force-xids", "--label-node", "--fail-on-init-error",
                "/var/lib/kubelet/device-plugins", "0.0.0.0:9400");
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("agent", "discover");
    }
}
