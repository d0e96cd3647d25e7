package io.gantry.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Native;
import io.gantry.gpu.GpuDiscoveryException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs real JNA: structure layouts, and loading a library that is not there. */
class JnaNvmlTest {

    @Test
    void structuresHaveTheNativeSizes() {
        assertThat(new NvmlNative.Memory().size()).isEqualTo(24);
        assertThat(new NvmlNative.MemoryV2().size()).isEqualTo(40);
        assertThat(new NvmlNative.Utilization().size()).isEqualTo(8);
        assertThat(new NvmlNative.PciInfo().size()).isEqualTo(68);
        assertThat(new NvmlNative.EventData().size()).isEqualTo(32);
    }

    @Test
    void structureFieldsSitAtTheNativeOffsets() {
        // Write fields through JNA, read the native memory at the offsets of the C layout.
        NvmlNative.MemoryV2 mem = new NvmlNative.MemoryV2();
        mem.version = NvmlNative.MemoryV2.VERSION_2;
        mem.total = 80L << 30;
        mem.used = 1234;
        mem.write();
        assertThat(mem.getPointer().getInt(0)).isEqualTo(0x02000028);
        assertThat(mem.getPointer().getLong(8)).isEqualTo(80L << 30);
        assertThat(mem.getPointer().getLong(32)).isEqualTo(1234);

        NvmlNative.PciInfo pci = new NvmlNative.PciInfo();
        pci.getPointer().setString(36, "00000000:3B:00.0", "US-ASCII");
        pci.getPointer().setInt(28, 0x233010DE);
        pci.read();
        assertThat(Native.toString(pci.busId)).isEqualTo("00000000:3B:00.0");
        assertThat(pci.pciDeviceId).isEqualTo(0x233010DE);

        NvmlNative.EventData event = new NvmlNative.EventData();
        event.getPointer().setLong(8, 0x8);
        event.getPointer().setLong(16, 79);
        event.getPointer().setInt(28, 0xFFFFFFFF);
        event.read();
        assertThat(event.eventType).isEqualTo(0x8);
        assertThat(event.eventData).isEqualTo(79);
        assertThat(event.computeInstanceId).isEqualTo(0xFFFFFFFF);
    }

    @Test
    void aMissingLibraryIsAClearError() {
        String missing = "/nonexistent/gantry-test/libnvidia-ml.so.1";
        assertThatThrownBy(() -> JnaNvml.load(List.of(missing, "gantry-no-such-nvml")))
                .isInstanceOf(GpuDiscoveryException.class)
                .hasMessageStartingWith("NVML not available: could not load " + missing + " (" + missing + ": ")
                .hasMessageContaining(") nor gantry-no-such-nvml (libgantry-no-such-nvml.so: ")
                .satisfies(e -> assertThat(e.getMessage()).as("JNA's classpath search is noise here")
                        .doesNotContain("resource path").doesNotContain("Unable to load library"))
                .hasMessageEndingWith("; is the NVIDIA driver installed and, in a container, is the NVIDIA container "
                        + "runtime injecting it (runtimeClassName nvidia / NVIDIA_VISIBLE_DEVICES=all)?")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void returnCodesHaveTheirCNames() {
        assertThat(NvmlReturn.name(9)).isEqualTo("NVML_ERROR_DRIVER_NOT_LOADED");
        assertThat(NvmlReturn.name(0)).isEqualTo("NVML_SUCCESS");
        assertThat(NvmlReturn.name(999)).isEqualTo("NVML_ERROR_UNKNOWN");
        assertThat(NvmlReturn.name(77)).isEqualTo("NVML_ERROR_77");
        assertThat(new NvmlException("nvmlInit_v2", 4, "Insufficient Permissions").getMessage())
                .isEqualTo("nvmlInit_v2 failed: NVML_ERROR_NO_PERMISSION (4): Insufficient Permissions");
    }
}
