package io.gantry.agent.testing;

import io.gantry.gpu.BackendKind;
import io.gantry.gpu.BackendOptions;
import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuBackends;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.TopologyLevel;
import io.gantry.gpu.fake.FakeGpuBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * GPUs for agent tests: a fake node of four A100s (two NUMA nodes, NVLink pairs 0-1 and 2-3) by default; with
 * {@code -Dgantry.agent.test.backend=nvml} (or {@code nvidia-smi}, {@code auto}) the node's real GPUs, so that the
 * kubelet flow runs against real hardware on a GPU machine.
 */
public final class TestGpus {

    public static final String BACKEND_PROPERTY = "gantry.agent.test.backend";

    private TestGpus() {
    }

    public static boolean realBackend() {
        return !"fake".equals(System.getProperty(BACKEND_PROPERTY, "fake"));
    }

    /** The backend the kubelet flow runs on. */
    public static GpuBackend backend() {
        String kind = System.getProperty(BACKEND_PROPERTY, "fake");
        if (kind.equals("fake")) {
            return fourA100s();
        }
        return GpuBackends.open(BackendKind.parse(kind), BackendOptions.defaults());
    }

    public static FakeGpuBackend fourA100s() {
        return FakeGpuBackend.of(inventory(4));
    }

    public static GpuInventory inventory(int n) {
        List<GpuDevice> devices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            devices.add(new GpuDevice(i, uuid(i), "NVIDIA A100-SXM4-80GB", 81920,
                    String.format("00000000:%02X:00.0", 7 + i * 8), i, i < n / 2 ? 0 : 1, "8.0", false));
        }
        List<GpuLink> links = new ArrayList<>();
        for (int i = 0; i + 1 < n; i += 2) {
            links.add(new GpuLink(i, i + 1, TopologyLevel.NVLINK, 12));
        }
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (!(b == a + 1 && a % 2 == 0)) {
                    links.add(new GpuLink(a, b, (a < n / 2) == (b < n / 2) ? TopologyLevel.NODE : TopologyLevel.SYS, 0));
                }
            }
        }
        return new GpuInventory("fake", "550.54.15", "12.4", devices, links);
    }

    public static String uuid(int i) {
        return String.format("GPU-5a1c0b2e-7d3f-4e6a-9b8c-0000000000%02d", i);
    }
}
