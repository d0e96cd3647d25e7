package io.gantry.gpu.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * libnvidia-ml as JNA sees it. Only the versioned symbols the library exports are named: the header's unversioned
 * names ({@code nvmlInit}, {@code nvmlDeviceGetCount}, ...) are macros. Every function returns an
 * {@code nvmlReturn_t}; unsigned C integers are Java {@code int}/{@code long} read as unsigned. Public because JNA
 * builds a proxy of it and instantiates the structures reflectively.
 */
public interface NvmlNative extends Library {

    int nvmlInit_v2();

    int nvmlShutdown();

    String nvmlErrorString(int result);

    int nvmlSystemGetDriverVersion(byte[] version, int length);

    int nvmlSystemGetCudaDriverVersion_v2(IntByReference cudaDriverVersion);

    int nvmlDeviceGetCount_v2(IntByReference deviceCount);

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

    int nvmlDeviceGetName(Pointer device, byte[] name, int length);

    int nvmlDeviceGetIndex(Pointer device, IntByReference index);

    int nvmlDeviceGetMinorNumber(Pointer device, IntByReference minorNumber);

    int nvmlDeviceGetMemoryInfo(Pointer device, Memory memory);

    int nvmlDeviceGetMemoryInfo_v2(Pointer device, MemoryV2 memory);

    int nvmlDeviceGetUtilizationRates(Pointer device, Utilization utilization);

    int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference temp);

    int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

    int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference millijoules);

    int nvmlDeviceGetClockInfo(Pointer device, int clockType, IntByReference clockMHz);

    int nvmlDeviceGetPciInfo_v3(Pointer device, PciInfo pci);

    int nvmlDeviceGetCudaComputeCapability(Pointer device, IntByReference major, IntByReference minor);

    int nvmlDeviceGetMigMode(Pointer device, IntByReference currentMode, IntByReference pendingMode);

    int nvmlDeviceGetTopologyCommonAncestor(Pointer device1, Pointer device2, IntByReference pathInfo);

    int nvmlDeviceGetNvLinkState(Pointer device, int link, IntByReference isActive);

    int nvmlDeviceGetNvLinkRemotePciInfo_v2(Pointer device, int link, PciInfo pci);

    int nvmlEventSetCreate(PointerByReference set);

    int nvmlDeviceGetSupportedEventTypes(Pointer device, LongByReference eventTypes);

    int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

    int nvmlEventSetWait_v2(Pointer set, EventData data, int timeoutMs);

    int nvmlEventSetFree(Pointer set);

    /** {@code nvmlMemory_t}: bytes; 24 bytes. */
    @Structure.FieldOrder({"total", "free", "used"})
    class Memory extends Structure {
        public long total;
        public long free;
        public long used;
    }

    /** {@code nvmlMemory_v2_t}: like {@link Memory} with the reserved part apart; 40 bytes. */
    @Structure.FieldOrder({"version", "total", "reserved", "free", "used"})
    class MemoryV2 extends Structure {
        /** {@code NVML_STRUCT_VERSION(Memory, 2)}: the size OR the version shifted left by 24. */
        public static final int VERSION_2 = 40 | (2 << 24);

        public int version;
        public long total;
        public long reserved;
        public long free;
        public long used;
    }

    /** {@code nvmlUtilization_t}: percent; 8 bytes. */
    @Structure.FieldOrder({"gpu", "memory"})
    class Utilization extends Structure {
        public int gpu;
        public int memory;
    }

    /** {@code nvmlPciInfo_t}: 68 bytes. */
    @Structure.FieldOrder({"busIdLegacy", "domain", "bus", "device", "pciDeviceId", "pciSubSystemId", "busId"})
    class PciInfo extends Structure {
        public byte[] busIdLegacy = new byte[16];
        public int domain;
        public int bus;
        public int device;
        public int pciDeviceId;
        public int pciSubSystemId;
        public byte[] busId = new byte[32];
    }

    /** {@code nvmlEventData_t}: 32 bytes. */
    @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
    class EventData extends Structure {
        public Pointer device;
        public long eventType;
        public long eventData;
        public int gpuInstanceId;
        public int computeInstanceId;
    }
}
