package io.gantry.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.TopologyLevel;
import io.gantry.gpu.XidEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvmlBackendTest {

    // UUIDs and bus ids in the style of go-nvml's dgxh100 mock.
    private static final String U0 = "GPU-4fe3fd3b-a4c1-4f5a-9d1e-0f0c6b8f0e00";
    private static final String U1 = "GPU-4fe3fd3b-a4c1-4f5a-9d1e-0f0c6b8f0e01";
    private static final String U2 = "GPU-4fe3fd3b-a4c1-4f5a-9d1e-0f0c6b8f0e02";
    private static final String U3 = "GPU-4fe3fd3b-a4c1-4f5a-9d1e-0f0c6b8f0e03";

    @TempDir
    Path sysfs;

    private final FakeNvml nvml = new FakeNvml();

    private void numaNode(String sysfsBusId, String content) throws Exception {
        Path dir = Files.createDirectories(sysfs.resolve("bus/pci/devices").resolve(sysfsBusId));
        Files.writeString(dir.resolve("numa_node"), content);
    }

    private NvmlBackend open() {
        return NvmlBackend.open(nvml, sysfs);
    }

    @Test
    void inventoryOfTwoH100s() throws Exception {
        nvml.add(U0, "00000000:1B:00.0").mig = true;
        nvml.add(U1, "00000000:43:00.0");
        numaNode("0000:1b:00.0", "0\n");
        numaNode("0000:43:00.0", "1\n");
        try (NvmlBackend backend = open()) {
            GpuInventory inv = backend.inventory();
            assertThat(backend.name()).isEqualTo("nvml");
            assertThat(inv.backend()).isEqualTo("nvml");
            assertThat(inv.driverVersion()).isEqualTo("550.54.15");
            assertThat(inv.cudaVersion()).isEqualTo("12.4");
            assertThat(inv.devices()).containsExactly(
                    new GpuDevice(0, U0, "NVIDIA H100 80GB HBM3", 81920, "00000000:1B:00.0", 0, 0, "9.0", true),
                    new GpuDevice(1, U1, "NVIDIA H100 80GB HBM3", 81920, "00000000:43:00.0", 1, 1, "9.0", false));
        }
    }

    @Test
    void numaNodeIsMinusOneWhenNegativeMissingOrGarbage() throws Exception {
        nvml.add(U0, "00000000:1B:00.0");
        nvml.add(U1, "00000000:43:00.0");
        nvml.add(U2, "00000000:52:00.0");
        numaNode("0000:1b:00.0", "-1\n");
        numaNode("0000:52:00.0", "not a number\n");
        try (NvmlBackend backend = open()) {
            assertThat(backend.inventory().devices()).extracting(GpuDevice::numaNode).containsExactly(-1, -1, -1);
        }
    }

    @Test
    void optionalPropertiesThatFailAreLeftEmpty() {
        nvml.add(U0, "00000000:1B:00.0").fail("mig", NvmlReturn.NOT_SUPPORTED).fail("minor", NvmlReturn.NO_PERMISSION)
                .fail("cc", NvmlReturn.NOT_SUPPORTED).fail("pci", NvmlReturn.UNKNOWN);
        nvml.cudaVersion = 11080;
        try (NvmlBackend backend = open()) {
            assertThat(backend.inventory().devices().get(0))
                    .isEqualTo(new GpuDevice(0, U0, "NVIDIA H100 80GB HBM3", 81920, "", -1, -1, "", false));
            assertThat(backend.inventory().cudaVersion()).isEqualTo("11.8");
        }
    }

    @Test
    void sampleConvertsUnits() {
        FakeNvml.Device d = nvml.add(U0, "00000000:1B:00.0");
        d.usedBytes = 20 * FakeNvml.GIB;
        d.gpuUtil = 87;
        d.memUtil = 41;
        try (NvmlBackend backend = open()) {
            assertThat(backend.sample()).containsExactly(new GpuSample(U0, 87, 41, 20480, 61440, 33, 71.52,
                    123_456_789, 1980, 2619, null));
        }
    }

    @Test
    void notSupportedMetricsAreNaNAndTheGpuStaysHealthy() {
        nvml.add(U0, "00000000:1B:00.0").fail("utilization", NvmlReturn.NOT_SUPPORTED)
                .fail("power", NvmlReturn.NOT_SUPPORTED).fail("energy", NvmlReturn.NOT_SUPPORTED)
                .fail("clock", NvmlReturn.NOT_SUPPORTED).fail("temperature", NvmlReturn.NO_PERMISSION);
        try (NvmlBackend backend = open()) {
            GpuSample s = backend.sample().get(0);
            assertThat(s.healthy()).isTrue();
            assertThat(s.fbFreeMiB()).isEqualTo(81920);
            assertThat(List.of(s.gpuUtilPercent(), s.memCopyUtilPercent(), s.powerWatts(), s.energyMillijoules(),
                    s.smClockMHz(), s.memClockMHz(), s.temperatureC())).allMatch(v -> v.isNaN());
        }
    }

    @Test
    void aGpuWithoutMemoryReadingsIsKeptAndHealthy() {
        nvml.add(U0, "00000000:1B:00.0").fail("memory", NvmlReturn.NOT_SUPPORTED);
        try (NvmlBackend backend = open()) {
            assertThat(backend.inventory().devices()).singleElement()
                    .satisfies(d -> assertThat(d.memoryMiB()).isZero());
            GpuSample s = backend.sample().get(0);
            assertThat(s.healthy()).isTrue();
            assertThat(s.fbFreeMiB()).isNaN();
            assertThat(s.fbUsedMiB()).isNaN();
        }
    }

    @Test
    void aLostGpuFailsItsSample() {
        nvml.add(U0, "00000000:1B:00.0");
        FakeNvml.Device lost = nvml.add(U1, "00000000:43:00.0");
        FakeNvml.Device unknown = nvml.add(U2, "00000000:52:00.0");
        FakeNvml.Device lostOnPower = nvml.add(U3, "00000000:61:00.0");
        try (NvmlBackend backend = open()) {
            lost.fail("memory", NvmlReturn.GPU_IS_LOST);
            unknown.fail("memory", NvmlReturn.UNKNOWN);
            lostOnPower.fail("power", NvmlReturn.GPU_IS_LOST);
            List<GpuSample> samples = backend.sample();
            assertThat(samples.get(0).healthy()).isTrue();
            assertThat(samples.get(1)).isEqualTo(GpuSample.failed(U1, "GPU is lost (NVML_ERROR_GPU_IS_LOST)"));
            assertThat(samples.get(2).problem()).isEqualTo("GPU is lost (NVML_ERROR_UNKNOWN)");
            assertThat(samples.get(3).problem()).isEqualTo("GPU is lost (NVML_ERROR_GPU_IS_LOST)");
            assertThat(samples.get(3).temperatureC()).isEqualTo(33);

            lost.fail("memory", NvmlReturn.NO_PERMISSION);
            assertThat(backend.sample().get(1).problem()).isEqualTo("GPU cannot be read (NVML_ERROR_NO_PERMISSION)");
        }
    }

    @Test
    void anUnreadableDeviceIsLeftOutAndTheOthersKeepTheirNvmlIndex() {
        nvml.add(U0, "00000000:1B:00.0");
        nvml.add("GPU-broken", "00000000:43:00.0").fail("uuid", NvmlReturn.GPU_IS_LOST);
        FakeNvml.Device third = nvml.add(U2, "00000000:52:00.0");
        third.gpuUtil = 55;
        try (NvmlBackend backend = open()) {
            assertThat(backend.inventory().devices()).extracting(GpuDevice::index, GpuDevice::uuid,
                    GpuDevice::minorNumber).containsExactly(tuple(0, U0, 0), tuple(1, U2, 2));
            assertThat(backend.sample().get(1).gpuUtilPercent()).isEqualTo(55);
        }
    }

    @Test
    void topologyFromCommonAncestorsAndNvLinks() {
        FakeNvml.Device g0 = nvml.add(U0, "00000000:1B:00.0");
        FakeNvml.Device g1 = nvml.add(U1, "00000000:43:00.0");
        FakeNvml.Device g2 = nvml.add(U2, "00000000:52:00.0");
        FakeNvml.Device g3 = nvml.add(U3, "00000000:61:00.0");
        // 0-1: 12 links seen from GPU 0; two inactive links and two to an NVSwitch do not count.
        g0.nvLinks.addAll(Collections.nCopies(12, "00000000:43:00.0"));
        g0.nvLinks.add(null);
        g0.nvLinks.add("00000000:C5:00.0");
        g0.nvLinks.add("00000000:C5:00.0");
        g0.nvLinks.add(null);
        // 2-3: 4 links, one reported with a lower-case, 4-digit-domain bus id; GPU 3's side is not supported.
        g2.nvLinks.addAll(List.of("00000000:61:00.0", "00000000:61:00.0", "00000000:61:00.0", "0000:61:00.0"));
        g3.fail("nvlink", NvmlReturn.NOT_SUPPORTED);
        g1.nvLinks.addAll(Collections.nCopies(12, "00000000:1B:00.0"));
        nvml.ancestor(0, 2, 40);
        nvml.ancestor(0, 3, 50);
        nvml.ancestor(1, 2, 30);
        nvml.ancestor(1, 3, 20);
        // 0-1 and 2-3 have NVLink, so their ancestor is not needed.
        try (NvmlBackend backend = open()) {
            assertThat(backend.inventory().links()).containsExactlyInAnyOrder(
                    new GpuLink(0, 1, TopologyLevel.NVLINK, 12),
                    new GpuLink(0, 2, TopologyLevel.NODE, 0),
                    new GpuLink(0, 3, TopologyLevel.SYS, 0),
                    new GpuLink(1, 2, TopologyLevel.PHB, 0),
                    new GpuLink(1, 3, TopologyLevel.PXB, 0),
                    new GpuLink(2, 3, TopologyLevel.NVLINK, 4));
        }
    }

    @Test
    void nvmlTopologyLevelsMapToTheSmiNames() {
        assertThat(List.of(0, 10, 20, 30, 40, 50)).extracting(NvmlBackend::level).containsExactly(
                TopologyLevel.INTERNAL, TopologyLevel.PIX, TopologyLevel.PXB, TopologyLevel.PHB, TopologyLevel.NODE,
                TopologyLevel.SYS);
        assertThat(NvmlBackend.level(60)).isNull();
    }

    @Test
    void cudaVersionFromTheDriverNumber() {
        assertThat(NvmlBackend.cudaVersion(12040)).isEqualTo("12.4");
        assertThat(NvmlBackend.cudaVersion(11080)).isEqualTo("11.8");
        assertThat(NvmlBackend.cudaVersion(12000)).isEqualTo("12.0");
        assertThat(NvmlBackend.cudaVersion(0)).isEmpty();
    }

    @Test
    void eventsAreRegisteredForWhatEachGpuSupports() {
        nvml.add(U0, "00000000:1B:00.0");
        nvml.add(U1, "00000000:43:00.0").supportedEvents = 0x8 | 0x4;
        nvml.add(U2, "00000000:52:00.0").fail("register", NvmlReturn.NOT_SUPPORTED);
        nvml.add(U3, "00000000:61:00.0").supportedEvents = 0x4;
        try (NvmlBackend backend = open()) {
            assertThat(backend.events()).isPresent();
            assertThat(nvml.registered).containsOnlyKeys(0, 1);
            assertThat(nvml.registered.get(0)).isEqualTo(0x8L | 0x2L | 0x1L);
            assertThat(nvml.registered.get(1)).isEqualTo(0x8L);
            assertThat(backend.events().orElseThrow()).as("one source per backend")
                    .isSameAs(backend.events().orElseThrow());
        }
    }

    @Test
    void xidEventsAreMappedToUuids() throws Exception {
        nvml.add(U0, "00000000:1B:00.0");
        nvml.add("GPU-broken", "00000000:43:00.0").fail("name", NvmlReturn.GPU_IS_LOST);
        nvml.add(U2, "00000000:52:00.0");
        try (NvmlBackend backend = open()) {
            GpuEventSource events = backend.events().orElseThrow();
            nvml.events.add(new Nvml.Event(2, Nvml.EVENT_XID_CRITICAL, 79));
            nvml.events.add(new Nvml.Event(0, Nvml.EVENT_DOUBLE_BIT_ECC, 0));
            nvml.events.add(new Nvml.Event(0, Nvml.EVENT_XID_CRITICAL, 48));
            nvml.events.add(new Nvml.Event(1, Nvml.EVENT_XID_CRITICAL, 999));
            nvml.events.add(new Nvml.Event(-1, Nvml.EVENT_XID_CRITICAL, 13));
            Duration wait = Duration.ofSeconds(30);
            assertThat(events.await(wait)).contains(new XidEvent(U2, 79));
            assertThat(events.await(wait)).as("the ECC event is skipped").contains(new XidEvent(U0, 48));
            assertThat(events.await(wait)).as("a device outside the inventory").contains(new XidEvent(null, 999));
            assertThat(events.await(wait)).contains(new XidEvent(null, 13));
            assertThat(events.await(Duration.ofMillis(10))).isEmpty();
        }
    }

    @Test
    void aFailingWaitIsADiscoveryError() {
        nvml.add(U0, "00000000:1B:00.0");
        try (NvmlBackend backend = open()) {
            GpuEventSource events = backend.events().orElseThrow();
            nvml.events.add(NvmlReturn.GPU_IS_LOST);
            assertThatThrownBy(() -> events.await(Duration.ofSeconds(30)))
                    .isInstanceOf(GpuDiscoveryException.class)
                    .hasMessage("waiting for NVML error events failed (nvmlEventSetWait_v2 failed: "
                            + "NVML_ERROR_GPU_IS_LOST (15)); every GPU is suspect");
        }
    }

    @Test
    void noEventSourceWhenTheSetCannotBeCreated() {
        nvml.add(U0, "00000000:1B:00.0");
        nvml.createEventSetFailure = NvmlReturn.NOT_SUPPORTED;
        try (NvmlBackend backend = open()) {
            assertThat(backend.events()).isEmpty();
        }
    }

    @Test
    void closeFreesTheEventSetAndShutsNvmlDownOnce() {
        nvml.add(U0, "00000000:1B:00.0");
        NvmlBackend backend = open();
        GpuEventSource events = backend.events().orElseThrow();
        backend.close();
        backend.close();
        assertThat(nvml.eventSetsFreed).isEqualTo(1);
        assertThat(nvml.shutdowns).isEqualTo(1);
        assertThatThrownBy(() -> events.await(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailedOpenShutsNvmlDown() {
        nvml.countFailure = NvmlReturn.UNKNOWN;
        assertThatThrownBy(this::open).isInstanceOf(GpuDiscoveryException.class)
                .hasMessage("NVML: nvmlDeviceGetCount_v2 failed: NVML_ERROR_UNKNOWN (999)");
        assertThat(nvml.shutdowns).isEqualTo(1);
    }

    @Test
    void zeroGpusIsAnEmptyInventory() {
        try (NvmlBackend backend = open()) {
            assertThat(backend.inventory().devices()).isEmpty();
            assertThat(backend.sample()).isEmpty();
            assertThat(backend.inventory().links()).isEmpty();
        }
    }
}
