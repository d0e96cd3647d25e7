package io.gantry.gpu.smi;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.PciBusIds;
import io.gantry.gpu.smi.NvidiaSmiParser.QueryResult;
import io.gantry.gpu.smi.NvidiaSmiParser.Row;
import io.gantry.gpu.smi.NvidiaSmiParser.Topology;
import io.gantry.gpu.smi.NvidiaSmiParser.Unreachable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs as the {@code nvidia-smi} command reports them: for nodes where NVML cannot be loaded into the JVM but the
 * command works. Every {@link #sample()} runs the query once more. No error events ({@link #events()} is empty) and
 * no minor numbers.
 *
 * <p>Old drivers reject fields they do not know ({@code Field "compute_cap" is not a valid field to query.}); such a
 * field is dropped and the query retried, down to {@link NvidiaSmiParser#REQUIRED_FIELDS}. A GPU that cannot be
 * read at open time (no UUID) is left out of the inventory with a warning, and the indices of the others close up.
 */
public final class NvidiaSmiBackend implements GpuBackend {

    public static final String NAME = "nvidia-smi";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(NvidiaSmiBackend.class);

    private final String executable;
    private final CommandRunner runner;
    private final List<String> fields;
    private final GpuInventory inventory;

    private NvidiaSmiBackend(String executable, CommandRunner runner, List<String> fields, GpuInventory inventory) {
        this.executable = executable;
        this.runner = runner;
        this.fields = fields;
        this.inventory = inventory;
    }

    /** Opens with {@link #DEFAULT_TIMEOUT} per command. */
    public static NvidiaSmiBackend open(String executable) {
        return open(executable, DEFAULT_TIMEOUT);
    }

    /**
     * Runs the query, {@code topo -m} and the plain banner once to build the inventory.
     *
     * @param executable {@code nvidia-smi} on PATH, or a path
     * @param timeout the limit for each command
     * @throws GpuDiscoveryException when the command is missing, fails, hangs or prints what cannot be parsed
     */
    public static NvidiaSmiBackend open(String executable, Duration timeout) {
        requireNonNull(executable, "executable");
        CommandRunner runner = new CommandRunner(timeout);
        List<String> fields = new ArrayList<>(NvidiaSmiParser.QUERY_FIELDS);
        QueryResult query = negotiate(executable, runner, fields);
        List<Row> rows = new ArrayList<>(query.rows());
        rows.sort(Comparator.comparingInt(Row::smiIndex));
        for (Unreachable u : query.unreachable()) {
            LOG.warn("nvidia-smi cannot open the GPU at {}; it is left out of the inventory: {}", u.pciBusId(),
                    u.problem());
        }
        List<Row> usable = new ArrayList<>();
        for (Row r : rows) {
            if (r.uuid().isEmpty()) {
                LOG.warn("nvidia-smi printed no UUID for GPU {} ({}); it is left out of the inventory", r.smiIndex(),
                        r.sample().problem() == null ? "UUID unavailable" : r.sample().problem());
            } else {
                usable.add(r);
            }
        }
        Topology topology = usable.isEmpty() ? new Topology(List.of(), Map.of()) : topology(executable, runner);
        String banner = banner(executable, runner);
        List<GpuDevice> devices = new ArrayList<>();
        Map<Integer, Integer> positionOfSmiIndex = new HashMap<>();
        for (Row r : usable) {
            int position = devices.size();
            positionOfSmiIndex.put(r.smiIndex(), position);
            devices.add(new GpuDevice(position, r.uuid(), r.name(), Math.max(0, r.memoryMiB()), r.pciBusId(), -1,
                    topology.numaNodes().getOrDefault(r.smiIndex(), -1), r.computeCapability(), r.migEnabled()));
        }
        List<GpuLink> links = new ArrayList<>();
        for (GpuLink l : topology.links()) {
            Integer a = positionOfSmiIndex.get(l.gpuA());
            Integer b = positionOfSmiIndex.get(l.gpuB());
            if (a != null && b != null) {
                links.add(new GpuLink(a, b, l.level(), l.nvLinks()));
            }
        }
        String driver = usable.isEmpty() || usable.get(0).driverVersion().isEmpty()
                ? NvidiaSmiParser.parseDriverVersion(banner) : usable.get(0).driverVersion();
        GpuInventory inventory = new GpuInventory(NAME, driver, NvidiaSmiParser.parseCudaVersion(banner), devices,
                links);
        LOG.info("nvidia-smi backend: {} GPU(s), driver {}, fields {}", devices.size(), driver, fields);
        return new NvidiaSmiBackend(executable, runner, List.copyOf(fields), inventory);
    }

    /** Runs the query, dropping fields the driver does not know; {@code fields} ends as the list that worked. */
    private static QueryResult negotiate(String executable, CommandRunner runner, List<String> fields) {
        while (true) {
            CommandRunner.Result r = run(runner, executable, NvidiaSmiParser.queryArguments(fields));
            Optional<String> invalid = NvidiaSmiParser.invalidField(r.stdout() + "\n" + r.stderr());
            if (r.exitCode() != 0 && invalid.isPresent() && fields.contains(invalid.get())
                    && !NvidiaSmiParser.REQUIRED_FIELDS.contains(invalid.get())) {
                LOG.info("this driver's nvidia-smi does not know the field {}; querying without it", invalid.get());
                fields.remove(invalid.get());
                continue;
            }
            QueryResult q = NvidiaSmiParser.parseQuery(r.stdout(), fields);
            q = new QueryResult(q.rows(), concat(q.unreachable(), NvidiaSmiParser.unreachable(r.stderr())), q.notes());
            if (r.exitCode() != 0 && q.rows().isEmpty() && !noDevices(r)) {
                throw failed(r);
            }
            q.notes().forEach(n -> LOG.info("nvidia-smi: {}", n));
            return q;
        }
    }

    /** "No devices were found" is a node without GPUs, not a failure: the caller decides what that means. */
    private static boolean noDevices(CommandRunner.Result r) {
        return (r.stdout() + r.stderr()).contains("No devices were found");
    }

    private static Topology topology(String executable, CommandRunner runner) {
        try {
            CommandRunner.Result r = run(runner, executable, List.of("topo", "-m"));
            if (r.exitCode() != 0) {
                throw failed(r);
            }
            return NvidiaSmiParser.parseTopology(r.stdout());
        } catch (GpuDiscoveryException e) {
            // Topology and NUMA nodes are hints for placement; the GPUs are usable without them.
            LOG.warn("GPU topology unknown: {}", e.getMessage());
            return new Topology(List.of(), Map.of());
        }
    }

    private static String banner(String executable, CommandRunner runner) {
        try {
            CommandRunner.Result r = run(runner, executable, List.of());
            return r.exitCode() == 0 ? r.stdout() : "";
        } catch (GpuDiscoveryException e) {
            LOG.debug("no nvidia-smi banner: {}", e.getMessage());
            return "";
        }
    }

    private static CommandRunner.Result run(CommandRunner runner, String executable, List<String> args) {
        try {
            return runner.run(CommandRunner.command(executable, args));
        } catch (GpuDiscoveryException e) {
            if (e.getCause() instanceof java.io.IOException) {
                throw new GpuDiscoveryException(e.getMessage() + " (is the NVIDIA driver installed, and nvidia-smi on "
                        + "PATH or given by its full path?)", e);
            }
            throw e;
        }
    }

    private static GpuDiscoveryException failed(CommandRunner.Result r) {
        return new GpuDiscoveryException("'" + r.commandLine() + "' exited with " + r.exitCode() + ": "
                + r.firstLines());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
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
        QueryResult q;
        try {
            CommandRunner.Result r = run(runner, executable, NvidiaSmiParser.queryArguments(fields));
            q = NvidiaSmiParser.parseQuery(r.stdout(), fields);
            q = new QueryResult(q.rows(), concat(q.unreachable(), NvidiaSmiParser.unreachable(r.stderr())),
                    q.notes());
            if (r.exitCode() != 0 && q.rows().isEmpty() && q.unreachable().isEmpty()) {
                throw failed(r);
            }
        } catch (GpuDiscoveryException e) {
            // Without an answer no GPU can be vouched for.
            return inventory.devices().stream()
                    .map(d -> GpuSample.failed(d.uuid(), "nvidia-smi failed: " + e.getMessage())).toList();
        }
        List<GpuSample> samples = new ArrayList<>(inventory.devices().size());
        for (GpuDevice d : inventory.devices()) {
            samples.add(sampleOf(d, q));
        }
        return samples;
    }

    private static GpuSample sampleOf(GpuDevice d, QueryResult q) {
        for (Row r : q.rows()) {
            if (r.uuid().equals(d.uuid()) || (r.uuid().isEmpty() && PciBusIds.same(r.pciBusId(), d.pciBusId()))) {
                GpuSample s = r.sample();
                if (!s.healthy()) {
                    return GpuSample.failed(d.uuid(), s.problem());
                }
                return new GpuSample(d.uuid(), s.gpuUtilPercent(), s.memCopyUtilPercent(), s.fbUsedMiB(),
                        s.fbFreeMiB(), s.temperatureC(), s.powerWatts(), s.energyMillijoules(), s.smClockMHz(),
                        s.memClockMHz(), s.problem());
            }
        }
        for (Unreachable u : q.unreachable()) {
            if (PciBusIds.same(u.pciBusId(), d.pciBusId())) {
                return GpuSample.failed(d.uuid(), u.problem());
            }
        }
        return GpuSample.failed(d.uuid(), "GPU no longer listed by nvidia-smi (it was GPU " + d.index()
                + (d.pciBusId().isEmpty() ? "" : " at " + d.pciBusId()) + ")");
    }

    @Override
    public Optional<GpuEventSource> events() {
        return Optional.empty();
    }

    @Override
    public void close() {
        // Nothing is held between commands.
    }
}
