package io.gantry.gpu.nvml;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.gantry.gpu.GpuDiscoveryException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** {@link Nvml} over the real libnvidia-ml, loaded with JNA. */
public final class JnaNvml implements Nvml {

    /** The library's soname; the unversioned {@code libnvidia-ml.so} link is often missing in containers. */
    public static final String SONAME = "libnvidia-ml.so.1";

    private static final int TEXT_BUFFER = 96;
    private static final int DRIVER_VERSION_BUFFER = 80;
    private static final int TEMPERATURE_GPU = 0;

    private final NvmlNative lib;
    private final AtomicReferenceArray<Pointer> handles;
    private final AtomicBoolean closed = new AtomicBoolean();
    // Cleared once the driver shows it lacks nvmlDeviceGetMemoryInfo_v2, so the old call is used from then on.
    private volatile boolean memoryV2 = true;

    private JnaNvml(NvmlNative lib, int count) {
        this.lib = lib;
        this.handles = new AtomicReferenceArray<>(count);
    }

    /**
     * Loads the first of {@code libraryNames} that JNA can load and initializes NVML.
     *
     * @throws GpuDiscoveryException when no library loads or {@code nvmlInit_v2} fails, saying why and what to check
     */
    public static JnaNvml load(List<String> libraryNames) {
        Set<String> names = new LinkedHashSet<>(libraryNames);
        List<String> failures = new ArrayList<>();
        NvmlNative lib = null;
        for (String name : names) {
            try {
                lib = Native.load(name, NvmlNative.class);
                break;
            } catch (LinkageError e) {
                // UnsatisfiedLinkError for a missing library; other linkage errors when JNA's own stub cannot load.
                failures.add(name + " (" + loadFailure(e.getMessage()) + ")");
            }
        }
        if (lib == null) {
            throw new GpuDiscoveryException("NVML not available: could not load " + String.join(" nor ", failures)
                    + "; is the NVIDIA driver installed and, in a container, is the NVIDIA container runtime "
                    + "injecting it (runtimeClassName nvidia / NVIDIA_VISIBLE_DEVICES=all)?");
        }
        return init(lib);
    }

    /** Initializes NVML through {@code lib} and counts the devices; shuts NVML down again when that fails. */
    static JnaNvml init(NvmlNative lib) {
        int rc;
        try {
            rc = lib.nvmlInit_v2();
        } catch (UnsatisfiedLinkError e) {
            throw new GpuDiscoveryException("NVML not available: the loaded library has no nvmlInit_v2 ("
                    + oneLine(e.getMessage()) + "); is it really libnvidia-ml?", e);
        }
        if (rc != NvmlReturn.SUCCESS) {
            throw new GpuDiscoveryException("NVML not available: nvmlInit_v2 failed with " + NvmlReturn.name(rc) + " ("
                    + rc + ")" + text(lib, rc) + initHint(rc));
        }
        try {
            IntByReference count = new IntByReference();
            check(lib, "nvmlDeviceGetCount_v2", lib.nvmlDeviceGetCount_v2(count));
            return new JnaNvml(lib, count.getValue());
        } catch (NvmlException e) {
            lib.nvmlShutdown();
            throw new GpuDiscoveryException("NVML not available: " + e.getMessage(), e);
        }
    }

    private static String initHint(int rc) {
        return switch (rc) {
            case NvmlReturn.DRIVER_NOT_LOADED -> "; the NVIDIA kernel module is not loaded (does nvidia-smi work on "
                    + "the host? is the driver installed for the running kernel?)";
            case NvmlReturn.NO_PERMISSION -> "; no access to /dev/nvidia*: run the agent privileged or give it the "
                    + "device nodes";
            case NvmlReturn.LIB_RM_VERSION_MISMATCH -> "; the library and the loaded kernel module are different "
                    + "driver versions: reboot, or reload the nvidia kernel module";
            default -> "";
        };
    }

    private static String text(NvmlNative lib, int rc) {
        try {
            String s = lib.nvmlErrorString(rc);
            return s == null || s.isBlank() ? "" : ": " + s;
        } catch (UnsatisfiedLinkError e) {
            return "";
        }
    }

    /**
     * The dlopen errors of JNA's message, without its headline and the classpath it also searched: that part is
     * long and says nothing about a driver library.
     */
    static String loadFailure(String message) {
        if (message == null) {
            return "no reason given";
        }
        List<String> reasons = message.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("Unable to load library") && !l.startsWith("Native library"))
                .distinct().toList();
        return reasons.isEmpty() ? oneLine(message) : oneLine(String.join("\n", reasons));
    }

    private static String oneLine(String message) {
        String m = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
        return m.length() > 400 ? m.substring(0, 400) + "..." : m;
    }

    private void check(String function, int rc) {
        check(lib, function, rc);
    }

    private static void check(NvmlNative lib, String function, int rc) {
        if (rc != NvmlReturn.SUCCESS) {
            throw new NvmlException(function, rc, text(lib, rc).replaceFirst("^: ", ""));
        }
    }

    private Pointer handle(int device) {
        Pointer h = handles.get(device);
        if (h == null) {
            PointerByReference ref = new PointerByReference();
            check("nvmlDeviceGetHandleByIndex_v2(" + device + ")", lib.nvmlDeviceGetHandleByIndex_v2(device, ref));
            h = ref.getValue();
            handles.set(device, h);
        }
        return h;
    }

    private static String string(byte[] buffer) {
        return Native.toString(buffer).strip();
    }

    @Override
    public String systemDriverVersion() {
        byte[] buf = new byte[DRIVER_VERSION_BUFFER];
        check("nvmlSystemGetDriverVersion", lib.nvmlSystemGetDriverVersion(buf, buf.length));
        return string(buf);
    }

    @Override
    public int systemCudaDriverVersion() {
        IntByReference v = new IntByReference();
        check("nvmlSystemGetCudaDriverVersion_v2", lib.nvmlSystemGetCudaDriverVersion_v2(v));
        return v.getValue();
    }

    @Override
    public int deviceCount() {
        return handles.length();
    }

    @Override
    public String uuid(int device) {
        byte[] buf = new byte[TEXT_BUFFER];
        check("nvmlDeviceGetUUID", lib.nvmlDeviceGetUUID(handle(device), buf, buf.length));
        return string(buf);
    }

    @Override
    public String name(int device) {
        byte[] buf = new byte[TEXT_BUFFER];
        check("nvmlDeviceGetName", lib.nvmlDeviceGetName(handle(device), buf, buf.length));
        return string(buf);
    }

    @Override
    public int minorNumber(int device) {
        IntByReference v = new IntByReference();
        check("nvmlDeviceGetMinorNumber", lib.nvmlDeviceGetMinorNumber(handle(device), v));
        return v.getValue();
    }

    @Override
    public MemoryInfo memoryInfo(int device) {
        Pointer h = handle(device);
        if (memoryV2) {
            try {
                NvmlNative.MemoryV2 m = new NvmlNative.MemoryV2();
                m.version = NvmlNative.MemoryV2.VERSION_2;
                int rc = lib.nvmlDeviceGetMemoryInfo_v2(h, m);
                if (rc == NvmlReturn.SUCCESS) {
                    return new MemoryInfo(m.total, m.free, m.used);
                }
                if (rc != NvmlReturn.FUNCTION_NOT_FOUND && rc != NvmlReturn.ARGUMENT_VERSION_MISMATCH
                        && rc != NvmlReturn.NOT_SUPPORTED) {
                    check("nvmlDeviceGetMemoryInfo_v2", rc);
                }
            } catch (UnsatisfiedLinkError e) {
                // A driver older than the _v2 call; the first call below works on every driver.
            }
            memoryV2 = false;
        }
        NvmlNative.Memory m = new NvmlNative.Memory();
        check("nvmlDeviceGetMemoryInfo", lib.nvmlDeviceGetMemoryInfo(h, m));
        return new MemoryInfo(m.total, m.free, m.used);
    }

    @Override
    public Utilization utilization(int device) {
        NvmlNative.Utilization u = new NvmlNative.Utilization();
        check("nvmlDeviceGetUtilizationRates", lib.nvmlDeviceGetUtilizationRates(handle(device), u));
        return new Utilization(u.gpu, u.memory);
    }

    @Override
    public int temperatureC(int device) {
        IntByReference v = new IntByReference();
        check("nvmlDeviceGetTemperature", lib.nvmlDeviceGetTemperature(handle(device), TEMPERATURE_GPU, v));
        return v.getValue();
    }

    @Override
    public int powerUsageMilliwatts(int device) {
        IntByReference v = new IntByReference();
        check("nvmlDeviceGetPowerUsage", lib.nvmlDeviceGetPowerUsage(handle(device), v));
        return v.getValue();
    }

    @Override
    public long totalEnergyMillijoules(int device) {
        LongByReference v = new LongByReference();
        check("nvmlDeviceGetTotalEnergyConsumption", lib.nvmlDeviceGetTotalEnergyConsumption(handle(device), v));
        return v.getValue();
    }

    @Override
    public int clockMHz(int device, int clockType) {
        IntByReference v = new IntByReference();
        check("nvmlDeviceGetClockInfo", lib.nvmlDeviceGetClockInfo(handle(device), clockType, v));
        return v.getValue();
    }

    @Override
    public String pciBusId(int device) {
        NvmlNative.PciInfo pci = new NvmlNative.PciInfo();
        check("nvmlDeviceGetPciInfo_v3", lib.nvmlDeviceGetPciInfo_v3(handle(device), pci));
        return string(pci.busId);
    }

    @Override
    public ComputeCapability cudaComputeCapability(int device) {
        IntByReference major = new IntByReference();
        IntByReference minor = new IntByReference();
        check("nvmlDeviceGetCudaComputeCapability",
                lib.nvmlDeviceGetCudaComputeCapability(handle(device), major, minor));
        return new ComputeCapability(major.getValue(), minor.getValue());
    }

    @Override
    public boolean migEnabled(int device) {
        IntByReference current = new IntByReference();
        IntByReference pending = new IntByReference();
        check("nvmlDeviceGetMigMode", lib.nvmlDeviceGetMigMode(handle(device), current, pending));
        return current.getValue() == 1;
    }

    @Override
    public int topologyCommonAncestor(int deviceA, int deviceB) {
        IntByReference level = new IntByReference();
        check("nvmlDeviceGetTopologyCommonAncestor",
                lib.nvmlDeviceGetTopologyCommonAncestor(handle(deviceA), handle(deviceB), level));
        return level.getValue();
    }

    @Override
    public boolean nvLinkActive(int device, int link) {
        IntByReference active = new IntByReference();
        check("nvmlDeviceGetNvLinkState", lib.nvmlDeviceGetNvLinkState(handle(device), link, active));
        return active.getValue() == 1;
    }

    @Override
    public String nvLinkRemoteBusId(int device, int link) {
        NvmlNative.PciInfo pci = new NvmlNative.PciInfo();
        check("nvmlDeviceGetNvLinkRemotePciInfo_v2", lib.nvmlDeviceGetNvLinkRemotePciInfo_v2(handle(device), link,
                pci));
        return string(pci.busId);
    }

    /** Holds the native {@code nvmlEventSet_t}. */
    private record JnaEventSet(Pointer pointer) implements EventSet {
    }

    @Override
    public EventSet createEventSet() {
        PointerByReference set = new PointerByReference();
        check("nvmlEventSetCreate", lib.nvmlEventSetCreate(set));
        return new JnaEventSet(set.getValue());
    }

    @Override
    public long supportedEventTypes(int device) {
        LongByReference v = new LongByReference();
        check("nvmlDeviceGetSupportedEventTypes", lib.nvmlDeviceGetSupportedEventTypes(handle(device), v));
        return v.getValue();
    }

    @Override
    public void registerEvents(int device, long eventTypes, EventSet set) {
        check("nvmlDeviceRegisterEvents", lib.nvmlDeviceRegisterEvents(handle(device), eventTypes, pointer(set)));
    }

    @Override
    public Event waitEvent(EventSet set, int timeoutMillis) {
        NvmlNative.EventData data = new NvmlNative.EventData();
        check("nvmlEventSetWait_v2", lib.nvmlEventSetWait_v2(pointer(set), data, timeoutMillis));
        int index = -1;
        for (int i = 0; i < handles.length() && index < 0; i++) {
            Pointer h = handles.get(i);
            if (h != null && h.equals(data.device)) {
                index = i;
            }
        }
        return new Event(index, data.eventType, data.eventData);
    }

    @Override
    public void freeEventSet(EventSet set) {
        check("nvmlEventSetFree", lib.nvmlEventSetFree(pointer(set)));
    }

    private static Pointer pointer(EventSet set) {
        requireNonNull(set, "set");
        if (set instanceof JnaEventSet j) {
            return j.pointer();
        }
        throw new IllegalArgumentException("not an event set of this NVML: " + set);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            lib.nvmlShutdown();
        }
    }
}
