package io.gantry.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.gantry.gpu.GpuDiscoveryException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link JnaNvml}'s side of the binding (return codes, buffers, structures, handles) against a stand-in for the
 * native library: every call is answered by a Java function keyed by the C function's name.
 */
class JnaNvmlAdapterTest {

    /** An answer to one native call: the arguments as JNA would pass them, the nvmlReturn_t to give back. */
    private interface Answer {
        int apply(Object[] args);
    }

    private final Map<String, Answer> answers = new HashMap<>();
    private int shutdowns;

    private NvmlNative library() {
        answers.putIfAbsent("nvmlInit_v2", args -> 0);
        answers.putIfAbsent("nvmlDeviceGetCount_v2", args -> {
            ((IntByReference) args[0]).setValue(2);
            return 0;
        });
        answers.putIfAbsent("nvmlDeviceGetHandleByIndex_v2", args -> {
            ((PointerByReference) args[1]).setValue(new Pointer(0x1000 + (int) args[0]));
            return 0;
        });
        return (NvmlNative) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {NvmlNative.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "nvmlErrorString" -> "Error " + args[0];
                    case "nvmlShutdown" -> {
                        shutdowns++;
                        yield 0;
                    }
                    case "toString" -> "stand-in libnvidia-ml";
                    default -> {
                        Answer a = answers.get(method.getName());
                        if (a == null) {
                            throw new AssertionError("unexpected NVML call " + method.getName());
                        }
                        yield a.apply(args);
                    }
                });
    }

    private static void text(Object buffer, String value) {
        byte[] b = (byte[]) buffer;
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(v, 0, b, 0, v.length);
        b[v.length] = 0;
    }

    @Test
    void initFailureNamesTheCodeAndTheFix() {
        answers.put("nvmlInit_v2", args -> NvmlReturn.DRIVER_NOT_LOADED);
        assertThatThrownBy(() -> JnaNvml.init(library()))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessageStartingWith("NVML not available: nvmlInit_v2 failed with NVML_ERROR_DRIVER_NOT_LOADED (9): "
                        + "Error 9; the NVIDIA kernel module is not loaded");
        answers.put("nvmlInit_v2", args -> NvmlReturn.NO_PERMISSION);
        assertThatThrownBy(() -> JnaNvml.init(library()))
                .hasMessageContaining("NVML_ERROR_NO_PERMISSION (4)").hasMessageContaining("/dev/nvidia*");
    }

    @Test
    void aFailedCountShutsNvmlDown() {
        answers.put("nvmlDeviceGetCount_v2", args -> NvmlReturn.UNKNOWN);
        assertThatThrownBy(() -> JnaNvml.init(library()))
                .hasMessage("NVML not available: nvmlDeviceGetCount_v2 failed: NVML_ERROR_UNKNOWN (999): Error 999");
        assertThat(shutdowns).isEqualTo(1);
    }

    @Test
    void stringsAndNumbersComeBackFromTheBuffers() {
        answers.put("nvmlDeviceGetUUID", args -> {
            text(args[1], "GPU-" + ((Pointer) args[0]).toString().replace("native@", ""));
            return 0;
        });
        answers.put("nvmlSystemGetDriverVersion", args -> {
            text(args[0], "550.54.15");
            return 0;
        });
        answers.put("nvmlSystemGetCudaDriverVersion_v2", args -> {
            ((IntByReference) args[0]).setValue(12040);
            return 0;
        });
        answers.put("nvmlDeviceGetTemperature", args -> NvmlReturn.NOT_SUPPORTED);
        try (JnaNvml nvml = JnaNvml.init(library())) {
            assertThat(nvml.deviceCount()).isEqualTo(2);
            assertThat(nvml.uuid(1)).isEqualTo("GPU-0x1001");
            assertThat(nvml.systemDriverVersion()).isEqualTo("550.54.15");
            assertThat(nvml.systemCudaDriverVersion()).isEqualTo(12040);
            assertThatThrownBy(() -> nvml.temperatureC(0)).isInstanceOf(NvmlException.class)
                    .extracting(e -> ((NvmlException) e).code()).isEqualTo(NvmlReturn.NOT_SUPPORTED);
        }
        assertThat(shutdowns).isEqualTo(1);
    }

    @Test
    void memoryFallsBackToTheFirstCallOnOldDrivers() {
        int[] v2Calls = {0};
        answers.put("nvmlDeviceGetMemoryInfo_v2", args -> {
            v2Calls[0]++;
            throw new UnsatisfiedLinkError("Error looking up function 'nvmlDeviceGetMemoryInfo_v2'");
        });
        answers.put("nvmlDeviceGetMemoryInfo", args -> {
            NvmlNative.Memory m = (NvmlNative.Memory) args[1];
            m.total = 16L << 30;
            m.free = 15L << 30;
            m.used = 1L << 30;
            return 0;
        });
        try (JnaNvml nvml = JnaNvml.init(library())) {
            assertThat(nvml.memoryInfo(0)).isEqualTo(new Nvml.MemoryInfo(16L << 30, 15L << 30, 1L << 30));
            assertThat(nvml.memoryInfo(1).totalBytes()).isEqualTo(16L << 30);
            assertThat(v2Calls[0]).as("the missing symbol is looked up once").isEqualTo(1);
        }
    }

    @Test
    void memoryV2IsAskedWithItsVersion() {
        answers.put("nvmlDeviceGetMemoryInfo_v2", args -> {
            NvmlNative.MemoryV2 m = (NvmlNative.MemoryV2) args[1];
            if (m.version != 0x02000028) {
                return NvmlReturn.ARGUMENT_VERSION_MISMATCH;
            }
            m.total = 80L << 30;
            m.reserved = 512L << 20;
            m.used = 4L << 20;
            m.free = m.total - m.reserved - m.used;
            return 0;
        });
        try (JnaNvml nvml = JnaNvml.init(library())) {
            assertThat(nvml.memoryInfo(0)).isEqualTo(new Nvml.MemoryInfo(80L << 30, (80L << 30) - (516L << 20),
                    4L << 20));
        }
    }

    @Test
    void eventsNameTheDeviceByItsHandle() {
        answers.put("nvmlEventSetCreate", args -> {
            ((PointerByReference) args[0]).setValue(new Pointer(0x5E7));
            return 0;
        });
        answers.put("nvmlDeviceGetUUID", args -> {
            text(args[1], "GPU-x");
            return 0;
        });
        answers.put("nvmlEventSetWait_v2", args -> {
            assertThat(args[0]).isEqualTo(new Pointer(0x5E7));
            NvmlNative.EventData data = (NvmlNative.EventData) args[1];
            data.device = new Pointer(0x1001);
            data.eventType = Nvml.EVENT_XID_CRITICAL;
            data.eventData = 79;
            return 0;
        });
        try (JnaNvml nvml = JnaNvml.init(library())) {
            nvml.uuid(0);
            nvml.uuid(1);
            Nvml.EventSet set = nvml.createEventSet();
            assertThat(nvml.waitEvent(set, 10)).isEqualTo(new Nvml.Event(1, Nvml.EVENT_XID_CRITICAL, 79));
        }
    }
}
