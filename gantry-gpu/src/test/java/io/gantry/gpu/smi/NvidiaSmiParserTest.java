package io.gantry.gpu.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.TopologyLevel;
import io.gantry.gpu.smi.NvidiaSmiParser.QueryResult;
import io.gantry.gpu.smi.NvidiaSmiParser.Row;
import io.gantry.gpu.smi.NvidiaSmiParser.Topology;
import io.gantry.gpu.smi.NvidiaSmiParser.Unreachable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NvidiaSmiParserTest {

    private static final List<String> ALL = NvidiaSmiParser.QUERY_FIELDS;

    static String resource(String name) {
        try (InputStream in = NvidiaSmiParserTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> without(String... dropped) {
        List<String> fields = new ArrayList<>(ALL);
        fields.removeAll(List.of(dropped));
        return fields;
    }

    @Test
    void dgxA100EveryField() {
        QueryResult q = NvidiaSmiParser.parseQuery(resource("dgx-a100-query.csv"), ALL);
        assertThat(q.rows()).hasSize(8);
        assertThat(q.unreachable()).isEmpty();
        Row busy = q.rows().get(3);
        assertThat(busy.smiIndex()).isEqualTo(3);
        assertThat(busy.uuid()).isEqualTo("GPU-5ec84d8d-bc74-2547-70f5-8904dba41ecc");
        assertThat(busy.name()).isEqualTo("NVIDIA A100-SXM4-80GB");
        assertThat(busy.memoryMiB()).isEqualTo(81920);
        assertThat(busy.pciBusId()).isEqualTo("00000000:4E:00.0");
        assertThat(busy.driverVersion()).isEqualTo("550.54.15");
        assertThat(busy.computeCapability()).isEqualTo("8.0");
        assertThat(busy.migEnabled()).isFalse();
        assertThat(busy.sample()).isEqualTo(new GpuSample("GPU-5ec84d8d-bc74-2547-70f5-8904dba41ecc", 97, 41, 40963,
                40073, 44, 287.45, Double.NaN, 1410, 1593, null));
    }

    @Test
    void migEnabledH100HasNoUtilization() {
        QueryResult q = NvidiaSmiParser.parseQuery(resource("h100-mig-query.csv"), ALL);
        Row mig = q.rows().get(0);
        assertThat(mig.migEnabled()).isTrue();
        assertThat(mig.computeCapability()).isEqualTo("9.0");
        assertThat(mig.memoryMiB()).isEqualTo(81559);
        assertThat(mig.sample().gpuUtilPercent()).isNaN();
        assertThat(mig.sample().memCopyUtilPercent()).isNaN();
        assertThat(mig.sample().powerWatts()).isEqualTo(71.52);
        assertThat(mig.sample().healthy()).isTrue();
        assertThat(q.rows().get(1).migEnabled()).isFalse();
        assertThat(q.rows().get(1).sample().gpuUtilPercent()).isEqualTo(88);
    }

    @Test
    void t4WithoutPowerReading() {
        Row t4 = NvidiaSmiParser.parseQuery(resource("t4-query.csv"), ALL).rows().get(0);
        assertThat(t4.name()).isEqualTo("Tesla T4");
        assertThat(t4.sample().powerWatts()).isNaN();
        assertThat(t4.sample().temperatureC()).isEqualTo(38);
        assertThat(t4.migEnabled()).isFalse();
    }

    @Test
    void oldCardWithReducedFieldsAndNotSupportedValues() {
        List<String> fields = without("compute_cap", "mig.mode.current");
        Row old = NvidiaSmiParser.parseQuery(resource("old-geforce-query.csv"), fields).rows().get(0);
        assertThat(old.name()).isEqualTo("GeForce GTX 780");
        assertThat(old.memoryMiB()).isEqualTo(3020);
        assertThat(old.computeCapability()).isEmpty();
        assertThat(old.driverVersion()).isEqualTo("390.157");
        GpuSample s = old.sample();
        assertThat(s.fbUsedMiB()).isEqualTo(289);
        assertThat(s.temperatureC()).isEqualTo(45);
        assertThat(List.of(s.gpuUtilPercent(), s.memCopyUtilPercent(), s.powerWatts(), s.smClockMHz(),
                s.memClockMHz())).allMatch(v -> v.isNaN());
        assertThat(s.healthy()).isTrue();
    }

    @Test
    void lostGpusAreReported() {
        QueryResult q = NvidiaSmiParser.parseQuery(resource("lost-gpu-query.csv"), ALL);
        assertThat(q.rows()).hasSize(2);
        assertThat(q.rows().get(0).sample().healthy()).isTrue();
        Row lost = q.rows().get(1);
        assertThat(lost.uuid()).isEqualTo("GPU-12c9791e-558e-08ba-a719-6b50ac2f8670");
        assertThat(lost.sample().problem()).isEqualTo("GPU is lost (nvidia-smi printed [GPU is lost])");
        assertThat(lost.sample().fbUsedMiB()).isNaN();
        assertThat(q.unreachable()).containsExactly(new Unreachable("0000:3B:00.0", "GPU is lost"));
        assertThat(q.unreachable().get(0).problem()).isEqualTo(
                "GPU is lost (nvidia-smi: unable to determine the device handle for 0000:3B:00.0: GPU is lost)");
        // Older drivers print no space after "GPU" and other reasons.
        assertThat(NvidiaSmiParser.unreachable("Unable to determine the device handle for GPU0000:AF:00.0: "
                + "Unknown Error").get(0).problem()).startsWith("GPU unreachable (nvidia-smi: unable to determine "
                + "the device handle for 0000:AF:00.0: Unknown Error)");
    }

    @Test
    void wrongColumnCountQuotesTheLine() {
        String line = "0, GPU-1, Some, Name, With, Commas, 1024";
        assertThatThrownBy(() -> NvidiaSmiParser.parseQuery(line + "\n", NvidiaSmiParser.REQUIRED_FIELDS))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessage("nvidia-smi query output line 1 has 7 values where 4 were asked for (index, uuid, name, "
                        + "memory.total): \"" + line + "\"");
    }

    @Test
    void aBareCommaInsideAValueDoesNotSplitIt() {
        Row r = NvidiaSmiParser.parseQuery("0, GPU-1, Vendor,Model, 1024\n", NvidiaSmiParser.REQUIRED_FIELDS)
                .rows().get(0);
        assertThat(r.name()).isEqualTo("Vendor,Model");
    }

    @Test
    void messageLinesAreNotesAndNoDevicesIsEmpty() {
        QueryResult q = NvidiaSmiParser.parseQuery("No devices were found\n", ALL);
        assertThat(q.rows()).isEmpty();
        assertThat(q.notes()).containsExactly("No devices were found");
    }

    @Test
    void invalidFieldIsRecognised() {
        assertThat(NvidiaSmiParser.invalidField("Field \"compute_cap\" is not a valid field to query.\n\n"))
                .contains("compute_cap");
        assertThat(NvidiaSmiParser.invalidField("NVIDIA-SMI has failed")).isEmpty();
    }

    @Test
    void dgxTopologyWithNicColumns() {
        Topology t = NvidiaSmiParser.parseTopology(resource("dgx-a100-topo.txt"));
        assertThat(t.links()).hasSize(28).allMatch(l -> l.level() == TopologyLevel.NVLINK && l.nvLinks() == 12);
        assertThat(t.links()).contains(new GpuLink(0, 7, TopologyLevel.NVLINK, 12));
        assertThat(t.numaNodes()).isEqualTo(Map.of(0, 3, 1, 3, 2, 1, 3, 1, 4, 7, 5, 7, 6, 5, 7, 5));
    }

    @Test
    void h100TopologyWithAnsiHeaderAndGpuNumaIdColumn() {
        Topology t = NvidiaSmiParser.parseTopology(resource("h100-topo-ansi.txt"));
        assertThat(t.links()).containsExactlyInAnyOrder(
                new GpuLink(0, 1, TopologyLevel.NVLINK, 18), new GpuLink(0, 2, TopologyLevel.NVLINK, 18),
                new GpuLink(0, 3, TopologyLevel.NVLINK, 18), new GpuLink(1, 2, TopologyLevel.NVLINK, 18),
                new GpuLink(1, 3, TopologyLevel.NVLINK, 18), new GpuLink(2, 3, TopologyLevel.NVLINK, 18));
        assertThat(t.numaNodes()).isEqualTo(Map.of(0, 0, 1, 0, 2, 1, 3, 1));
    }

    @Test
    void pcieTopologyLevelsAndSocAsSys() {
        Topology t = NvidiaSmiParser.parseTopology(resource("pcie-topo.txt"));
        assertThat(t.links()).containsExactlyInAnyOrder(
                new GpuLink(0, 1, TopologyLevel.NVLINK, 4), new GpuLink(0, 2, TopologyLevel.PXB, 0),
                new GpuLink(0, 3, TopologyLevel.SYS, 0), new GpuLink(1, 2, TopologyLevel.PHB, 0),
                new GpuLink(1, 3, TopologyLevel.SYS, 0), new GpuLink(2, 3, TopologyLevel.NODE, 0));
        assertThat(t.numaNodes()).as("N/A is not a NUMA node").isEqualTo(Map.of(0, 0, 1, 0, 3, 1));
    }

    @Test
    void pixAndSingleGpuTopology() {
        Topology two = NvidiaSmiParser.parseTopology("\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\n"
                + "GPU0\t X \tPIX\t0-7\t0\nGPU1\tPIX\t X \t0-7\t0\n");
        assertThat(two.links()).containsExactly(new GpuLink(0, 1, TopologyLevel.PIX, 0));
        Topology one = NvidiaSmiParser.parseTopology("\tGPU0\tCPU Affinity\tNUMA Affinity\nGPU0\t X \t0-7\tN/A\n");
        assertThat(one.links()).isEmpty();
        assertThat(one.numaNodes()).isEmpty();
    }

    @Test
    void unreadableTopologyIsAnError() {
        assertThatThrownBy(() -> NvidiaSmiParser.parseTopology("Failed to initialize NVML: Driver/library version "
                + "mismatch\n")).isInstanceOf(GpuDiscoveryException.class)
                .hasMessageContaining("no matrix").hasMessageContaining("Driver/library version mismatch");
        assertThatThrownBy(() -> NvidiaSmiParser.parseTopology("\tGPU0\tGPU1\nGPU0\t X \tFOO\nGPU1\tFOO\t X \n"))
                .hasMessageContaining("GPU0 to GPU1 is 'FOO'");
        assertThatThrownBy(() -> NvidiaSmiParser.parseTopology("\tGPU0\tGPU1\nGPU0\t X \n"))
                .hasMessageContaining("row GPU0 has 1 cells for 2 device columns");
    }

    @Test
    void versionsFromTheBanner() {
        String banner = resource("dgx-a100-banner.txt");
        assertThat(NvidiaSmiParser.parseCudaVersion(banner)).isEqualTo("12.4");
        assertThat(NvidiaSmiParser.parseDriverVersion(banner)).isEqualTo("550.54.15");
        assertThat(NvidiaSmiParser.parseCudaVersion("no banner")).isEmpty();
    }
}
