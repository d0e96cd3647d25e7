package io.gantry.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class SchedulerLoadTestTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = BenchCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aSmallBurstIsScheduledEndToEndAgainstTheApiServerProcessAndChecked() throws Exception {
        Path json = dir.resolve("bench.json");
        int code = run("scheduler", "--nodes", "30", "--pods", "100", "--warmup", "20", "--timeout", "120", "--json",
                json.toString());

        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("30 nodes (204 GPUs), 100 pods", "API server in its own JVM",
                "after 20 warm-up pods", "100 / 100", "pods/s", "create -> bind p99", "scheduler process CPU per bound pod",
                "API server process CPU per bound pod", "engine decision p99", "check: OK");
        assertThat(err.toString()).contains("API server started (pid", "created 30 nodes", "scheduler started",
                "warm-up: 20 pods bound");
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("pods_bound").asInt()).isEqualTo(100);
        assertThat(doc.get("check").asString()).isEqualTo("OK");
        assertThat(doc.get("pods_per_second").asDouble()).isPositive();
        assertThat(doc.get("create_to_bind_p99_ms").asDouble()).isPositive();
        assertThat(doc.get("scheduler_cpu_us_per_pod").asDouble()).isPositive();
        assertThat(doc.get("api_server_cpu_us_per_pod").asDouble()).isPositive();
        assertThat(doc.get("warmup_pods").asInt()).isEqualTo(20);
        assertThat(doc.get("attempts").get("scheduled").asLong()).isEqualTo(120);
        // requests of the measured burst only: the warm-up's binds are left out
        assertThat(doc.get("api_requests").get("POST pods/binding").asLong()).isEqualTo(100);
        // the scheduler's informers watch from before the burst: no list or new watch during it
        assertThat(doc.get("api_requests").get("LIST pods").asLong()).isZero();
    }

    @Test
    void theBurstWithQueuesGangsAndPreemptionIsScheduledAndChecked() throws Exception {
        Path json = dir.resolve("tenancy.json");
        // a reclaim share of 0.3 leaves room for only 70 % of the GPUs asked, so at least a few of the borrower's
        // 8-GPU pods must be evicted for every pod to be bound
        int code = run("scheduler", "--nodes", "30", "--pods", "100", "--warmup", "20", "--timeout", "120",
                "--tenancy", "--queues", "2", "--gang-share", "0.2", "--gang-size", "4", "--reclaim-share", "0.3",
                "--json", json.toString());

        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("tenancy: 2 team queues + borrower 'batch'", "20 of the pods in gangs of 4",
                "100 / 100", "evictions (preemption) during the burst", "first create -> 90 % bound",
                "only the borrower's pods evicted; no queue over its limit; no gang bound in part", "check: OK");
        assertThat(err.toString()).contains("created 3 queues and 6 pod groups", "borrower: ", "warm-up: 20 pods bound");
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("check").asString()).isEqualTo("OK");
        assertThat(doc.get("tenancy").asBoolean()).isTrue();
        assertThat(doc.get("evictions").asInt()).isPositive();
        assertThat(doc.get("api_requests").get("POST pods/eviction").asLong()).isPositive();
        assertThat(doc.get("pods_per_second_to_90_percent").asDouble()).isPositive();
    }

    @Test
    void theWorkloadIsSeededMixedAndFits() {
        List<Workload.PodShape> a = Workload.podShapes(5000, 42);
        assertThat(a).isEqualTo(Workload.podShapes(5000, 42));
        assertThat(a).isNotEqualTo(Workload.podShapes(5000, 43));
        long whole = a.stream().filter(p -> p.milli() == 1000).count();
        assertThat(whole).isBetween(2800L, 3200L);
        assertThat(a.stream().filter(p -> p.milli() == 1000).map(Workload.PodShape::gpus).distinct())
                .containsExactlyInAnyOrder(1, 2, 4);
        assertThat(a.stream().filter(p -> p.milli() < 1000)).allSatisfy(p -> {
            assertThat(p.gpus()).isEqualTo(1);
            assertThat(p.milli()).isBetween(100, 900);
        });
        long demand = a.stream().mapToLong(Workload.PodShape::gpuMilliTotal).sum();
        long capacity = Workload.nodeShapes(1000).stream().mapToLong(n -> n.gpus() * 1000L).sum();
        assertThat(capacity).isEqualTo(6_800_000L);
        assertThat((double) demand / capacity).isBetween(0.7, 0.9);
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("scheduler", "--nodes", "1", "--pods", "100")).isEqualTo(2);
        assertThat(err.toString()).contains("keep it under 90 %");
        assertThat(run("scheduler", "--policy", "tetris")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown policy 'tetris'");
        assertThat(run("scheduler", "--warmup", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--warmup must be >= 0");
        assertThat(run("scheduler", "--nodes", "20", "--pods", "100", "--warmup", "100")).isEqualTo(2);
        assertThat(err.toString()).contains("(and --warmup) ask");
        assertThat(run("scheduler", "--rate", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate");
        assertThat(run("scheduler", "--server-event-loops", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--server-event-loops");
        assertThat(run("scheduler", "--tenancy", "--gang-size", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--gang-size must be >= 2");
        assertThat(run("scheduler", "--queues", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--queues only applies with --tenancy");
        assertThat(run("scheduler", "--help")).isZero();
        assertThat(out.toString()).contains("--nodes", "--pods", "--policy", "--seed", "--warmup", "--rate",
                "--server-jvm-options", "--timeout", "--json", "own JVM", "--tenancy", "--queues", "--gang-share",
                "--gang-size", "--reclaim-share", "--no-borrower");
    }

    @Test
    void p99IsTheUpperBoundOfTheBucketHoldingIt() {
        CountAtBucket[] cumulative = {new CountAtBucket(1_000.0, 50), new CountAtBucket(2_000.0, 98),
            new CountAtBucket(4_000.0, 100)};
        assertThat(SchedulerLoadTest.percentileUpperBound(cumulative, 100, 0.99)).isEqualTo(4_000.0);
        assertThat(SchedulerLoadTest.percentileUpperBound(cumulative, 100, 0.50)).isEqualTo(1_000.0);
        CountAtBucket[] perBucket = {new CountAtBucket(1_000.0, 50), new CountAtBucket(2_000.0, 48),
            new CountAtBucket(4_000.0, 2)};
        assertThat(SchedulerLoadTest.percentileUpperBound(perBucket, 100, 0.99)).isEqualTo(4_000.0);
        assertThat(SchedulerLoadTest.percentileUpperBound(new CountAtBucket[0], 0, 0.99)).isNaN();
    }
}
