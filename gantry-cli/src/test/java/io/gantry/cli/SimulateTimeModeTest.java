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

/** {@code gantry simulate --mode time} on small generated traces. */
class SimulateTimeModeTest {

    @TempDir
    Path dir;

    private Path nodes;
    private Path pods;
    private Path dlrm;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void smallTraces() throws IOException {
        nodes = dir.resolve("nodes.csv");
        Files.write(nodes, List.of("sn,cpu_milli,memory_mib,gpu,model", "node-0,32000,131072,2,T4",
                "node-1,32000,131072,2,T4"));
        pods = dir.resolve("pods_timed.csv");
        List<String> lines = new ArrayList<>(List.of(
                "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time"));
        for (int i = 0; i < 12; i++) {
            // 12 one-GPU pods of 100 s, one every 10 s, on 4 GPUs: the later ones wait.
            lines.add(String.format("pod-%02d,1000,1024,1,1000,,LS,Running,%d,%d,%d", i, i * 10, i * 10 + 100, i * 10));
        }
        Files.write(pods, lines);
        dlrm = dir.resolve("dlrm.csv");
        List<String> d = new ArrayList<>(List.of("instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,"
                + "rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,"
                + "creation_time,scheduled_time,deletion_time"));
        for (int i = 0; i < 6; i++) {
            d.add(String.format("i%d,HN,app_0,8,8,1,1,0,0,40,40,0,0,2,,,%s", i, i < 3 ? "" : "3600"));
            d.add(String.format("c%d,CN,app_1,48,48,0,0,0,0,240,240,0,0,-1,%d,%d,%d", i, i * 60, i * 60, i * 60 + 600));
        }
        Files.write(dlrm, d);
    }

    private int run(String... args) {
        return CliRun.execute(out, err, args);
    }

    @Test
    void helpDocumentsTheTimeModeOptions() {
        assertThat(run("simulate", "--help")).isZero();
        assertThat(out.toString()).contains("--mode", "--trace-format", "--load", "--max-wait", "--sample-interval",
                "--mode time --trace-format dlrm");
    }

    @Test
    void anOpenbRunWithRaisedLoadPrintsDelaysByClassAndWritesTheSeries() throws IOException {
        Path results = dir.resolve("results");
        int code = run("simulate", "--mode", "time", "--nodes", nodes.toString(), "--pods", pods.toString(),
                "--policy", "fgd", "--load", "2", "--quiet", "--out", results.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("offered GPU load", "-> 2.0000", "queueing delay", "1-gpu",
                "p99 s", "GPU-h served", "1 runs in");
        List<String> series = Files.readAllLines(results.resolve("timeseries.csv"));
        assertThat(series.get(0)).startsWith("workload,sc_policy,scoring,seed,time_s,gpu_alloc_pct");
        assertThat(series).anySatisfy(l -> assertThat(l).contains(",100.0000,")); // all 4 GPUs busy at some point
        JsonNode json = new ObjectMapper().readTree(results.resolve("timed_summary.json").toFile());
        assertThat(json.get(0).get("placed").asInt()).isEqualTo(12);
        JsonNode gpu1 = json.get(0).get("delays").get(0);
        assertThat(gpu1.get("class").asString()).isEqualTo("1-gpu");
        assertThat(gpu1.get("p99Seconds").asDouble()).isPositive(); // with load 2 on 4 GPUs, pods wait
        assertThat(Files.readAllLines(results.resolve("delays.csv")).get(0)).contains("p50_s,p95_s,p99_s");
    }

    @Test
    void aDlrmRunUsesABuiltInClusterAndHonoursTheDensityLimit() {
        int code = run("simulate", "--mode", "time", "--trace-format", "dlrm", "--pods", dlrm.toString(),
                "--policy", "bestfit", "--max-wait", "2h", "--sample-interval", "10m", "--quiet");
        assertThat(code).as(err.toString()).isZero();
        // 6 HN instances, at most 2 per node: 3 nodes (+10 %: 4); 6 x 48 vCPUs on 256-vCPU CN nodes: 2 nodes.
        assertThat(out.toString()).contains("built-in cluster", "2 CPU nodes", "4 GPU nodes", "cpu-only", "1-gpu",
                "dlrm", "12      12");
    }

    @Test
    void listsWithoutTimesAreRefusedInTimeMode() throws IOException {
        Path multigpu = dir.resolve("openb_pod_list_multigpu20.csv");
        Files.write(multigpu, List.of("name,cpu_milli,memory_mib,num_gpu,gpu_milli", "p,1000,1024,1,1000"));
        int code = run("simulate", "--mode", "time", "--nodes", nodes.toString(), "--pods", multigpu.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("openb_pod_list_multigpu20.csv:1", "creation_time", "--mode paper");
    }

    @Test
    void badValuesAreRejectedNamingTheFlag() {
        String[] base = {"simulate", "--mode", "time", "--nodes", "x.csv", "--pods", "y.csv"};
        assertThat(run(concat(base, "--load", "-1"))).isEqualTo(2);
        assertThat(err.toString()).contains("--load must be a positive number");
        assertThat(run(concat(base, "--max-wait", "soon"))).isEqualTo(2);
        assertThat(err.toString()).contains("--max-wait must be a duration such as 90s");
        assertThat(run(concat(base, "--sample-interval", "0s"))).isEqualTo(2);
        assertThat(err.toString()).contains("--sample-interval must be at least 1 ms");
        assertThat(run(concat(base, "--trace-format", "parquet"))).isEqualTo(2);
        assertThat(err.toString()).contains("--trace-format: unknown trace format 'parquet'; choose one of openb, dlrm");
        assertThat(run(concat(base, "--tune", "1.3"))).isEqualTo(2);
        assertThat(err.toString()).contains("--tune belongs to --mode paper");
        assertThat(run("simulate", "--mode", "hourly")).isEqualTo(2);
        assertThat(err.toString()).contains("--mode must be paper, time or tenants");
        assertThat(run("simulate", "--load", "0.9")).isEqualTo(2);
        assertThat(err.toString()).contains("--load belongs to --mode time");
        assertThat(run("simulate", "--mode", "time", "--pods", "y.csv")).isEqualTo(2);
        assertThat(err.toString()).contains("--trace-format openb needs --nodes FILE");
        assertThat(run("simulate", "--mode", "time", "--trace-format", "dlrm", "--pods", dlrm.toString(),
                "--load", "0.9")).isEqualTo(2);
        assertThat(err.toString()).contains("--load:", "still running when the trace ends");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
