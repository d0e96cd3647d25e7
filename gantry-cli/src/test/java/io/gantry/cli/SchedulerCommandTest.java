package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gantry.kube.sandbox.KubeSandbox;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SchedulerCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine commandLine() {
        CommandLine cl = GantryCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    private int run(String... args) {
        return commandLine().execute(args);
    }

    private Path config(String yaml) throws IOException {
        return Files.writeString(dir.resolve("config-" + System.nanoTime() + ".yaml"), yaml);
    }

    @Test
    void aBadConfigExitsWithCode2NamingTheKeyWithoutAStackTrace() throws IOException {
        assertThat(run("scheduler", "--config", config("policy: tetris\n").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("gantry scheduler:", "policy", "tetris", "fgd")
                .doesNotContain("Exception", "\tat ");

        assertThat(run("scheduler", "--config", config("server: {port: 70000}\n").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("server.port", "70000");

        assertThat(run("scheduler", "--config", config("leaderElection: {enabled: true, lease: x}\n").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("leaderElection.lease");

        assertThat(run("scheduler", "--config", dir.resolve("missing.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.yaml");

        assertThat(run("scheduler", "--port", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--port", "-1");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpDocumentsEveryOption() {
        assertThat(run("scheduler", "--help")).isZero();
        assertThat(out.toString()).contains("--config", "--kubeconfig", "--extender", "--port", "--identity",
                "--lease-namespace", "POD_NAME", "POD_NAMESPACE");
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("scheduler", "bench");
    }

    private static Path kubeconfig(KubeSandbox sandbox, Path dir) throws IOException {
        String url = sandbox.client().getMasterUrl().toString();
        return Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: sandbox
                  cluster: {server: "%s"}
                users:
                - name: tester
                  user: {token: not-checked}
                contexts:
                - name: sandbox
                  context: {cluster: sandbox, user: tester, namespace: default}
                current-context: sandbox
                """.formatted(url));
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .dontCatchUncaughtExceptions().until(condition::getAsBoolean);
    }

    @Test
    void schedulesPodsFromAKubeconfigServesHttpAndStopsCleanly() throws Exception {
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            sandbox.client().nodes().resource(KubeSandbox.gpuNode("gpu-a", 4, "A100", 32, 128)).create();
            Path config = config("""
                    leaderElection: {enabled: false}
                    backoff: {initial: 100ms, max: 1s}
                    """);
            CommandLine cl = commandLine();
            SchedulerCommand command = cl.getSubcommands().get("scheduler").getCommand();
            String kubeconfig = kubeconfig(sandbox, dir).toString();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("scheduler",
                    "--config", config.toString(), "--kubeconfig", kubeconfig,
                    "--port", "0", "--identity", "test-1"));
            await("scheduler started", Duration.ofSeconds(30), () -> command.scheduler() != null || exit.isDone());
            assertThat(exit).as(err.toString()).isNotDone();
            try {
                sandbox.client().pods().inNamespace("team").resource(
                        KubeSandbox.gpuPod("team", "train", "gantry", 1, 500, 1000, 1024)).create();
                await("pod bound", Duration.ofSeconds(20), () -> {
                    Pod p = sandbox.client().pods().inNamespace("team").withName("train").get();
                    return p != null && p.getSpec().getNodeName() != null;
                });
                Pod bound = sandbox.client().pods().inNamespace("team").withName("train").get();
                assertThat(bound.getSpec().getNodeName()).isEqualTo("gpu-a");
                assertThat(bound.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-milli", "500");

                int port = command.scheduler().httpPort();
                HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);

                command.stop();
                assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
                assertThat(command.scheduler()).isNull();
            } finally {
                command.stop();
                exit.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void losingTheLeaseExitsWithCode1() throws Exception {
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            Path config = config("""
                    leaderElection: {enabled: true, leaseName: gantry-test, leaseDuration: 2s, renewDeadline: 1s,
                      retryPeriod: 200ms}
                    """);
            CommandLine cl = commandLine();
            SchedulerCommand command = cl.getSubcommands().get("scheduler").getCommand();
            String kubeconfig = kubeconfig(sandbox, dir).toString();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("scheduler",
                    "--config", config.toString(), "--kubeconfig", kubeconfig,
                    "--port", "0", "--identity", "me", "--lease-namespace", "kube-system"));
            try {
                await("lease taken", Duration.ofSeconds(30), () -> {
                    Lease l = sandbox.client().leases().inNamespace("kube-system").withName("gantry-test").get();
                    return l != null && "me".equals(l.getSpec().getHolderIdentity());
                });
                assertThat(exit).isNotDone();

                // Another instance takes the lease for a minute: this one can no longer renew and must exit.
                for (int attempt = 0; ; attempt++) {
                    try {
                        sandbox.client().leases().inNamespace("kube-system").withName("gantry-test").edit(l ->
                                new LeaseBuilder(l).editSpec().withHolderIdentity("someone-else")
                                        .withLeaseDurationSeconds(60).withRenewTime(ZonedDateTime.now()).endSpec()
                                        .build());
                        break;
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != 409 || attempt > 20) {
                            throw e; // 409: the scheduler renewed in between; try again
                        }
                    }
                }
                assertThat(exit.get(30, TimeUnit.SECONDS)).as(err.toString()).isEqualTo(1);
            } finally {
                command.stop();
                exit.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
