package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.cli.BenchCommand.SchedulerBench;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return CliRun.execute(out, err, args);
    }

    @Test
    void aSmallBurstIsScheduledEndToEndAndChecked() throws Exception {
        Path json = dir.resolve("bench.json");
        int code = run("bench", "scheduler", "--nodes", "20", "--pods", "100", "--creators", "4", "--timeout", "120",
                "--json", json.toString());

        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("20 nodes (136 GPUs), 100 pods", "pods bound", "100 / 100", "pods/s",
                "create -> bind p99", "engine decision p99", "check: OK");
        assertThat(err.toString()).contains("created 20 nodes", "scheduler started");
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("pods_bound").asInt()).isEqualTo(100);
        assertThat(doc.get("check").asText()).isEqualTo("OK");
        assertThat(doc.get("pods_per_second").asDouble()).isPositive();
        assertThat(doc.get("decisions").asLong()).isGreaterThanOrEqualTo(100);
        assertThat(doc.get("attempts").get("scheduled").asLong()).isEqualTo(100);
    }

    @Test
    void theWorkloadIsSeededMixedAndFits() {
        List<SchedulerBench.PodShape> a = SchedulerBench.podShapes(5000, 42);
        assertThat(a).isEqualTo(SchedulerBench.podShapes(5000, 42));
        assertThat(a).isNotEqualTo(SchedulerBench.podShapes(5000, 43));
        long whole = a.stream().filter(p -> p.milli() == 1000).count();
        assertThat(whole).isBetween(2800L, 3200L);
        assertThat(a.stream().filter(p -> p.milli() == 1000).map(SchedulerBench.PodShape::gpus).distinct())
                .containsExactlyInAnyOrder(1, 2, 4);
        assertThat(a.stream().filter(p -> p.milli() < 1000)).allSatisfy(p -> {
            assertThat(p.gpus()).isEqualTo(1);
            assertThat(p.milli()).isBetween(100, 900);
        });
        long demand = a.stream().mapToLong(SchedulerBench.PodShape::gpuMilliTotal).sum();
        long capacity = SchedulerBench.nodeShapes(1000).stream().mapToLong(n -> n.gpus() * 1000L).sum();
        assertThat(capacity).isEqualTo(6_800_000L);
        assertThat((double) demand / capacity).isBetween(0.7, 0.9);
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("bench", "scheduler", "--nodes", "1", "--pods", "100")).isEqualTo(2);
        assertThat(err.toString()).contains("keep it under 90 %");
        assertThat(run("bench", "scheduler", "--policy", "tetris")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown policy 'tetris'");
        assertThat(run("bench", "scheduler", "--creators", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--creators");
        assertThat(run("bench", "scheduler", "--help")).isZero();
        assertThat(out.toString()).contains("--nodes", "--pods", "--policy", "--seed", "--creators", "--timeout",
                "--json", "lower bound");
    }

    @Test
    void p99IsTheUpperBoundOfTheBucketHoldingIt() {
        CountAtBucket[] cumulative = {new CountAtBucket(1_000.0, 50), new CountAtBucket(2_000.0, 98),
            new CountAtBucket(4_000.0, 100)};
        assertThat(SchedulerBench.percentileUpperBound(cumulative, 100, 0.99)).isEqualTo(4_000.0);
        assertThat(SchedulerBench.percentileUpperBound(cumulative, 100, 0.50)).isEqualTo(1_000.0);
        CountAtBucket[] perBucket = {new CountAtBucket(1_000.0, 50), new CountAtBucket(2_000.0, 48),
            new CountAtBucket(4_000.0, 2)};
        assertThat(SchedulerBench.percentileUpperBound(perBucket, 100, 0.99)).isEqualTo(4_000.0);
        assertThat(SchedulerBench.percentileUpperBound(new CountAtBucket[0], 0, 0.99)).isNaN();
    }
}
