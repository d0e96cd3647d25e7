package io.gantry.gpu.nvml;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.PciBusIds;
import io.gantry.gpu.TopologyLevel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs through NVML, the library nvidia-smi and NVIDIA's device plugin use. A reading the GPU does not support is
 * NaN; a GPU whose memory cannot be read, or that NVML reports lost, fails its sample.
 *
 * <p>A device NVML lists but whose UUID, name or memory cannot be read at open time is left out of the inventory
 * with a warning, and the indices of the others close up. NVLink counts come from links whose far end is another
 * GPU of the node; GPUs joined through NVSwitch (whose links end at the switch) show their PCIe level instead.
 */
public final class NvmlBackend implements GpuBackend {

    public static final String NAME = "nvml";

    private static final Logger LOG = LoggerFactory.getLogger(NvmlBackend.class);
    private static final double MIB = 1024.0 * 1024.0;

    private final Nvml nvml;
    private final GpuInventory inventory;
    /** NVML index of each inventory GPU, by inventory index. */
    private final int[] nvmlIndex;
    private final Object eventsLock = new Object();
    private NvmlEventSource events;
    private boolean closed;

    private NvmlBackend(Nvml nvml, GpuInventory inventory, int[] nvmlIndex) {
        this.nvml = nvml;
        this.inventory = inventory;
        this.nvmlIndex = nvmlIndex;
    }

    /**
     * Loads NVML ({@link JnaNvml#SONAME}, then {@code libraryName}) and reads the GPUs.
     *
     * @throws GpuDiscoveryException when NVML cannot be loaded or initialized, saying why and what to check
     */
    public static NvmlBackend open(String libraryName) {
        requireNonNull(libraryName, "libraryName");
        return openLibraries(List.of(JnaNvml.SONAME, libraryName));
    }

    /** Loads the first of {@code libraryNames} that JNA can load (names or paths) and reads the GPUs. */
    public static NvmlBackend openLibraries(List<String> libraryNames) {
        return open(JnaNvml.load(libraryNames), Path.of("/sys"));
    }

    /**
     * Reads the GPUs through {@code nvml}, which the backend then owns (closing the backend closes it).
     *
     * @param sysfsRoot where {@code bus/pci/devices/<busid>/numa_node} is found, normally {@code /sys}
     */
    public static NvmlBackend open(Nvml nvml, Path sysfsRoot) {
        requireNonNull(nvml, "nvml");
        requireNonNull(sysfsRoot, "sysfsRoot");
        try {
            return read(nvml, sysfsRoot);
        } catch (RuntimeException e) {
            nvml.close();
            throw e instanceof NvmlException n ? new GpuDiscoveryException("NVML: " + n.getMessage(), n) : e;
        }
    }

    private static NvmlBackend read(Nvml nvml, Path sysfsRoot) {
        String driver = optional(nvml::systemDriverVersion, "", "driver version");
        String cuda = optional(() -> cudaVersion(nvml.systemCudaDriverVersion()), "", "CUDA version");
        int count = nvml.deviceCount();
        List<GpuDevice> devices = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final int dev = i;
            String uuid;
            String name;
            long memoryMiB;
            try {
                uuid = nvml.uuid(dev);
                name = nvml.name(dev);
                memoryMiB = totalMemoryMiB(nvml, dev);
            } catch (NvmlException e) {
                LOG.warn("NVML device {} cannot be read and is left out of the inventory: {}", dev, e.getMessage());
                continue;
            }
            String busId = optional(() -> nvml.pciBusId(dev), "", "PCI bus id of GPU " + dev);
            String cc = optional(() -> {
                Nvml.ComputeCapability c = nvml.cudaComputeCapability(dev);
                return c.major() + "." + c.minor();
            }, "", "compute capability of GPU " + dev);
            devices.add(new GpuDevice(devices.size(), uuid, name, memoryMiB, busId,
                    optional(() -> nvml.minorNumber(dev), -1, "minor number of GPU " + dev),
                    SysfsNuma.numaNode(sysfsRoot, busId),
                    cc, optional(() -> nvml.migEnabled(dev), false, "MIG mode of GPU " + dev)));
            indices.add(dev);
        }
        int[] nvmlIndex = indices.stream().mapToInt(Integer::intValue).toArray();
        GpuInventory inventory = new GpuInventory(NAME, driver, cuda, devices, links(nvml, devices, nvmlIndex));
        LOG.info("NVML backend: {} GPU(s), driver {}, CUDA {}", devices.size(), driver, cuda);
        return new NvmlBackend(nvml, inventory, nvmlIndex);
    }

    /** {@code 12040} → {@code 12.4}. */
    static String cudaVersion(int v) {
        return v <= 0 ? "" : (v / 1000) + "." + (v % 1000) / 10;
    }

    private interface Call<T> {
        T get();
    }

    /** A value that is nice to have: NOT_SUPPORTED and other failures give {@code fallback}. */
    private static <T> T optional(Call<T> call, T fallback, String what) {
        try {
            return call.get();
        } catch (NvmlException e) {
            if (e.code() != NvmlReturn.NOT_SUPPORTED) {
                LOG.debug("{} unknown: {}", what, e.getMessage());
            }
            return fallback;
        }
    }

    private static List<GpuLink> links(Nvml nvml, List<GpuDevice> devices, int[] nvmlIndex) {
        int n = devices.size();
        int[][] nvLinks = new int[n][n];
        for (int a = 0; a < n; a++) {
            countNvLinks(nvml, devices, nvmlIndex, a, nvLinks[a]);
        }
        List<GpuLink> links = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                // Either end may see the links (a driver can refuse the query on one side); take the larger count.
                int count = Math.max(nvLinks[a][b], nvLinks[b][a]);
                if (count > 0) {
                    links.add(new GpuLink(a, b, TopologyLevel.NVLINK, count));
                    continue;
                }
                final int da = nvmlIndex[a];
                final int db = nvmlIndex[b];
                TopologyLevel level = optional(() -> level(nvml.topologyCommonAncestor(da, db)), null,
                        "topology of GPUs " + a + " and " + b);
                if (level != null) {
                    links.add(new GpuLink(a, b, level, 0));
                }
            }
        }
        return links;
    }

    private static void countNvLinks(Nvml nvml, List<GpuDevice> devices, int[] nvmlIndex, int a, int[] counts) {
        for (int link = 0; link < Nvml.NVLINK_MAX_LINKS; link++) {
            String remote;
            try {
                if (!nvml.nvLinkActive(nvmlIndex[a], link)) {
                    continue;
                }
                remote = nvml.nvLinkRemoteBusId(nvmlIndex[a], link);
            } catch (NvmlException e) {
                // INVALID_ARGUMENT: past this GPU's last link; NOT_SUPPORTED: no NVLink at all.
                if (e.code() != NvmlReturn.INVALID_ARGUMENT && e.code() != NvmlReturn.NOT_SUPPORTED) {
                    LOG.debug("NVLink {} of GPU {}: {}", link, a, e.getMessage());
                }
                return;
            }
            for (int b = 0; b < devices.size(); b++) {
                if (b != a && PciBusIds.same(remote, devices.get(b).pciBusId())) {
                    counts[b]++;
                }
            }
        }
    }

    /** {@code nvmlGpuTopologyLevel_t} → level; null for a value this code does not know. */
    static TopologyLevel level(int nvmlLevel) {
        return switch (nvmlLevel) {
            case 0 -> TopologyLevel.INTERNAL;
            case 10 -> TopologyLevel.PIX;
            case 20 -> TopologyLevel.PXB;
            case 30 -> TopologyLevel.PHB;
            case 40 -> TopologyLevel.NODE;
            case 50 -> TopologyLevel.SYS;
            default -> null;
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GpuInventory inventory() {
        return inventory;
    }

    @Override
    public List<GpuSample> sample() {
        List<GpuSample> samples = new ArrayList<>(nvmlIndex.length);
        for (GpuDevice d : inventory.devices()) {
            samples.add(sample(d, nvmlIndex[d.index()]));
        }
        return samples;
    }

    /** Total memory, 0 for a GPU that reports none (unified-memory parts answer NOT_SUPPORTED). */
    private static long totalMemoryMiB(Nvml nvml, int dev) {
        try {
            return nvml.memoryInfo(dev).totalBytes() >> 20;
        } catch (NvmlException e) {
            if (e.code() == NvmlReturn.NOT_SUPPORTED) {
                return 0;
            }
            throw e;
        }
    }

    private GpuSample sample(GpuDevice d, int dev) {
        Nvml.MemoryInfo mem;
        try {
            mem = nvml.memoryInfo(dev);
        } catch (NvmlException e) {
            if (e.code() != NvmlReturn.NOT_SUPPORTED) {
                return GpuSample.failed(d.uuid(), problem(e));
            }
            mem = null; // no memory reading on this GPU: the framebuffer metrics are left out, the GPU is fine
        }
        Reading r = new Reading();
        Nvml.Utilization util = r.read(() -> nvml.utilization(dev));
        double temp = r.number(nvml::temperatureC, dev);
        double powerMw = r.number(nvml::powerUsageMilliwatts, dev);
        Long energy = r.read(() -> nvml.totalEnergyMillijoules(dev));
        double sm = r.number(i -> nvml.clockMHz(i, Nvml.CLOCK_SM), dev);
        double memClock = r.number(i -> nvml.clockMHz(i, Nvml.CLOCK_MEM), dev);
        return new GpuSample(d.uuid(), util == null ? Double.NaN : util.gpuPercent(),
                util == null ? Double.NaN : util.memoryPercent(), mem == null ? Double.NaN : mem.usedBytes() / MIB,
                mem == null ? Double.NaN : mem.freeBytes() / MIB, temp,
                powerMw / 1000.0, energy == null ? Double.NaN : energy.doubleValue(), sm, memClock, r.problem);
    }

    private static String problem(NvmlException e) {
        boolean lost = e.code() == NvmlReturn.GPU_IS_LOST || e.code() == NvmlReturn.UNKNOWN;
        return (lost ? "GPU is lost (" : "GPU cannot be read (") + e.codeName() + ")";
    }

    /** The metrics of one sample: a missing reading is NaN; a lost GPU on any of them fails the sample. */
    private static final class Reading {
        private String problem;

        <T> T read(Call<T> call) {
            try {
                return call.get();
            } catch (NvmlException e) {
                if (e.code() == NvmlReturn.GPU_IS_LOST && problem == null) {
                    problem = problem(e);
                } else if (e.code() != NvmlReturn.NOT_SUPPORTED) {
                    LOG.debug("GPU reading failed: {}", e.getMessage());
                }
                return null;
            }
        }

        double number(IntFunction<Integer> call, int dev) {
            Integer v = read(() -> call.apply(dev));
            return v == null ? Double.NaN : v;
        }
    }

    @Override
    public Optional<GpuEventSource> events() {
        synchronized (eventsLock) {
            if (closed) {
                throw new IllegalStateException("the NVML backend is closed");
            }
            if (events == null) {
                String[] uuidByNvmlIndex = new String[nvml.deviceCount()];
                for (GpuDevice d : inventory.devices()) {
                    uuidByNvmlIndex[nvmlIndex[d.index()]] = d.uuid();
                }
                try {
                    events = NvmlEventSource.open(nvml, Arrays.asList(uuidByNvmlIndex));
                } catch (NvmlException e) {
                    LOG.warn("GPU error events cannot be watched: {}", e.getMessage());
                    return Optional.empty();
                }
            }
            return Optional.of(events);
        }
    }

    @Override
    public void close() {
        synchronized (eventsLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (events != null) {
                events.close();
            }
        }
        nvml.close();
    }
}
