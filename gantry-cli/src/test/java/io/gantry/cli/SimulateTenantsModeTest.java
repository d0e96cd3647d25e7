package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** {@code gantry simulate --mode tenants} on a small generated cluster, trace and queues. */
class SimulateTenantsModeTest {

    @TempDir
    Path dir;

    private Path nodes;
    private Path pods;
    private Path queues;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void smallTraces() throws IOException {
        nodes = dir.resolve("nodes.csv");
        Files.write(nodes, List.of("sn,cpu_milli,memory_mib,gpu,model", "node-0,32000,131072,4,A100",
                "node-1,32000,131072,4,A100"));
        pods = dir.resolve("pods.csv");
        List<String> lines = new ArrayList<>(List.of("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,"
                + "creation_time,deletion_time,scheduled_time,queue,priority,pod_group,min_member,duration_s,"
                + "expected_duration_s"));
        for (int i = 0; i < 16; i++) {
            // team-b floods the cluster early; team-a comes later and is owed its guarantee
            lines.add(String.format("b-%02d,1000,1024,1,1000,,%d,%d,%d,team-b,0,,,600,600", i, i, i + 600, i));
        }
        for (int i = 0; i < 4; i++) {
            lines.add(String.format("a-%d,1000,1024,1,1000,,100,700,100,team-a,10,train,4,300,300", i));
        }
        Files.write(pods, lines);
        queues = dir.resolve("queues.yaml");
        Files.writeString(queues, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-a}
                ---
                apiVersion: scheduling.gantry.io/v1alpha1
                kind: Queue
                metadata: {name: team-a}
                spec:
                  quota: [{resource: gpu, guaranteed: 4}]
                ---
                apiVersion: scheduling.gantry.io/v1alpha1
                kind: Queue
                metadata: {name: team-b}
                spec:
                  quota: [{resource: gpu, guaranteed: 4}]
                """);
    }

    private int run(String... args) {
        return CliRun.execute(out, err, args);
    }

    @Test
    void comparesTheAdmissionPoliciesAndWritesQueuesAndSummary() throws IOException {
        Path results = dir.resolve("results");
        assertThat(run("simulate", "--mode", "tenants", "--nodes", nodes.toString(), "--pods", pods.toString(),
                "--queues", queues.toString(), "--quiet", "--out", results.toString())).isZero();
        assertThat(out.toString()).contains("2 queue(s); not read (not Queue objects): {Namespace=1}",
                "admission", "quota violations", "partial gangs");
        List<String> csv = Files.readAllLines(results.resolve("queues.csv"));
        assertThat(csv.get(0)).startsWith("workload,admission,sc_policy,seed,queue,parent,leaf,guaranteed_gpus");
        for (String admission : List.of("fifo", "quota", "gantry", "backfill")) {
            assertThat(csv).anyMatch(l -> l.contains("," + admission + ",fgd,42,team-a,,true,4.000,"));
        }
        JsonNode summary = new ObjectMapper().readTree(results.resolve("summary.json").toFile());
        assertThat(summary).hasSize(4);
        for (JsonNode run : summary) {
            assertThat(run.get("quotaViolations").asLong()).isZero();
            assertThat(run.get("partialGangs").asInt()).isZero();
            assertThat(run.get("priorityInversions").asInt()).isZero();
            assertThat(run.get("gangsRun").asInt()).isEqualTo(1);
        }
        JsonNode gantry = summary.get(2);
        assertThat(gantry.get("admission").asText()).isEqualTo("gantry");
        // team-b borrowed team-a's idle guarantee; team-a's gang reclaims it
        assertThat(gantry.get("preemptions").asInt()).isPositive();
        assertThat(summary.get(0).get("preemptions").asInt()).isZero();
        assertThat(summary.get(2).get("backfill").isNull()).isTrue();
        JsonNode backfill = summary.get(3);
        assertThat(backfill.get("admission").asText()).isEqualTo("backfill");
        // every pod here says how long it runs: each completed one was predicted, exactly
        JsonNode error = backfill.get("backfillPredictorError");
        assertThat(error.get("predictedPods").asInt()).isPositive();
        assertThat(error.get("unpredictedPods").asInt()).isZero();
        assertThat(error.get("weightedAbsolutePercentError").asDouble()).isZero();
    }

    @Test
    void podsOfUndeclaredQueuesAreRefusedBeforeAnyRun() throws IOException {
        Files.writeString(queues, """
                apiVersion: scheduling.gantry.io/v1alpha1
                kind: Queue
                metadata: {name: team-a}
                """);
        assertThat(run("simulate", "--mode", "tenants", "--nodes", nodes.toString(), "--pods", pods.toString(),
                "--queues", queues.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("pods name queue(s) team-b that", "does not declare as leaf queues");
    }

    @Test
    void badQueuesFilesAndOptionsAreRejectedPlainly() throws IOException {
        Files.writeString(queues, """
                apiVersion: scheduling.gantry.io/v1alpha1
                kind: Queue
                metadata: {name: team-a}
                spec: {weight: 0}
                """);
        assertThat(run("simulate", "--mode", "tenants", "--nodes", nodes.toString(), "--pods", pods.toString(),
                "--queues", queues.toString())).isNotZero();
        assertThat(err.toString()).contains("queue team-a: spec.weight must be at least 1").doesNotContain("Exception");
        assertThat(run("simulate", "--mode", "tenants", "--admission", "lottery")).isEqualTo(2);
        assertThat(err.toString()).contains("--admission: unknown policy 'lottery'; use fifo, quota, gantry or backfill");
        assertThat(run("simulate", "--queues", queues.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--queues belongs to --mode tenants");
    }
}
