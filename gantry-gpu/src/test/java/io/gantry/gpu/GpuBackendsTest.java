package io.gantry.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.gpu.smi.FakeNvidiaSmi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuBackendsTest {

    /** A library path that exists on no machine, so these tests do not depend on whether a driver is installed. */
    private static final List<String> NO_NVML = List.of("/nonexistent/gantry-test/libnvidia-ml.so.1");

    @TempDir
    Path dir;

    @Test
    void autoWithoutDriverNamesBothCauses() {
        String smi = dir.resolve("missing/nvidia-smi").toString();
        BackendOptions options = new BackendOptions(null, smi, "nvidia-ml");
        assertThatThrownBy(() -> GpuBackends.open(BackendKind.AUTO, options, NO_NVML))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessageStartingWith("no GPU found: nvml: NVML not available: could not load " + NO_NVML.get(0))
                .hasMessageContaining("runtimeClassName nvidia / NVIDIA_VISIBLE_DEVICES=all)?; nvidia-smi: cannot run "
                        + smi + ": ")
                .hasMessageEndingWith(". Install the NVIDIA driver, or run with --backend fake --inventory FILE for a "
                        + "node without GPUs");
    }

    @Test
    void autoFallsBackToNvidiaSmi() {
        FakeNvidiaSmi smi = new FakeNvidiaSmi(dir).query("0, GPU-5ec84d8d-bc74-2547-70f5-8904dba41ecc, Tesla T4, "
                + "15360, 0, 14930, 0, 0, 38, [N/A], 00000000:00:1E.0, 535.161.08, 7.5, [N/A], 300, 405\n", 0);
        BackendOptions options = new BackendOptions(null, smi.executable(), "nvidia-ml");
        try (GpuBackend backend = GpuBackends.open(BackendKind.AUTO, options, NO_NVML)) {
            assertThat(backend.name()).isEqualTo("nvidia-smi");
            assertThat(backend.inventory().devices()).extracting(GpuDevice::name).containsExactly("Tesla T4");
        }
    }

    @Test
    void explicitBackendsReportTheirOwnFailure() {
        BackendOptions options = new BackendOptions(null, dir.resolve("nvidia-smi").toString(), "nvidia-ml");
        assertThatThrownBy(() -> GpuBackends.open(BackendKind.NVML, options, NO_NVML))
                .hasMessageStartingWith("NVML not available: could not load ");
        assertThatThrownBy(() -> GpuBackends.open(BackendKind.NVIDIA_SMI, options))
                .hasMessageStartingWith("cannot run " + dir.resolve("nvidia-smi"));
    }

    @Test
    void fakeNeedsAnInventory() {
        assertThatThrownBy(() -> GpuBackends.open(BackendKind.FAKE, BackendOptions.defaults()))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessage("--backend fake needs --inventory FILE");
    }

    @Test
    void fakeLoadsTheInventory() throws Exception {
        Path file = Files.writeString(dir.resolve("inventory.yaml"),
                "gpus:\n  - {uuid: GPU-1, name: NVIDIA A100-SXM4-80GB, memoryMiB: 81920}\n");
        try (GpuBackend backend = GpuBackends.open(BackendKind.FAKE, BackendOptions.defaults().withInventory(file))) {
            assertThat(backend.name()).isEqualTo("fake");
            assertThat(backend.inventory().devices()).hasSize(1);
            assertThat(backend.events()).isPresent();
        }
    }
}
