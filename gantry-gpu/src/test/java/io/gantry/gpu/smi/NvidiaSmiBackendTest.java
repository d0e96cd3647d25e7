package io.gantry.gpu.smi;

import static io.gantry.gpu.smi.NvidiaSmiParserTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.TopologyLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvidiaSmiBackendTest {

    private static final String DRIVER_DOWN = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
            + "driver. Make sure that the latest NVIDIA driver is installed and running.\n\n";

    @TempDir
    Path dir;

    private FakeNvidiaSmi dgx() {
        return new FakeNvidiaSmi(dir).query(resource("dgx-a100-query.csv"), 0).topo(resource("dgx-a100-topo.txt"), 0)
                .banner(resource("dgx-a100-banner.txt"));
    }

    @Test
    void dgxInventoryTopologyAndSamples() {
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(dgx().executable())) {
            GpuInventory inv = smi.inventory();
            assertThat(smi.name()).isEqualTo("nvidia-smi");
            assertThat(inv.backend()).isEqualTo("nvidia-smi");
            assertThat(inv.driverVersion()).isEqualTo("550.54.15");
            assertThat(inv.cudaVersion()).isEqualTo("12.4");
            assertThat(inv.devices()).hasSize(8);
            assertThat(inv.devices().get(4)).isEqualTo(new GpuDevice(4, "GPU-cc3fc162-6e53-a130-43b0-26c48bbf33fe",
                    "NVIDIA A100-SXM4-80GB", 81920, "00000000:87:00.0", -1, 7, "8.0", false));
            assertThat(inv.links()).hasSize(28).contains(new GpuLink(3, 5, TopologyLevel.NVLINK, 12));
            assertThat(smi.events()).isEmpty();

            List<GpuSample> samples = smi.sample();
            assertThat(samples).extracting(GpuSample::uuid)
                    .containsExactlyElementsOf(inv.devices().stream().map(GpuDevice::uuid).toList());
            assertThat(samples).allMatch(GpuSample::healthy);
            assertThat(samples.get(3).gpuUtilPercent()).isEqualTo(97);
            assertThat(samples.get(3).powerWatts()).isEqualTo(287.45);
        }
    }

    @Test
    void oldDriverGetsAQueryWithoutTheFieldsItRejects() {
        FakeNvidiaSmi fake = new FakeNvidiaSmi(dir).reject("compute_cap", "mig.mode.current")
                .query(resource("old-geforce-query.csv"), 0).topo("\tGPU0\tCPU Affinity\tNUMA Affinity\n"
                        + "GPU0\t X \t0-7\tN/A\n", 0);
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(fake.executable())) {
            GpuDevice d = smi.inventory().devices().get(0);
            assertThat(d.name()).isEqualTo("GeForce GTX 780");
            assertThat(d.computeCapability()).isEmpty();
            assertThat(d.numaNode()).isEqualTo(-1);
            assertThat(smi.inventory().driverVersion()).isEqualTo("390.157");
            GpuSample s = smi.sample().get(0);
            assertThat(s.healthy()).isTrue();
            assertThat(s.fbUsedMiB()).isEqualTo(289);
            assertThat(s.gpuUtilPercent()).isNaN();
        }
    }

    @Test
    void lostAndUnreachableGpusFailTheirSamples() {
        FakeNvidiaSmi fake = new FakeNvidiaSmi(dir).query(resource("v100-healthy-query.csv"), 0);
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(fake.executable())) {
            assertThat(smi.sample()).allMatch(GpuSample::healthy);
            // nvidia-smi exits non-zero when a GPU is lost, but still reports the others.
            fake.query(resource("lost-gpu-query.csv"), 15);
            List<GpuSample> samples = smi.sample();
            assertThat(samples.get(0).healthy()).isTrue();
            assertThat(samples.get(0).temperatureC()).isEqualTo(36);
            assertThat(samples.get(1).problem()).isEqualTo("GPU is lost (nvidia-smi printed [GPU is lost])");
            assertThat(samples.get(2).uuid()).isEqualTo("GPU-7d1f0e35-3c2a-4b8e-91f4-2a6b5c8d9e01");
            assertThat(samples.get(2).problem()).isEqualTo("GPU is lost (nvidia-smi: unable to determine the device "
                    + "handle for 0000:3B:00.0: GPU is lost)");
        }
    }

    @Test
    void unreachableLinesOnStderrCountToo() {
        FakeNvidiaSmi fake = new FakeNvidiaSmi(dir).query(resource("v100-healthy-query.csv"), 0);
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(fake.executable())) {
            fake.query(resource("v100-healthy-query.csv").lines().limit(2).map(l -> l + "\n")
                    .reduce("", String::concat), 15)
                    .queryStderr("Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error\n");
            assertThat(smi.sample().get(2).problem()).startsWith("GPU unreachable (nvidia-smi: unable to determine "
                    + "the device handle for 0000:3B:00.0: Unknown Error)");
        }
    }

    @Test
    void aGpuThatDisappearsFailsItsSample() {
        FakeNvidiaSmi fake = new FakeNvidiaSmi(dir).query(resource("v100-healthy-query.csv"), 0);
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(fake.executable())) {
            fake.query(resource("v100-healthy-query.csv").lines().findFirst().orElseThrow() + "\n", 0);
            List<GpuSample> samples = smi.sample();
            assertThat(samples.get(0).healthy()).isTrue();
            assertThat(samples.get(1).problem()).isEqualTo("GPU no longer listed by nvidia-smi (it was GPU 1 at "
                    + "00000000:1A:00.0)");
        }
    }

    @Test
    void aDriverThatStopsAnsweringFailsEverySample() {
        FakeNvidiaSmi fake = dgx();
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(fake.executable())) {
            fake.query(DRIVER_DOWN, 9);
            assertThat(smi.sample()).hasSize(8).allSatisfy(s -> assertThat(s.problem())
                    .startsWith("nvidia-smi failed: '" + fake.executable() + " --query-gpu=index,uuid,")
                    .contains("exited with 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
                            + "driver."));
        }
    }

    @Test
    void driverDownAtOpenIsAClearError() {
        FakeNvidiaSmi fake = new FakeNvidiaSmi(dir).query(DRIVER_DOWN, 9);
        assertThatThrownBy(() -> NvidiaSmiBackend.open(fake.executable()))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessage("'" + fake.executable() + " --query-gpu=" + String.join(",", NvidiaSmiParser.QUERY_FIELDS)
                        + " --format=csv,noheader,nounits' exited with 9: NVIDIA-SMI has failed because it couldn't "
                        + "communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed "
                        + "and running.");
    }

    @Test
    void missingExecutableIsAClearError() {
        String missing = dir.resolve("no-such-nvidia-smi").toString();
        assertThatThrownBy(() -> NvidiaSmiBackend.open(missing))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessageStartingWith("cannot run " + missing + ": ")
                .hasMessageEndingWith("(is the NVIDIA driver installed, and nvidia-smi on PATH or given by its full "
                        + "path?)");
    }

    @Test
    void aHungCommandIsKilled() {
        FakeNvidiaSmi fake = dgx().hang(120);
        assertThatThrownBy(() -> NvidiaSmiBackend.open(fake.executable(), Duration.ofMillis(300)))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessageContaining("did not finish within 300 ms (a hung driver?); it was killed");
    }

    @Test
    void noDevicesOpensWithAnEmptyInventory() {
        FakeNvidiaSmi fake = new FakeNvidiaSmi(dir).query("No devices were found\n", 6);
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(fake.executable())) {
            assertThat(smi.inventory().devices()).isEmpty();
            assertThat(smi.sample()).isEmpty();
        }
    }

    @Test
    void aFailingTopologyLeavesTheGpusUsable() {
        FakeNvidiaSmi fake = dgx().topo("Failed to initialize NVML: Unknown Error\n", 255);
        try (NvidiaSmiBackend smi = NvidiaSmiBackend.open(fake.executable())) {
            assertThat(smi.inventory().devices()).hasSize(8).allMatch(d -> d.numaNode() == -1);
            assertThat(smi.inventory().links()).isEmpty();
        }
    }
}
