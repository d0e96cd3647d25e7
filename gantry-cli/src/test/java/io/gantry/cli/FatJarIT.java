package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.kube.sandbox.KubeSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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

    private static void await(String what, Path log, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what + "; output:\n" + read(log))
                    .isLessThan(deadline);
            Thread.sleep(50);
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
}
