package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.PolicyRegistry;
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

class SimulateCommandTest {

    @TempDir
    Path dir;

    private Path nodes;
    private Path pods;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void smallTrace() throws IOException {
        nodes = dir.resolve("nodes.csv");
        List<String> nodeLines = new ArrayList<>(List.of("sn,cpu_milli,memory_mib,gpu,model"));
        for (int i = 0; i < 12; i++) {
            nodeLines.add(String.format("node-%02d,32000,131072,%d,%s", i, i % 3 == 0 ? 8 : 2, i % 2 == 0 ? "T4" : "V100"));
        }
        Files.write(nodes, nodeLines);
        pods = dir.resolve("pods_small.csv");
        List<String> podLines = new ArrayList<>(List.of("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos"));
        int[][] shapes = {{4000, 1, 500}, {8000, 1, 1000}, {2000, 0, 0}, {6000, 1, 250}, {16000, 2, 1000}};
        for (int i = 0; i < 40; i++) {
            int[] s = shapes[i % shapes.length];
            podLines.add(String.format("pod-%03d,%d,8192,%d,%d,%s,LS", i, s[0], s[1], s[2], i % 7 == 0 ? "V100" : ""));
        }
        Files.write(pods, podLines);
    }

    private int run(String... args) {
        return CliRun.execute(out, err, args);
    }

    @Test
    void helpDocumentsEveryOption() {
        assertThat(run("simulate", "--help")).isZero();
        assertThat(out.toString()).contains("--nodes", "--pods", "--policy", "--seeds", "--tune", "--scoring",
                "--scale", "--out", "--replay", "--paper", "--max-deviation",
                "paper", "exact");
        // the policies come from the engine's registry
        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains("Policies: " + PolicyRegistry.STANDARD.namesForHelp() + " (default");
    }

    @Test
    void writesThePapersLayout() throws IOException {
        Path results = dir.resolve("results");
        int code = run("simulate", "--nodes", nodes.toString(), "--pods", pods.toString(), "--policy", "fgd,bestfit",
                "--seeds", "1-3", "--quiet", "--out", results.toString());

        assertThat(code).as(err.toString()).isZero();
        List<String> alloc = Files.readAllLines(results.resolve("alloc.csv"));
        StringBuilder header = new StringBuilder("workload,sc_policy,tune,seed,total_gpus");
        for (int j = 0; j <= 130; j++) {
            header.append(',').append(j);
        }
        assertThat(alloc.get(0)).isEqualTo(header.toString());
        assertThat(alloc).hasSize(1 + 2 * 3);
        for (String row : alloc.subList(1, alloc.size())) {
            String[] f = row.split(",", -1);
            assertThat(f).hasSize(136);
            assertThat(f[0]).isEqualTo("pods_small");
            assertThat(f[1]).isIn("06-FGD", "05-BestFit");
            assertThat(f[2]).isEqualTo("1.3");
            assertThat(f[4]).isEqualTo("48"); // 4 nodes x 8 GPUs + 8 nodes x 2 GPUs
        }
        assertThat(alloc.get(1).split(",")[3]).isEqualTo("1");
        assertThat(Files.readAllLines(results.resolve("frag.csv")).get(0)).isEqualTo(header.toString());
        assertThat(Files.readAllLines(results.resolve("frag_ratio.csv"))).hasSize(7);
        JsonNode summary = new ObjectMapper().readTree(results.resolve("summary.json").toFile());
        assertThat(summary.get("runs")).hasSize(6);
        assertThat(summary.get("means")).hasSize(2);
        assertThat(summary.get("runs").get(0).get("pods").asInt()).isGreaterThan(40);
        assertThat(out.toString()).contains("alloc@130", "fgd", "bestfit", "6 runs in");
    }

    @Test
    void builtInWorkloadNeedsNoData() {
        int code = run("simulate", "--policy", "gpupacking", "--quiet");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("synthetic-openb", "gpupacking", "1 runs in");
    }

    @Test
    void replayMatchesItsOwnResultsAndFailsOnADifference() throws IOException {
        Path replay = dir.resolve("seed-7");
        Files.createDirectories(replay);
        List<String> arrivals = new ArrayList<>(List.of("seq,name"));
        for (int i = 0; i < 40; i++) {
            arrivals.add(i + "," + String.format("pod-%03d", (i * 17) % 40));
        }
        arrivals.add("40,pod-004-tuned-0");
        Files.write(replay.resolve("arrivals.csv"), arrivals);
        List<String> order = new ArrayList<>(List.of("name,priority"));
        for (int i = 0; i < 12; i++) {
            order.add(String.format("node-%02d,%d", i, 11 - i));
        }
        Files.write(replay.resolve("node_order.csv"), order);
        Path first = dir.resolve("first");
        assertThat(run("simulate", "--nodes", nodes.toString(), "--pods", pods.toString(), "--replay",
                replay.toString(), "--policy", "fgd,dotprod", "--quiet", "--out", first.toString())).isZero();
        Path reference = first.resolve("alloc.csv");

        assertThat(run("simulate", "--nodes", nodes.toString(), "--pods", pods.toString(), "--replay",
                replay.toString(), "--policy", "fgd,dotprod", "--quiet", "--paper", reference.toString(),
                "--max-deviation", "0.01")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("max |diff| over 131 columns", "0.00");

        List<String> changed = new ArrayList<>(Files.readAllLines(reference));
        String[] f = changed.get(1).split(",", -1);
        int column = 5; // column 0: the replay has no tuning, so the high columns are empty
        f[column] = String.valueOf(Double.parseDouble(f[column]) + 1.0);
        changed.set(1, String.join(",", f));
        Path wrong = dir.resolve("wrong.csv");
        Files.write(wrong, changed);
        assertThat(run("simulate", "--nodes", nodes.toString(), "--pods", pods.toString(), "--replay",
                replay.toString(), "--policy", "fgd,dotprod", "--quiet", "--paper", wrong.toString(),
                "--max-deviation", "0.01")).isEqualTo(1);
        assertThat(err.toString()).contains("differ from");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("simulate", "--policy", "tetris")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown policy 'tetris'", "fgd");
        assertThat(run("simulate", "--seeds", "51-42")).isEqualTo(2);
        assertThat(err.toString()).contains("bad seed range");
        assertThat(run("simulate", "--nodes", nodes.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give both --nodes FILE and --pods FILE");
        assertThat(run("simulate", "--scoring", "fuzzy")).isEqualTo(2);
        assertThat(err.toString()).contains("--scoring must be paper or exact");
        assertThat(run("simulate", "--max-deviation", "0.5")).isEqualTo(2);
        assertThat(err.toString()).contains("--max-deviation needs --paper");
    }

    @Test
    void malformedTraceStopsBeforeAnyRunWithFileLineColumnAndValue() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(pods));
        lines.set(5, "pod-004,4000,8192,2,500,,LS");
        Files.write(pods, lines);
        int code = run("simulate", "--nodes", nodes.toString(), "--pods", pods.toString(), "--quiet");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("pods_small.csv:6", "gpu_milli", "'500'", "num_gpu 1");
        assertThat(out.toString()).doesNotContain("runs in");
    }

    @Test
    void inputsThatWouldMislabelOrWasteRunsAreRefusedBeforeAnyRun() throws IOException {
        Path other = Files.createDirectories(dir.resolve("other")).resolve("pods_small.csv");
        Files.copy(pods, other);
        assertThat(run("simulate", "--nodes", nodes.toString(), "--pods", pods + "," + other)).isEqualTo(2);
        assertThat(err.toString()).contains("two files are named pods_small.csv");

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThat(run("simulate", "--policy", "fgd", "--out", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--out " + file + " is a file");

        Path cpuOnly = dir.resolve("cpu_nodes.csv");
        Files.write(cpuOnly, List.of("sn,cpu_milli,memory_mib,gpu,model", "c1,32000,65536,0,"));
        assertThat(run("simulate", "--nodes", cpuOnly.toString(), "--pods", pods.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no node has a GPU");

        Path clash = dir.resolve("clash_nodes.csv");
        Files.write(clash, List.of("sn,cpu_milli,memory_mib,gpu,model", "a,32000,65536,2,T4", "a-r1,32000,65536,2,T4"));
        assertThat(run("simulate", "--nodes", clash.toString(), "--pods", pods.toString(), "--scale", "2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("would name two nodes a-r1");

        Path replay = Files.createDirectories(dir.resolve("run-1"));
        Files.write(replay.resolve("arrivals.csv"), List.of("seq,name", "0,pod-000"));
        Files.write(replay.resolve("node_order.csv"), List.of("name,priority", "node-00,0"));
        assertThat(run("simulate", "--nodes", nodes.toString(), "--pods", pods.toString(), "--replay",
                replay.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("must be named seed-<S>");
        Path seeded = Files.createDirectories(dir.resolve("seed-3"));
        Files.copy(replay.resolve("arrivals.csv"), seeded.resolve("arrivals.csv"));
        Files.copy(replay.resolve("node_order.csv"), seeded.resolve("node_order.csv"));
        assertThat(run("simulate", "--nodes", nodes.toString(), "--pods", pods.toString(), "--replay",
                seeded.toString(), "--tune", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("drop --seeds and --tune");
        assertThat(out.toString()).doesNotContain("runs in");
    }

    @Test
    void aSeedGivenTwiceRunsOnce() {
        assertThat(run("simulate", "--policy", "gpupacking", "--seeds", "42", "--seeds", "42,42", "--quiet"))
                .isZero();
        assertThat(out.toString()).contains("1 runs in");
    }
}
