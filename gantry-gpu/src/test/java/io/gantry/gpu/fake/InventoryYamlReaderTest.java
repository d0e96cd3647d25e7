package io.gantry.gpu.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.TopologyLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryYamlReaderTest {

    private static final String GPU0 = "  - uuid: GPU-0\n    name: NVIDIA A100-SXM4-80GB\n    memoryMiB: 81920\n";

    private static FakeInventoryFile parse(String yaml) {
        return InventoryYamlReader.parse(yaml, "fake-inventory.yaml");
    }

    private static String error(String yaml) {
        try {
            parse(yaml);
        } catch (GpuDiscoveryException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for:\n" + yaml);
    }

    @Test
    void readsEveryFieldAndAppliesDefaults() {
        FakeInventoryFile f = parse("""
                driverVersion: "550.54.15"
                cudaVersion: 12.4
                gpus:
                  - uuid: GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e0001
                    name: NVIDIA A100-SXM4-80GB
                    memoryMiB: 81920
                    pciBusId: "00000000:07:00.0"
                    minorNumber: 4
                    numaNode: 1
                    computeCapability: 8.0
                    migEnabled: true
                    utilization: 55.5
                    memoryUsedMiB: 1024
                    temperatureC: 34
                    powerWatts: 61.5
                  - uuid: GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e0002
                    name: Tesla T4
                    memoryMiB: 15360
                    healthy: false
                nvlinks:
                  - {gpus: [1, 0], links: 12}
                """);
        assertThat(f.inventory().backend()).isEqualTo("fake");
        assertThat(f.inventory().driverVersion()).isEqualTo("550.54.15");
        assertThat(f.inventory().cudaVersion()).isEqualTo("12.4");
        assertThat(f.inventory().devices()).containsExactly(
                new GpuDevice(0, "GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e0001", "NVIDIA A100-SXM4-80GB", 81920,
                        "00000000:07:00.0", 4, 1, "8.0", true),
                new GpuDevice(1, "GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e0002", "Tesla T4", 15360, "", 1, -1, "", false));
        assertThat(f.inventory().links()).containsExactly(new GpuLink(0, 1, TopologyLevel.NVLINK, 12));
        assertThat(f.states().get(0)).isEqualTo(new FakeGpuState(null, 55.5, 1024, 34, 61.5));
        assertThat(f.states().get(1).problem()).isEqualTo("marked unhealthy (healthy: false) in fake-inventory.yaml");
        assertThat(f.states().get(1).gpuUtilPercent()).isNaN();
        assertThat(f.states().get(1).fbUsedMiB()).isZero();
    }

    @Test
    void problemTextIsUsedOnlyWhileUnhealthy() {
        String gpu = GPU0 + "    problem: XID 79\n    healthy: ";
        assertThat(parse("gpus:\n" + gpu + "false\n").states().get(0).problem()).isEqualTo("XID 79");
        assertThat(parse("gpus:\n" + gpu + "true\n").states().get(0).problem()).isNull();
    }

    @Test
    void negativeMemoryNamesLinePathAndValue() {
        assertThat(error("""
                gpus:
                  - uuid: GPU-0
                    name: NVIDIA A100-SXM4-80GB
                    memoryMiB: 81920
                  - uuid: GPU-1
                    name: NVIDIA A100-SXM4-80GB
                    memoryMiB: -5
                """)).isEqualTo("fake-inventory.yaml:7: gpus[1].memoryMiB: must be > 0, got -5");
    }

    @Test
    void duplicateUuidPointsAtBothLines() {
        assertThat(error("gpus:\n" + GPU0 + GPU0)).isEqualTo(
                "fake-inventory.yaml:5: gpus[1].uuid: GPU-0 is already used on line 2; every GPU needs its own UUID");
    }

    @Test
    void emptyOrMissingGpuListIsRejected() {
        assertThat(error("driverVersion: \"550\"\ngpus: []\n"))
                .isEqualTo("fake-inventory.yaml:2: gpus: at least one GPU is needed");
        assertThat(error("driverVersion: \"550\"\n")).startsWith("fake-inventory.yaml:1: gpus: is missing; add e.g.");
        assertThat(error("# nothing here\n")).startsWith("fake-inventory.yaml:1: the file is empty");
    }

    @Test
    void unknownKeyIsNamedWithTheKnownOnes() {
        assertThat(error("gpus:\n" + GPU0 + "    memoryMB: 1\n")).isEqualTo("fake-inventory.yaml:5: gpus[0].memoryMB: "
                + "unknown key 'memoryMB'; known keys: uuid, name, memoryMiB, pciBusId, minorNumber, numaNode, "
                + "computeCapability, migEnabled, healthy, problem, utilization, memoryUsedMiB, temperatureC, "
                + "powerWatts");
        assertThat(error("gpu:\n" + GPU0)).startsWith("fake-inventory.yaml:1: gpu: unknown key 'gpu'; known keys: "
                + "driverVersion, cudaVersion, gpus, nvlinks");
        assertThat(error("gpus:\n" + GPU0 + "    MemoryMiB: 1\n")).contains("(did you mean 'memoryMiB'?)");
    }

    @Test
    void missingRequiredKeyAndWrongTypesAreExplained() {
        assertThat(error("gpus:\n  - uuid: GPU-0\n    memoryMiB: 1\n"))
                .isEqualTo("fake-inventory.yaml:2: gpus[0]: 'name' is missing; add e.g. name: NVIDIA A100-SXM4-80GB");
        assertThat(error("gpus:\n  - uuid: GPU-0\n    name: x\n    memoryMiB: lots\n")).isEqualTo(
                "fake-inventory.yaml:4: gpus[0].memoryMiB: must be a whole number (digits, no quotes), got 'lots'");
        assertThat(error("gpus:\n" + GPU0 + "    healthy: maybe\n"))
                .isEqualTo("fake-inventory.yaml:5: gpus[0].healthy: must be true or false, got 'maybe'");
        assertThat(error("gpus:\n" + GPU0 + "    utilization: 120\n"))
                .isEqualTo("fake-inventory.yaml:5: gpus[0].utilization: must be a number from 0 to 100, got 120");
        assertThat(error("gpus:\n" + GPU0 + "    memoryUsedMiB: 90000\n")).isEqualTo(
                "fake-inventory.yaml:5: gpus[0].memoryUsedMiB: must be a number from 0 to 81920, got 90000");
        assertThat(error("gpus:\n" + GPU0 + "    numaNode: -2\n"))
                .isEqualTo("fake-inventory.yaml:5: gpus[0].numaNode: must be >= -1, got -2");
        assertThat(error("gpus:\n  - uuid: \" \"\n    name: x\n    memoryMiB: 1\n"))
                .startsWith("fake-inventory.yaml:2: gpus[0].uuid: must not be blank");
        assertThat(error("gpus: GPU-0\n"))
                .isEqualTo("fake-inventory.yaml:1: gpus: must be a list (lines starting with '- '), got 'GPU-0'");
        assertThat(error("gpus:\n  - GPU-0\n"))
                .isEqualTo("fake-inventory.yaml:2: gpus[0]: must be a mapping of 'key: value' lines, got 'GPU-0'");
    }

    @Test
    void scalarsAreTypedByTheYaml12CoreSchema() {
        // True, FALSE, ~ and +1024 are what YAML users write; Jackson 3's default (JSON) schema would read strings
        FakeInventoryFile f = parse("gpus:\n  - uuid: GPU-0\n    name: x\n    memoryMiB: +1024\n    numaNode: ~\n"
                + "    migEnabled: True\n    healthy: FALSE\n    utilization: .5\n");
        GpuDevice d = f.inventory().devices().get(0);
        assertThat(d.memoryMiB()).isEqualTo(1024);
        assertThat(d.numaNode()).isEqualTo(-1);
        assertThat(d.migEnabled()).isTrue();
        assertThat(f.states().get(0).problem()).isNotNull();
        assertThat(f.states().get(0).gpuUtilPercent()).isEqualTo(0.5);
        // YAML 1.1 spellings are not YAML 1.2 booleans or numbers: refused with the value named, never misread
        assertThat(error("gpus:\n" + GPU0 + "    healthy: yes\n"))
                .isEqualTo("fake-inventory.yaml:5: gpus[0].healthy: must be true or false, got 'yes'");
        assertThat(error("gpus:\n  - uuid: GPU-0\n    name: x\n    memoryMiB: 81_920\n")).isEqualTo(
                "fake-inventory.yaml:4: gpus[0].memoryMiB: must be a whole number (digits, no quotes), got '81_920'");
        assertThat(error("gpus:\n  - uuid: GPU-0\n    name: x\n    memoryMiB: \"1024\"\n")).isEqualTo(
                "fake-inventory.yaml:4: gpus[0].memoryMiB: must be a whole number (digits, no quotes), got '1024'");
    }

    @Test
    void duplicateMinorNumberIsRejected() {
        assertThat(error("gpus:\n" + GPU0 + "  - {uuid: GPU-1, name: x, memoryMiB: 1, minorNumber: 0}\n"))
                .isEqualTo("fake-inventory.yaml:5: gpus[1].minorNumber: 0 is already the minor number of gpus[0]; "
                        + "each GPU has its own /dev/nvidiaN");
    }

    @Test
    void badNvLinksAreExplained() {
        String two = "gpus:\n" + GPU0 + "  - {uuid: GPU-1, name: x, memoryMiB: 1}\nnvlinks:\n";
        assertThat(error(two + "  - {gpus: [0, 2], links: 4}\n")).isEqualTo("fake-inventory.yaml:7: "
                + "nvlinks[0].gpus[1]: GPU index 2 does not exist; indices are 0..1 (the position in 'gpus')");
        assertThat(error(two + "  - {gpus: [0, 1], links: 0}\n")).startsWith(
                "fake-inventory.yaml:7: nvlinks[0].links: must be > 0, got 0");
        assertThat(error(two + "  - {gpus: [1, 1], links: 2}\n")).startsWith(
                "fake-inventory.yaml:7: nvlinks[0].gpus: names GPU 1 twice");
        assertThat(error(two + "  - {gpus: [0], links: 2}\n")).startsWith(
                "fake-inventory.yaml:7: nvlinks[0].gpus: must name exactly two GPU indices");
        assertThat(error(two + "  - {gpus: [0, 1], links: 2}\n  - {gpus: [1, 0], links: 2}\n")).startsWith(
                "fake-inventory.yaml:8: nvlinks[1].gpus: GPUs 0-1 are already linked on line 7");
        assertThat(error(two + "  - {gpus: [0, 1], link: 2}\n")).startsWith(
                "fake-inventory.yaml:7: nvlinks[0].link: unknown key 'link'; known keys: gpus, links");
    }

    @Test
    void invalidYamlAndDuplicateKeysNameTheLine() {
        assertThat(error("gpus:\n" + GPU0 + "    name: again\n")).isEqualTo(
                "fake-inventory.yaml:5: key 'name' appears twice (first on line 3); keep one");
        assertThat(error("gpus:\n  - uuid: GPU-0\n   name: [unclosed\n"))
                .isEqualTo("fake-inventory.yaml:3: invalid YAML: while parsing a block collection; expected "
                        + "<block end>, but found '<block mapping start>' (check the indentation and quoting)");
        assertThat(error("gpus:\n" + GPU0 + "---\ngpus: []\n"))
                .startsWith("fake-inventory.yaml:6: a second YAML document (after a --- line) starts here");
    }

    @Test
    void missingFileNamesThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> InventoryYamlReader.read(missing))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessageStartingWith("fake GPU inventory " + missing + " does not exist; check the --inventory path");
    }

    @Test
    void errorsNameTheFileAsGiven(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("fake-inventory.yaml"), "gpus: []\n");
        assertThatThrownBy(() -> InventoryYamlReader.read(file))
                .hasMessage(file + ":1: gpus: at least one GPU is needed");
    }
}
