package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import io.gantry.agent.testing.FakeKubelet;
import io.gantry.kube.sandbox.KubeSandbox;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar as users start it: everything it needs is inside. */
class FatJarIT {

    @TempDir
    Path dir;

    private static Path jar() {
        String path = System.getProperty("fatJar");
        assertThat(path).as("system property fatJar (set by failsafe)").isNotNull();
        return Path.of(path);
    }

    private Process start(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void simulatesTheBuiltInWorkloadAndWritesEveryReport() throws Exception {
        Path out = dir.resolve("out");
        Process p = start("simulate", "--policy", "fgd,random", "--out", out.toString());
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("synthetic-openb", "fgd", "random", "[2/2]", "2 runs in");
        for (String file : List.of("alloc.csv", "frag.csv", "frag_ratio.csv", "summary.json")) {
            assertThat(out.resolve(file)).isNotEmptyFile();
        }
        assertThat(Files.readString(out.resolve("summary.json"))).contains("\"sc_policy\" : \"06-FGD\"");
    }

    @Test
    void versionAndHelpWork() throws Exception {
        Process p = start("--help");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(output).contains("Usage: gantry", "simulate");

        Process v = start("--version");
        String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(v.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(version.trim()).isEqualTo("gantry 0.1.0-SNAPSHOT");
    }

    @Test
    void schedulerWithABadConfigExitsWithCode2NamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), "binding: {workers: 0}\n");
        Process p = start("scheduler", "--config", config.toString());
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("binding.workers").doesNotContain("Exception");
    }

    /** Starts the jar with its output going to a file, which stays readable after the process is signalled. */
    private Process startLogging(Path log, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static void await(String what, Path log, BooleanSupplier condition) {
        try {
            Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).dontCatchUncaughtExceptions().until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + "; output:\n" + read(log), e);
        }
    }

    @Test
    void schedulerBindsPodsLogsAndReleasesTheLeaseOnSigterm() throws Exception {
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            sandbox.client().nodes().resource(KubeSandbox.gpuNode("gpu-a", 8, "A100", 64, 256)).create();
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: sandbox, cluster: {server: "%s"}}]
                    users: [{name: tester, user: {token: not-checked}}]
                    contexts: [{name: sandbox, context: {cluster: sandbox, user: tester}}]
                    current-context: sandbox
                    """.formatted(sandbox.client().getMasterUrl()));
            Path log = dir.resolve("scheduler.log");
            Process p = startLogging(log, "scheduler", "--kubeconfig", kubeconfig.toString(), "--port", "0",
                    "--identity", "it-1", "--lease-namespace", "gantry-system");
            try {
                await("the scheduler to lead", log, () -> read(log).contains("it-1 now leads"));
                assertThat(read(log)).contains("INFO", "listening on :",
                        "leader election on: lease gantry-system/gantry-scheduler");
                sandbox.client().pods().inNamespace("team").resource(
                        KubeSandbox.gpuPod("team", "job", "gantry", 2, 1000, 1000, 1024)).create();
                await("the pod to be bound", log, () -> {
                    Pod pod = sandbox.client().pods().inNamespace("team").withName("job").get();
                    return pod.getSpec().getNodeName() != null;
                });
                Lease lease = sandbox.client().resources(Lease.class).inNamespace("gantry-system")
                        .withName("gantry-scheduler").get();
                assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("it-1");

                p.destroy(); // SIGTERM
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(read(log)).isTrue();
                assertThat(read(log)).contains("stopping", "stopped");
                // fabric8 releases a lease by cutting its duration to 1 s from now, so a standby takes it at once.
                Lease released = sandbox.client().resources(Lease.class).inNamespace("gantry-system")
                        .withName("gantry-scheduler").get();
                assertThat(released.getSpec().getLeaseDurationSeconds()).as(read(log) + released).isEqualTo(1);
                assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void benchRunsTheSchedulerAgainstTheBuiltInApiServer() throws Exception {
        Process p = start("bench", "scheduler", "--nodes", "10", "--pods", "30", "--timeout", "120");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("30 / 30", "pods/s", "check: OK");
    }

    /**
     * The node agent as the DaemonSet runs it, on the fake GPUs of deploy/examples/fake-inventory.yaml, against a
     * kubelet played by the test over the real device plugin protocol on real Unix sockets.
     */
    @Test
    void agentServesTheFakeGpusToTheKubeletExportsMetricsAndRemovesItsSocketsOnSigterm() throws Exception {
        // Unix socket paths are limited to 107 bytes: a short directory, not the @TempDir.
        Path plugins = Files.createTempDirectory("gx");
        Path log = dir.resolve("agent.log");
        try (FakeKubelet kubelet = FakeKubelet.start(plugins)) {
            Process p = startLogging(log, "agent", "--backend", "fake", "--inventory",
                    Repo.fakeInventory().toString(), "--device-plugin-dir", plugins.toString(), "--no-api",
                    "--metrics-addr", "127.0.0.1:0", "--node-name", "test-node");
            try {
                Duration wait = Duration.ofSeconds(60);
                kubelet.awaitRegisterCalls("nvidia.com/gpu", 1, wait);
                kubelet.awaitRegisterCalls("gantry.io/gpu-milli", 1, wait);
                kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 4, wait);
                kubelet.awaitDevices("gantry.io/gpu-milli", d -> d.size() == 4000, wait);
                assertThat(kubelet.plugin("nvidia.com/gpu").devices()).extracting(d -> d.getID())
                        .containsExactly(Repo.FAKE_UUIDS);

                ContainerAllocateResponse r = kubelet.admit("nvidia.com/gpu", 1);
                String first = r.getEnvsMap().get("NVIDIA_VISIBLE_DEVICES");
                assertThat(first).as(r.toString()).isIn((Object[]) Repo.FAKE_UUIDS);
                // Without API access the agent hands out the device the kubelet asks for.
                String other = Stream.of(Repo.FAKE_UUIDS).filter(u -> !u.equals(first)).reduce((a, b) -> b)
                        .orElseThrow();
                assertThat(kubelet.allocate("nvidia.com/gpu", List.of(other)).getEnvsMap())
                        .containsEntry("NVIDIA_VISIBLE_DEVICES", other);

                Pattern metricsUrl = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:(\\d+)/metrics)");
                await("the metrics address in the log", log, () -> metricsUrl.matcher(read(log)).find());
                Matcher m = metricsUrl.matcher(read(log));
                assertThat(m.find()).isTrue();
                assertThat(Integer.parseInt(m.group(2))).isPositive();
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(m.group(1))).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                for (String uuid : Repo.FAKE_UUIDS) {
                    assertThat(metrics.body()).containsPattern("DCGM_FI_DEV_FB_FREE\\{[^}]*UUID=\"" + uuid
                            + "\"[^}]*} 81920");
                }
                assertThat(metrics.body()).contains("gantry_gpu_share_allocated_milli");
                assertThat(read(log)).contains("agent running on node test-node: 4 GPU(s) from the fake backend",
                        "no API access");

                p.destroy(); // SIGTERM
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(read(log)).isTrue();
                assertThat(read(log)).contains("stopping", "stopped").doesNotContain("Exception");
                assertThat(plugins.resolve("gantry-gpu.sock")).as(read(log)).doesNotExist();
                assertThat(plugins.resolve("gantry-gpu-milli.sock")).doesNotExist();
                assertThat(plugins.resolve("kubelet.sock")).exists();
            } finally {
                p.destroyForcibly();
            }
        } finally {
            try (Stream<Path> files = Files.walk(plugins)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Test
    void discoverListsTheFakeGpusAndExplainsAMissingDriver() throws Exception {
        Process p = start("discover", "--backend", "fake", "--inventory", Repo.fakeInventory().toString(),
                "--format", "json");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains(Repo.FAKE_UUIDS).contains("\"backend\" : \"fake\"");

        // NVML through JNA, from inside the shaded jar: on a machine without the driver, a clear message.
        Process nvml = start("discover", "--backend", "nvml");
        String nvmlOutput = new String(nvml.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(nvml.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (nvml.exitValue() == 0) {
            assertThat(nvmlOutput).startsWith("nvml backend:").contains("GPU-");
        } else {
            assertThat(nvml.exitValue()).as(nvmlOutput).isEqualTo(1);
            assertThat(nvmlOutput).startsWith("gantry discover: NVML").contains("libnvidia-ml")
                    .doesNotContain("Exception", "\tat ");
        }
    }
}
