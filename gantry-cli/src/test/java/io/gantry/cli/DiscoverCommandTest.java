package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class DiscoverCommandTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return CliRun.execute(out, err, args);
    }

    /** An inventory of GPUs given as (uuid, memoryMiB) pairs, plus extra YAML for the first GPU. */
    private Path inventory(String name, String firstGpuExtra, Object... uuidAndMemory) throws IOException {
        StringBuilder yaml = new StringBuilder("gpus:\n");
        for (int i = 0; i < uuidAndMemory.length; i += 2) {
            yaml.append("  - uuid: ").append(uuidAndMemory[i]).append('\n')
                    .append("    name: NVIDIA A100-SXM4-40GB\n")
                    .append("    memoryMiB: ").append(uuidAndMemory[i + 1]).append('\n');
            if (i == 0 && firstGpuExtra != null) {
                yaml.append(firstGpuExtra);
            }
        }
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void listsTheFakeInventoryAsATable() {
        assertThat(run("discover", "--backend", "fake", "--inventory", Repo.fakeInventory().toString()))
                .as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).startsWith("fake backend: 4 GPU(s), driver 550.54.15, CUDA 12.4");
        List<String> lines = text.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("GPU  UUID")).findFirst().orElseThrow());
        assertThat(lines.get(header)).containsSubsequence("NAME", "MEMORY MiB", "PCI BUS ID", "NUMA", "CC", "MIG");
        String[] pci = {"00000000:07:00.0", "00000000:0F:00.0", "00000000:47:00.0", "00000000:4E:00.0"};
        for (int i = 0; i < 4; i++) {
            assertThat(lines.get(header + 1 + i).split("\\s+")).containsExactly(String.valueOf(i), Repo.FAKE_UUIDS[i],
                    "NVIDIA", "A100-SXM4-80GB", "81920", pci[i], i < 2 ? "0" : "1", "8.0", "off");
        }
        // Every pair joined by four NVLinks.
        assertThat(text).containsPattern("GPU0\\s+X\\s+NV4\\s+NV4\\s+NV4\\n")
                .containsPattern("GPU3\\s+NV4\\s+NV4\\s+NV4\\s+X\\n");
        int now = lines.indexOf("Now:");
        assertThat(now).isPositive();
        assertThat(lines.get(now + 1)).containsSubsequence("UTIL %", "FB USED MiB", "FB FREE MiB", "TEMP C", "POWER W",
                "HEALTH");
        assertThat(lines.get(now + 2).split("\\s+")).containsExactly("0", "0", "0", "81920", "34", "61.5", "ok");
        assertThat(lines.get(now + 5).split("\\s+")).containsExactly("3", "0", "0", "81920", "35", "60.4", "ok");
    }

    @Test
    void listsTheFakeInventoryAsJson() throws IOException {
        assertThat(run("discover", "--backend", "fake", "--inventory", Repo.fakeInventory().toString(),
                "--format", "json")).as(err.toString()).isZero();
        JsonNode root = new ObjectMapper().readTree(out.toString());
        assertThat(root.get("backend").asString()).isEqualTo("fake");
        assertThat(root.get("driverVersion").asString()).isEqualTo("550.54.15");
        assertThat(root.get("cudaVersion").asString()).isEqualTo("12.4");
        JsonNode gpus = root.get("gpus");
        assertThat(gpus).hasSize(4);
        for (int i = 0; i < 4; i++) {
            JsonNode g = gpus.get(i);
            assertThat(g.get("index").asInt()).isEqualTo(i);
            assertThat(g.get("uuid").asString()).isEqualTo(Repo.FAKE_UUIDS[i]);
            assertThat(g.get("name").asString()).isEqualTo("NVIDIA A100-SXM4-80GB");
            assertThat(g.get("memoryMiB").asLong()).isEqualTo(81920);
            assertThat(g.get("numaNode").asInt()).isEqualTo(i < 2 ? 0 : 1);
            assertThat(g.get("computeCapability").asString()).isEqualTo("8.0");
            assertThat(g.get("migEnabled").asBoolean()).isFalse();
            JsonNode s = g.get("sample");
            assertThat(s.get("fbUsedMiB").asLong()).isZero();
            assertThat(s.get("fbFreeMiB").asLong()).isEqualTo(81920);
            assertThat(s.get("healthy").asBoolean()).isTrue();
            assertThat(s.get("problem").isNull()).isTrue();
            assertThat(s.get("smClockMHz").isNull()).as("not in the inventory: unknown, not 0").isTrue();
        }
        assertThat(gpus.get(0).get("sample").get("temperatureC").asInt()).isEqualTo(34);
        assertThat(gpus.get(2).get("sample").get("powerWatts").asDouble()).isEqualTo(63.2);
        JsonNode links = root.get("links");
        assertThat(links).hasSize(6);
        assertThat(links).allSatisfy(l -> {
            assertThat(l.get("level").asString()).isEqualTo("NVLINK");
            assertThat(l.get("nvLinks").asInt()).isEqualTo(4);
        });
        assertThat(links.get(0).get("gpus").toString()).isEqualTo("[0,1]");
    }

    @Test
    void showsAGpusHealthProblemAndUnknownValues() throws IOException {
        Path file = inventory("sick.yaml", "    healthy: false\n    problem: \"XID 79: fallen off the bus\"\n",
                "GPU-aaaa", 40960, "GPU-bbbb", 40960);
        assertThat(run("discover", "--backend", "fake", "--inventory", file.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("driver -, CUDA -", "Links: none reported by the fake backend")
                .containsPattern("\\n0 +- +.* +XID 79: fallen off the bus\\n")
                .containsPattern("\\n1 +- +0 +40960 +- +- +ok\\n");

        assertThat(run("discover", "--backend", "fake", "--inventory", file.toString(), "--format", "json"))
                .isZero();
        JsonNode sample = new ObjectMapper().readTree(out.toString()).get("gpus").get(0).get("sample");
        assertThat(sample.get("healthy").asBoolean()).isFalse();
        assertThat(sample.get("problem").asString()).isEqualTo("XID 79: fallen off the bus");
    }

    @Test
    void compareAgreesWithItself() {
        String file = Repo.fakeInventory().toString();
        assertThat(run("discover", "--compare", "fake,fake", "--inventory", file)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("agree: 4 GPU(s), the same UUIDs in the same order, memory within 1 %");
    }

    @Test
    void compareNamesEveryDifferenceAndExitsWith1() throws IOException {
        Path a = inventory("a.yaml", null, "GPU-aaaa", 81920, "GPU-bbbb", 81920, "GPU-cccc", 81920);
        Path b = inventory("b.yaml", null, "GPU-aaaa", 40960, "GPU-dddd", 81920);

        assertThat(run("discover", "--compare", "fake,fake", "--inventory", a.toString(), "--inventory",
                b.toString())).as(err.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("fake(a.yaml) and fake(b.yaml) disagree:",
                "  - GPU count: fake(a.yaml) 3, fake(b.yaml) 2",
                "  - UUIDs only fake(a.yaml) reports: GPU-bbbb, GPU-cccc",
                "  - UUIDs only fake(b.yaml) reports: GPU-dddd",
                "  - memory of GPU-aaaa: fake(a.yaml) 81920 MiB, fake(b.yaml) 40960 MiB (more than 1 % apart)");

        assertThat(run("discover", "--compare", "fake,fake", "--inventory", a.toString(), "--inventory",
                b.toString(), "--format", "json")).isEqualTo(1);
        assertThat(out.toString()).contains("\"agree\" : false", "GPU-dddd");
    }

    @Test
    void compareChecksTheIndexOrderAndToleratesOnePercentOfMemory() throws IOException {
        Path a = inventory("a.yaml", null, "GPU-aaaa", 81920, "GPU-bbbb", 81920);
        Path swapped = inventory("swapped.yaml", null, "GPU-bbbb", 81920, "GPU-aaaa", 81920);
        Path close = inventory("close.yaml", null, "GPU-aaaa", 81200, "GPU-bbbb", 81920); // 0.9 % less

        assertThat(run("discover", "--compare", "fake,fake", "--inventory", a.toString(), "--inventory",
                swapped.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("  - index 0: fake(a.yaml) GPU-aaaa, fake(swapped.yaml) GPU-bbbb",
                "  - index 1: fake(a.yaml) GPU-bbbb, fake(swapped.yaml) GPU-aaaa").doesNotContain("count", "memory of");

        assertThat(run("discover", "--compare", "fake,fake", "--inventory", a.toString(), "--inventory",
                close.toString())).as(out.toString()).isZero();
        assertThat(out.toString()).contains("fake(a.yaml) and fake(close.yaml) agree: 2 GPU(s)");
    }

    @Test
    void badCompareArgumentsExitWith2() {
        assertThat(run("discover", "--compare", "nvml")).isEqualTo(2);
        assertThat(err.toString()).contains("--compare 'nvml' must name two backends, e.g. nvml,nvidia-smi");
        assertThat(run("discover", "--compare", "nvml,cuda")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown GPU backend 'cuda'; expected one of auto, nvml, nvidia-smi, fake");
        assertThat(run("discover", "--compare", "fake,fake")).isEqualTo(2);
        assertThat(err.toString()).contains("--compare with fake needs --inventory FILE");
        assertThat(run("discover", "--compare", "fake,nvml", "--backend", "nvml")).isEqualTo(2);
        assertThat(err.toString()).contains("drop --backend");
    }

    @Test
    void badFlagsExitWith2NamingTheFlag() {
        assertThat(run("discover", "--backend", "fake")).isEqualTo(2);
        assertThat(err.toString()).contains("--backend fake needs --inventory FILE");
        assertThat(run("discover", "--backend", "tpu")).isEqualTo(2);
        assertThat(err.toString()).contains("--backend", "unknown GPU backend 'tpu'");
        assertThat(run("discover", "--format", "xml")).isEqualTo(2);
        assertThat(err.toString()).contains("--format", "xml", "table, json");
        assertThat(run("discover", "--backend", "nvml", "--inventory", "x.yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("--inventory is read only by --backend fake");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMalformedInventoryExitsWith1NamingFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                gpus:
                  - uuid: GPU-aaaa
                    name: NVIDIA A100-SXM4-40GB
                    memoryMiB: -5
                """);
        assertThat(run("discover", "--backend", "fake", "--inventory", bad.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("gantry discover: ", "bad.yaml:4: gpus[0].memoryMiB: must be > 0, got -5")
                .doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }

    /**
     * Auto tries NVML, then nvidia-smi (here a path that does not exist). Where NVML works (a GPU machine) it lists
     * NVML's GPUs; elsewhere it exits with 1 and says why each backend failed, NVML's reason being the one
     * {@code --backend nvml} gives.
     */
    @Test
    void autoSaysWhyEachBackendFailedOrListsNvmlsGpus() {
        int nvml = run("discover", "--backend", "nvml");
        String nvmlOut = out.toString();
        String nvmlErr = err.toString();

        int auto = run("discover", "--nvidia-smi", "/nonexistent/nvidia-smi");
        if (nvml == 0) {
            assertThat(auto).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("nvml backend:");
            assertThat(uuids(out.toString())).isEqualTo(uuids(nvmlOut)).isNotEmpty();
        } else {
            assertThat(nvml).isEqualTo(1);
            assertThat(nvmlErr).startsWith("gantry discover: ");
            String nvmlWhy = nvmlErr.substring("gantry discover: ".length()).strip();
            assertThat(auto).isEqualTo(1);
            assertThat(err.toString()).startsWith("gantry discover: no GPU found: nvml: " + nvmlWhy + "; nvidia-smi: ")
                    .contains("/nonexistent/nvidia-smi", "--backend fake --inventory FILE")
                    .doesNotContain("\tat ");
            assertThat(out.toString()).isEmpty();
        }
    }

    private static List<String> uuids(String table) {
        return table.lines().flatMap(l -> Arrays.stream(l.split("\\s+"))).filter(w -> w.startsWith("GPU-")).toList();
    }

    @Test
    void helpDocumentsEveryOption() {
        assertThat(run("discover", "--help")).isZero();
        assertThat(out.toString()).contains("--backend", "--inventory", "--nvidia-smi", "--format", "--compare",
                "nvml,nvidia-smi", "1 %");
    }
}
