package io.gantry.agent.metrics;

import static java.util.Objects.requireNonNull;

import io.gantry.agent.allocation.AllocationLedger;
import io.gantry.agent.allocation.Handout;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.allocation.ShareDeviceIds;
import io.gantry.agent.health.HealthTracker;
import io.gantry.agent.kubelet.ContainerDevices;
import io.gantry.agent.kubelet.PodResourcesClient;
import io.gantry.contract.GpuAnnotations;
import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuSample;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * GPU metrics under dcgm-exporter's names and labels ({@code gpu}, {@code UUID}, {@code pci_bus_id},
 * {@code device}, {@code modelName}, {@code Hostname}, {@code DCGM_FI_DRIVER_VERSION}), so existing Grafana
 * dashboards work unchanged. As dcgm-exporter does, a GPU in use is reported once per container using it, with
 * {@code namespace}, {@code pod} and {@code container} labels from the kubelet's PodResources API, and a GPU nobody
 * uses once without them. Values are read at scrape time; a value the GPU does not report is left out.
 * {@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION} is typed gauge here: a counter would be renamed {@code ..._total}
 * by the Prometheus text format, and the name is what dashboards query.
 */
public final class GpuMetricsCollector implements MultiCollector {

    private record Field(String name, String help, ToDoubleFunction<GpuSample> value) {
    }

    private static final List<Field> FIELDS = List.of(
            new Field("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", GpuSample::gpuUtilPercent),
            new Field("DCGM_FI_DEV_MEM_COPY_UTIL", "Memory utilization (in %).", GpuSample::memCopyUtilPercent),
            new Field("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", GpuSample::fbUsedMiB),
            new Field("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).", GpuSample::fbFreeMiB),
            new Field("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", GpuSample::temperatureC),
            new Field("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", GpuSample::powerWatts),
            new Field("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "Total energy consumption since boot (in mJ).",
                    GpuSample::energyMillijoules),
            new Field("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", GpuSample::smClockMHz),
            new Field("DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz).", GpuSample::memClockMHz));

    /** One container using a GPU. */
    private record User(String namespace, String pod, String container) {
    }

    private final GpuBackend backend;
    private final GpuInventory inventory;
    private final String hostname;
    private final HealthTracker health;
    private final PodResourcesClient podResources;
    private final AllocationLedger ledger;
    private final Supplier<Map<String, Long>> lastXids;

    /**
     * @param podResources the kubelet's PodResources API, or null (then the agent's own handouts attribute GPUs)
     */
    public GpuMetricsCollector(GpuBackend backend, String hostname, HealthTracker health,
                               PodResourcesClient podResources, AllocationLedger ledger,
                               Supplier<Map<String, Long>> lastXids) {
        this.backend = requireNonNull(backend, "backend");
        this.inventory = backend.inventory();
        this.hostname = requireNonNull(hostname, "hostname");
        this.health = requireNonNull(health, "health");
        this.podResources = podResources;
        this.ledger = requireNonNull(ledger, "ledger");
        this.lastXids = requireNonNull(lastXids, "lastXids");
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, GpuSample> samples = new HashMap<>();
        for (GpuSample s : backend.sample()) {
            samples.put(s.uuid(), s);
        }
        Usage usage = usage();
        List<GaugeSnapshot> out = new ArrayList<>();
        for (Field f : FIELDS) {
            GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(f.name()).help(f.help());
            boolean any = false;
            for (GpuDevice d : inventory.devices()) {
                GpuSample s = samples.get(d.uuid());
                double v = s == null ? Double.NaN : f.value().applyAsDouble(s);
                if (Double.isNaN(v)) {
                    continue;
                }
                for (Labels l : seriesLabels(d, usage.users.get(d.uuid()))) {
                    g.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(v).build());
                    any = true;
                }
            }
            if (any) {
                out.add(g.build());
            }
        }
        Map<String, Long> xids = lastXids.get();
        GaugeSnapshot.Builder xid = GaugeSnapshot.builder().name("DCGM_FI_DEV_XID_ERRORS")
                .help("Value of the last XID error encountered.");
        GaugeSnapshot.Builder share = GaugeSnapshot.builder().name("gantry_gpu_share_allocated_milli")
                .help("Thousandths of this GPU handed to containers (a whole-GPU container counts 1000).");
        GaugeSnapshot.Builder healthy = GaugeSnapshot.builder().name("gantry_gpu_healthy")
                .help("1 when the GPU is advertised Healthy to the kubelet, 0 when Unhealthy.");
        for (GpuDevice d : inventory.devices()) {
            Labels base = baseLabels(d);
            xid.dataPoint(GaugeDataPointSnapshot.builder().labels(base).value(xids.getOrDefault(d.uuid(), 0L)).build());
            share.dataPoint(GaugeDataPointSnapshot.builder().labels(base)
                    .value(usage.milli.getOrDefault(d.uuid(), 0)).build());
            healthy.dataPoint(GaugeDataPointSnapshot.builder().labels(base)
                    .value(health.isHealthy(d.uuid()) ? 1 : 0).build());
        }
        if (!inventory.devices().isEmpty()) {
            out.add(xid.build());
            out.add(share.build());
            out.add(healthy.build());
        }
        return new MetricSnapshots(new ArrayList<>(out));
    }

    private Labels baseLabels(GpuDevice d) {
        return Labels.of(
                "gpu", String.valueOf(d.index()),
                "UUID", d.uuid(),
                "pci_bus_id", d.pciBusId(),
                "device", "nvidia" + d.index(),
                "modelName", d.name(),
                "Hostname", hostname,
                "DCGM_FI_DRIVER_VERSION", inventory.driverVersion());
    }

    private List<Labels> seriesLabels(GpuDevice d, Set<User> users) {
        Labels base = baseLabels(d);
        if (users == null || users.isEmpty()) {
            return List.of(base);
        }
        List<Labels> result = new ArrayList<>();
        for (User u : users) {
            result.add(base.merge(Labels.of("namespace", u.namespace(), "pod", u.pod(), "container", u.container())));
        }
        return result;
    }

    private record Usage(Map<String, Set<User>> users, Map<String, Integer> milli) {
    }

    /**
     * Who uses which GPU and how much of it. The kubelet's record says which containers hold devices; the agent's
     * handout says which GPUs those devices really are (it follows the scheduler's annotation, which the kubelet's
     * device ids may not match). Without PodResources the handouts alone are used.
     */
    private Usage usage() {
        Map<String, Set<User>> users = new HashMap<>();
        Map<String, Integer> milli = new HashMap<>();
        Optional<List<ContainerDevices>> listed = podResources == null ? Optional.empty() : podResources.list();
        if (listed.isPresent()) {
            Set<String> live = new HashSet<>();
            for (ContainerDevices c : listed.get()) {
                live.add(c.namespace() + "/" + c.pod());
                ResourceKind kind = kindOf(c.resource());
                if (kind == null || c.deviceIds().isEmpty()) {
                    continue;
                }
                Handout h = ledger.find(c.namespace(), c.pod(), c.container(), kind);
                Map<String, Integer> perGpu = h != null ? perGpu(h) : perGpu(kind, c.deviceIds());
                User user = new User(c.namespace(), c.pod(), c.container());
                perGpu.forEach((gpu, m) -> {
                    users.computeIfAbsent(gpu, k -> new LinkedHashSet<>()).add(user);
                    milli.merge(gpu, m, Integer::sum);
                });
            }
            ledger.retainPods(live);
        } else {
            for (Handout h : ledger.all()) {
                User user = new User(h.namespace(), h.pod(), h.container());
                perGpu(h).forEach((gpu, m) -> {
                    users.computeIfAbsent(gpu, k -> new LinkedHashSet<>()).add(user);
                    milli.merge(gpu, m, Integer::sum);
                });
            }
        }
        return new Usage(users, milli);
    }

    private static ResourceKind kindOf(String resource) {
        if (GpuAnnotations.GPU_RESOURCE.equals(resource)) {
            return ResourceKind.WHOLE;
        }
        return GpuAnnotations.GPU_MILLI_RESOURCE.equals(resource) ? ResourceKind.SHARE : null;
    }

    private static Map<String, Integer> perGpu(Handout h) {
        Map<String, Integer> m = new LinkedHashMap<>();
        if (h.kind() == ResourceKind.SHARE && h.gpuUuids().size() > 1) {
            return perGpu(h.kind(), h.deviceIds());
        }
        for (String gpu : h.gpuUuids()) {
            m.put(gpu, h.milli());
        }
        return m;
    }

    private static Map<String, Integer> perGpu(ResourceKind kind, List<String> deviceIds) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String id : deviceIds) {
            m.merge(ShareDeviceIds.gpuOf(id), kind == ResourceKind.WHOLE ? ShareDeviceIds.PER_GPU : 1, Integer::sum);
        }
        return m;
    }
}
