package io.gantry.gpu.nvml;

/**
 * The NVML calls the backend makes, by NVML device index. Failures are {@link NvmlException}s carrying NVML's return
 * code, so the backend decides what a code means (NOT_SUPPORTED: no reading; GPU_IS_LOST: unhealthy). Implemented by
 * {@link JnaNvml} over the real library and by fakes in tests. Thread-safe, as NVML is.
 */
public interface Nvml extends AutoCloseable {

    /** {@code nvmlEventTypeSingleBitEccError}. */
    long EVENT_SINGLE_BIT_ECC = 0x1L;
    /** {@code nvmlEventTypeDoubleBitEccError}. */
    long EVENT_DOUBLE_BIT_ECC = 0x2L;
    /** {@code nvmlEventTypeXidCriticalError}. */
    long EVENT_XID_CRITICAL = 0x8L;
    /** {@code NVML_CLOCK_SM}. */
    int CLOCK_SM = 1;
    /** {@code NVML_CLOCK_MEM}. */
    int CLOCK_MEM = 2;
    /** {@code NVML_NVLINK_MAX_LINKS} of the current header; older drivers end the loop earlier. */
    int NVLINK_MAX_LINKS = 36;

    /** Framebuffer sizes in bytes. */
    record MemoryInfo(long totalBytes, long freeBytes, long usedBytes) {
    }

    /** Percent of the last sample period. */
    record Utilization(int gpuPercent, int memoryPercent) {
    }

    record ComputeCapability(int major, int minor) {
    }

    /**
     * One event of an event set.
     *
     * @param deviceIndex the NVML index of the device it names, or -1 when that device is not one of ours
     * @param eventType the event type bit, e.g. {@link #EVENT_XID_CRITICAL}
     * @param eventData the Xid for Xid events (999: unknown Xid)
     */
    record Event(int deviceIndex, long eventType, long eventData) {
    }

    /** An opaque {@code nvmlEventSet_t}. */
    interface EventSet {
    }

    String systemDriverVersion();

    /** E.g. {@code 12040} for CUDA 12.4. */
    int systemCudaDriverVersion();

    int deviceCount();

    String uuid(int device);

    String name(int device);

    int minorNumber(int device);

    MemoryInfo memoryInfo(int device);

    Utilization utilization(int device);

    int temperatureC(int device);

    int powerUsageMilliwatts(int device);

    long totalEnergyMillijoules(int device);

    /** {@link #CLOCK_SM} or {@link #CLOCK_MEM}, in MHz. */
    int clockMHz(int device, int clockType);

    /** NVML's {@code busId}, e.g. {@code 00000000:3B:00.0}. */
    String pciBusId(int device);

    ComputeCapability cudaComputeCapability(int device);

    /** The current MIG mode: true when enabled. NOT_SUPPORTED on GPUs without MIG. */
    boolean migEnabled(int device);

    /** The raw {@code nvmlGpuTopologyLevel_t}: 0, 10, 20, 30, 40 or 50. */
    int topologyCommonAncestor(int deviceA, int deviceB);

    boolean nvLinkActive(int device, int link);

    /** The bus id at the far end of an NVLink. */
    String nvLinkRemoteBusId(int device, int link);

    EventSet createEventSet();

    long supportedEventTypes(int device);

    void registerEvents(int device, long eventTypes, EventSet set);

    /** Waits for the next event; NVML's TIMEOUT comes as an {@link NvmlException} with that code. */
    Event waitEvent(EventSet set, int timeoutMillis);

    void freeEventSet(EventSet set);

    /** {@code nvmlShutdown}. */
    @Override
    void close();
}
