package io.gantry.gpu.fake;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.XidEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs that do not exist: an inventory read from a YAML file (or given by a test), with health and telemetry that a
 * test or a demo can change. For tests, demos and nodes without GPUs.
 *
 * <p>File format (unknown keys are an error, so a typo does not go unnoticed):
 *
 * <pre>{@code
 * driverVersion: "550.54.15"      # optional
 * cudaVersion: "12.4"             # optional
 * gpus:                           # required, at least one; the index of a GPU is its position in this list
 *   - uuid: GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e0001   # required, unique, non-blank
 *     name: NVIDIA A100-SXM4-80GB                      # required
 *     memoryMiB: 81920                                 # required, > 0
 *     pciBusId: "00000000:07:00.0"                     # optional
 *     minorNumber: 0                                   # optional, unique (default: the index)
 *     numaNode: 0                                      # optional (default -1: unknown)
 *     computeCapability: "8.0"                         # optional
 *     migEnabled: false                                # optional
 *     healthy: true                                    # optional; false = the GPU fails its health check
 *     problem: "XID 79: fallen off the bus"            # optional text reported while healthy is false
 *     utilization: 0                                   # optional telemetry: GPU utilization, 0..100 %
 *     memoryUsedMiB: 0                                 # optional, 0..memoryMiB; free = memoryMiB - used
 *     temperatureC: 34                                 # optional
 *     powerWatts: 61.5                                 # optional, >= 0
 * nvlinks:                                             # optional; pairs of GPU indices and their link count
 *   - {gpus: [0, 1], links: 12}
 * }</pre>
 *
 * <p>Values are typed as YAML 1.2 (core schema): {@code true}/{@code false} (or True, TRUE), numbers in digits,
 * {@code ~} or nothing for absent; the YAML 1.1 spellings {@code yes}/{@code no}/{@code on}/{@code off} and
 * {@code 81_920} are refused as text. Telemetry that is not given is NaN (not reported), except framebuffer used
 * (0) and free ({@code memoryMiB}).
 * A mistake is a {@link io.gantry.gpu.GpuDiscoveryException} such as
 * {@code fake-inventory.yaml:7: gpus[1].memoryMiB: must be > 0, got -5}.
 *
 * <p>When loaded from a file, {@link #sample()} reads the file again whenever its modification time or size
 * changed, so a demo can flip {@code healthy: false} by editing it. A reload that fails keeps the last good state
 * and logs a warning. The inventory itself (GPU list, names, memory, links) never changes after loading; a file
 * whose GPUs changed is logged as needing a restart, and only health and telemetry of the GPUs it still lists
 * are taken.
 *
 * <p>The test hooks ({@link #injectXid}, {@link #setProblem}, {@link #setTelemetry}) are thread-safe. A problem set
 * by {@link #setProblem} wins over the file's {@code healthy}.
 */
public final class FakeGpuBackend implements GpuBackend {

    private static final Logger LOG = LoggerFactory.getLogger(FakeGpuBackend.class);

    private final GpuInventory inventory;
    private final Path file;
    /** The current event source; a closed one is replaced at the next {@link #events()}, as NVML opens a new set. */
    private volatile QueueEventSource events = new QueueEventSource();
    private final Object lock = new Object();
    // Guarded by lock: state per UUID from the file or setTelemetry, problems set by setProblem, the file stamp.
    private final Map<String, FakeGpuState> states = new LinkedHashMap<>();
    private final Map<String, String> hookProblems = new HashMap<>();
    private FileStamp lastStamp;

    private FakeGpuBackend(GpuInventory inventory, List<FakeGpuState> initial, Path file, FileStamp stamp) {
        this.inventory = inventory;
        this.file = file;
        this.lastStamp = stamp;
        for (int i = 0; i < initial.size(); i++) {
            states.put(inventory.devices().get(i).uuid(), initial.get(i));
        }
    }

    /**
     * Reads the inventory from a YAML file (format in the class comment).
     *
     * @throws io.gantry.gpu.GpuDiscoveryException when the file is missing or wrong, naming the file, line and key
     */
    public static FakeGpuBackend load(Path yamlFile) {
        requireNonNull(yamlFile, "yamlFile");
        // Stamp before reading, so an edit made while reading is picked up by the next sample().
        FileStamp stamp = FileStamp.of(yamlFile);
        FakeInventoryFile read = InventoryYamlReader.read(yamlFile);
        LOG.info("fake GPU backend: {} GPU(s) from {}", read.inventory().devices().size(), yamlFile);
        return new FakeGpuBackend(read.inventory(), read.states(), yamlFile, stamp);
    }

    /** An inventory given directly (tests): every GPU healthy, idle, no temperature or power reading. */
    public static FakeGpuBackend of(GpuInventory inventory) {
        requireNonNull(inventory, "inventory");
        List<FakeGpuState> idle = inventory.devices().stream().map(d -> FakeGpuState.idle()).toList();
        return new FakeGpuBackend(inventory, idle, null, null);
    }

    @Override
    public String name() {
        return InventoryYamlReader.BACKEND;
    }

    @Override
    public GpuInventory inventory() {
        return inventory;
    }

    @Override
    public List<GpuSample> sample() {
        synchronized (lock) {
            if (file != null) {
                reloadIfChanged();
            }
            List<GpuSample> samples = new ArrayList<>(inventory.devices().size());
            for (GpuDevice d : inventory.devices()) {
                FakeGpuState s = states.get(d.uuid());
                String problem = hookProblems.getOrDefault(d.uuid(), s.problem());
                // A reloaded file may give a smaller memoryMiB than the inventory's; keep used <= total.
                double used = Math.min(s.fbUsedMiB(), d.memoryMiB());
                samples.add(new GpuSample(d.uuid(), s.gpuUtilPercent(), Double.NaN, used, d.memoryMiB() - used,
                        s.temperatureC(), s.powerWatts(), Double.NaN, Double.NaN, Double.NaN, problem));
            }
            return samples;
        }
    }

    @Override
    public Optional<GpuEventSource> events() {
        synchronized (lock) {
            if (events.isClosed()) {
                events = new QueueEventSource();
            }
            return Optional.of(events);
        }
    }

    /**
     * Queues an Xid event for the event source's {@code await}.
     *
     * @param uuidOrNull a GPU of the inventory, or null for an event the driver could not attribute
     */
    public void injectXid(String uuidOrNull, long xid) {
        if (uuidOrNull != null) {
            device(uuidOrNull);
        }
        synchronized (lock) {
            if (events.isClosed()) {
                events = new QueueEventSource();
            }
            events.offer(new XidEvent(uuidOrNull, xid));
        }
    }

    /** Makes the next {@link #sample()} report {@code problemOrNull} for the GPU; null withdraws it. */
    public void setProblem(String uuid, String problemOrNull) {
        device(uuid);
        synchronized (lock) {
            if (problemOrNull == null) {
                hookProblems.remove(uuid);
            } else {
                hookProblems.put(uuid, problemOrNull);
            }
        }
    }

    /**
     * Sets the GPU utilization (0..100, or NaN for not reported) and the framebuffer used (0..memoryMiB) that the
     * next {@link #sample()} reports.
     */
    public void setTelemetry(String uuid, double utilPercent, double fbUsedMiB) {
        GpuDevice d = device(uuid);
        if (!Double.isNaN(utilPercent) && (utilPercent < 0 || utilPercent > 100)) {
            throw new IllegalArgumentException("utilization must be 0..100 % or NaN, got " + utilPercent);
        }
        if (!(fbUsedMiB >= 0 && fbUsedMiB <= d.memoryMiB())) {
            throw new IllegalArgumentException("framebuffer used must be 0.." + d.memoryMiB() + " MiB for " + uuid
                    + ", got " + fbUsedMiB);
        }
        synchronized (lock) {
            states.put(uuid, states.get(uuid).withTelemetry(utilPercent, fbUsedMiB));
        }
    }

    @Override
    public void close() {
        events.close();
    }

    private GpuDevice device(String uuid) {
        requireNonNull(uuid, "uuid");
        return inventory.byUuid(uuid).orElseThrow(() -> new IllegalArgumentException("no fake GPU " + uuid
                + "; the inventory has " + inventory.devices().stream().map(GpuDevice::uuid)
                .collect(Collectors.joining(", "))));
    }

    private void reloadIfChanged() {
        FileStamp now = FileStamp.of(file);
        if (now == null) {
            if (lastStamp != null) {
                LOG.warn("fake GPU inventory {} cannot be read any more; keeping the last state", file);
            }
            lastStamp = null;
            return;
        }
        if (now.equals(lastStamp)) {
            return;
        }
        lastStamp = now;
        FakeInventoryFile fresh;
        try {
            fresh = InventoryYamlReader.read(file);
        } catch (RuntimeException e) {
            LOG.warn("fake GPU inventory changed but cannot be used, keeping the last good state: {}",
                    e.getMessage());
            return;
        }
        GpuInventory next = fresh.inventory();
        if (!next.devices().equals(inventory.devices()) || !next.links().equals(inventory.links())) {
            LOG.warn("the GPUs in {} changed (list, UUIDs or their properties); the inventory stays as loaded until "
                    + "a restart, only health and telemetry of the GPUs still listed are taken", file);
        }
        for (int i = 0; i < next.devices().size(); i++) {
            String uuid = next.devices().get(i).uuid();
            if (states.containsKey(uuid)) {
                states.put(uuid, fresh.states().get(i));
            }
        }
        LOG.info("fake GPU inventory {} reloaded", file);
    }

    /** Modification time and size: together they catch edits that land within the clock's resolution. */
    private record FileStamp(FileTime modified, long size) {
        static FileStamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(a.lastModifiedTime(), a.size());
            } catch (IOException e) {
                return null;
            }
        }
    }
}
