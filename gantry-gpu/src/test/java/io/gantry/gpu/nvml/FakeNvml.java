package io.gantry.gpu.nvml;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An {@link Nvml} with devices set up by a test: values from go-nvml's mock servers, any call can be made to fail
 * with a chosen return code, events are fed through a queue.
 */
final class FakeNvml implements Nvml {

    static final long GIB = 1L << 30;

    /** One GPU; every field can be changed by the test. */
    static final class Device {
        String uuid;
        String name = "NVIDIA H100 80GB HBM3";
        long totalBytes = 80 * GIB;
        long usedBytes = 0;
        String busId;
        int minor;
        int ccMajor = 9;
        int ccMinor = 0;
        boolean mig;
        int gpuUtil = 0;
        int memUtil = 0;
        int temperature = 33;
        int powerMilliwatts = 71_520;
        long energyMillijoules = 123_456_789L;
        int smClock = 1980;
        int memClock = 2619;
        long supportedEvents = 0x1 | 0x2 | 0x4 | 0x8 | 0x10;
        /** Remote bus id per NVLink, null for an inactive link; the list's end is NVML's INVALID_ARGUMENT. */
        List<String> nvLinks = new ArrayList<>();
        /** Call name → return code to fail with, e.g. "temperature" → NOT_SUPPORTED. */
        final Map<String, Integer> failures = new HashMap<>();

        Device fail(String call, int code) {
            failures.put(call, code);
            return this;
        }
    }

    final List<Device> devices = new ArrayList<>();
    final Map<String, Integer> ancestors = new HashMap<>();
    final Map<Integer, Long> registered = new HashMap<>();
    /** {@link Event}s, or Integer return codes that the next wait fails with. */
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    String driverVersion = "550.54.15";
    int cudaVersion = 12040;
    int countFailure = NvmlReturn.SUCCESS;
    int createEventSetFailure = NvmlReturn.SUCCESS;
    int eventSetsFreed;
    int shutdowns;

    private final EventSet set = new EventSet() {
    };

    Device add(String uuid, String busId) {
        Device d = new Device();
        d.uuid = uuid;
        d.busId = busId;
        d.minor = devices.size();
        devices.add(d);
        return d;
    }

    void ancestor(int a, int b, int level) {
        ancestors.put(Math.min(a, b) + "-" + Math.max(a, b), level);
    }

    private Device dev(int i, String call) {
        Device d = devices.get(i);
        Integer code = d.failures.get(call);
        if (code != null) {
            throw new NvmlException("fake " + call, code, "");
        }
        return d;
    }

    @Override
    public String systemDriverVersion() {
        return driverVersion;
    }

    @Override
    public int systemCudaDriverVersion() {
        return cudaVersion;
    }

    @Override
    public int deviceCount() {
        if (countFailure != NvmlReturn.SUCCESS) {
            throw new NvmlException("nvmlDeviceGetCount_v2", countFailure, "");
        }
        return devices.size();
    }

    @Override
    public String uuid(int device) {
        return dev(device, "uuid").uuid;
    }

    @Override
    public String name(int device) {
        return dev(device, "name").name;
    }

    @Override
    public int minorNumber(int device) {
        return dev(device, "minor").minor;
    }

    @Override
    public MemoryInfo memoryInfo(int device) {
        Device d = dev(device, "memory");
        return new MemoryInfo(d.totalBytes, d.totalBytes - d.usedBytes, d.usedBytes);
    }

    @Override
    public Utilization utilization(int device) {
        Device d = dev(device, "utilization");
        return new Utilization(d.gpuUtil, d.memUtil);
    }

    @Override
    public int temperatureC(int device) {
        return dev(device, "temperature").temperature;
    }

    @Override
    public int powerUsageMilliwatts(int device) {
        return dev(device, "power").powerMilliwatts;
    }

    @Override
    public long totalEnergyMillijoules(int device) {
        return dev(device, "energy").energyMillijoules;
    }

    @Override
    public int clockMHz(int device, int clockType) {
        Device d = dev(device, "clock");
        return clockType == CLOCK_SM ? d.smClock : d.memClock;
    }

    @Override
    public String pciBusId(int device) {
        return dev(device, "pci").busId;
    }

    @Override
    public ComputeCapability cudaComputeCapability(int device) {
        Device d = dev(device, "cc");
        return new ComputeCapability(d.ccMajor, d.ccMinor);
    }

    @Override
    public boolean migEnabled(int device) {
        return dev(device, "mig").mig;
    }

    @Override
    public int topologyCommonAncestor(int deviceA, int deviceB) {
        dev(deviceA, "topology");
        Integer level = ancestors.get(Math.min(deviceA, deviceB) + "-" + Math.max(deviceA, deviceB));
        if (level == null) {
            throw new NvmlException("nvmlDeviceGetTopologyCommonAncestor", NvmlReturn.NOT_SUPPORTED, "");
        }
        return level;
    }

    @Override
    public boolean nvLinkActive(int device, int link) {
        Device d = dev(device, "nvlink");
        if (link >= d.nvLinks.size()) {
            throw new NvmlException("nvmlDeviceGetNvLinkState", NvmlReturn.INVALID_ARGUMENT, "");
        }
        return d.nvLinks.get(link) != null;
    }

    @Override
    public String nvLinkRemoteBusId(int device, int link) {
        return dev(device, "nvlink").nvLinks.get(link);
    }

    @Override
    public EventSet createEventSet() {
        if (createEventSetFailure != NvmlReturn.SUCCESS) {
            throw new NvmlException("nvmlEventSetCreate", createEventSetFailure, "");
        }
        return set;
    }

    @Override
    public long supportedEventTypes(int device) {
        return dev(device, "supportedEvents").supportedEvents;
    }

    @Override
    public void registerEvents(int device, long eventTypes, EventSet s) {
        dev(device, "register");
        registered.put(device, eventTypes);
    }

    @Override
    public Event waitEvent(EventSet s, int timeoutMillis) {
        Object next;
        try {
            next = events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            next = null;
        }
        if (next == null) {
            throw new NvmlException("nvmlEventSetWait_v2", NvmlReturn.TIMEOUT, "Timeout");
        }
        if (next instanceof Integer code) {
            throw new NvmlException("nvmlEventSetWait_v2", code, "");
        }
        return (Event) next;
    }

    @Override
    public void freeEventSet(EventSet s) {
        eventSetsFreed++;
    }

    @Override
    public void close() {
        shutdowns++;
    }
}
