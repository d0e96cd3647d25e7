package io.gantry.cli;

import io.gantry.gpu.BackendKind;
import io.gantry.gpu.BackendOptions;
import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuBackends;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.TopologyLevel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code gantry discover}: the GPUs the node agent would see, and their telemetry now. */
@Command(name = "discover", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Finds this machine's GPUs as the node agent does and prints them: index, UUID, model, memory, PCI bus "
                + "id, NUMA node, compute capability and MIG mode, the driver and CUDA versions, the links between "
                + "GPUs (NV# = that many NVLinks; PIX, PXB, PHB, NODE, SYS = PCIe paths as in nvidia-smi topo -m) "
                + "and each GPU's telemetry now (utilization, framebuffer, temperature, power, health).",
            "",
            "--compare A,B opens two backends and checks that they agree: the same number of GPUs, the same UUIDs "
                + "in the same index order, and each GPU's memory within 1 %%. Exit code 0 when they agree, 1 when "
                + "they do not (the differences are listed) or a backend cannot be opened, 2 for a bad flag."},
        footer = {"", "Examples:",
            "  gantry discover",
            "  gantry discover --backend nvidia-smi --format json",
            "  gantry discover --compare nvml,nvidia-smi",
            "  gantry discover --backend fake --inventory deploy/examples/fake-inventory.yaml"})
final class DiscoverCommand implements Callable<Integer> {

    /** Memory sizes two backends report for one GPU may differ by this share of the larger one. */
    static final double MEMORY_TOLERANCE = 0.01;

    enum Format { table, json }

    /** The backends' own log lines (which backend was tried, what it found): the output says it all already. */
    private static final String QUIET_GPU_LOGS = "org.slf4j.simpleLogger.log.io.gantry.gpu";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--backend", paramLabel = "KIND", defaultValue = "auto",
            converter = AgentOptions.BackendConverter.class,
            description = "auto (NVML, else nvidia-smi), nvml, nvidia-smi, or fake (the GPUs of --inventory) "
                    + "(default: ${DEFAULT-VALUE}).")
    BackendKind backend;

    @Option(names = "--inventory", paramLabel = "FILE",
            description = "The fake backend's GPUs (YAML). With --compare fake,fake: once for both, or twice (the "
                    + "first file for the first fake, the second for the second).")
    List<Path> inventories = new ArrayList<>();

    @Option(names = "--nvidia-smi", paramLabel = "PATH", defaultValue = "nvidia-smi",
            description = "The nvidia-smi executable, a name on PATH or a path (default: ${DEFAULT-VALUE}).")
    String nvidiaSmi;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--compare", paramLabel = "A,B",
            description = "Compare two backends instead of listing one, e.g. nvml,nvidia-smi.")
    String compare;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (System.getProperty(QUIET_GPU_LOGS) == null) {
            System.setProperty(QUIET_GPU_LOGS, "warn");
        }
        if (compare != null) {
            return compare(out, err);
        }
        if (inventories.size() > 1) {
            throw usage("--inventory is given " + inventories.size() + " times; one file is read (two only with "
                    + "--compare fake,fake)");
        }
        Path inventory = inventories.isEmpty() ? null : inventories.get(0);
        checkInventory(backend, inventory);
        try (GpuBackend b = GpuBackends.open(backend, options(inventory))) {
            GpuInventory inv = b.inventory();
            List<GpuSample> samples = b.sample();
            if (format == Format.json) {
                out.println(json(json(b.name(), inv, samples)));
            } else {
                out.print(table(b.name(), inv, samples));
            }
            out.flush();
            return 0;
        } catch (GpuDiscoveryException e) {
            err.println("gantry discover: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private int compare(PrintWriter out, PrintWriter err) {
        if (spec.commandLine().getParseResult().hasMatchedOption("--backend")) {
            throw usage("--compare A,B names both backends; drop --backend");
        }
        String[] parts = compare.split(",", -1);
        if (parts.length != 2) {
            throw usage("--compare '" + compare + "' must name two backends, e.g. nvml,nvidia-smi");
        }
        BackendKind[] kinds = new BackendKind[2];
        for (int i = 0; i < 2; i++) {
            try {
                kinds[i] = BackendKind.parse(parts[i]);
            } catch (IllegalArgumentException e) {
                throw usage("--compare: " + e.getMessage());
            }
        }
        long fakes = java.util.Arrays.stream(kinds).filter(k -> k == BackendKind.FAKE).count();
        if (fakes == 0 && !inventories.isEmpty()) {
            throw usage("--inventory is read only by the fake backend; drop it or compare with fake");
        }
        if (fakes > 0 && inventories.isEmpty()) {
            throw usage("--compare with fake needs --inventory FILE");
        }
        if (inventories.size() > Math.max(1, fakes)) {
            throw usage("--inventory is given " + inventories.size() + " times for " + fakes + " fake backend(s)");
        }
        Path[] files = new Path[2];
        for (int i = 0, fake = 0; i < 2; i++) {
            if (kinds[i] == BackendKind.FAKE) {
                files[i] = inventories.get(Math.min(fake++, inventories.size() - 1));
            }
        }
        GpuBackend[] opened = new GpuBackend[2];
        try {
            String[] labels = new String[2];
            for (int i = 0; i < 2; i++) {
                try {
                    opened[i] = GpuBackends.open(kinds[i], options(files[i]));
                } catch (GpuDiscoveryException e) {
                    err.println("gantry discover: cannot open " + kinds[i] + ": " + e.getMessage());
                    err.flush();
                    return 1;
                }
                labels[i] = kinds[i] == BackendKind.FAKE ? "fake(" + files[i].getFileName() + ")" : opened[i].name();
            }
            if (labels[0].equals(labels[1])) {
                labels[0] += "#1";
                labels[1] += "#2";
            }
            GpuBackend a = opened[0];
            GpuBackend b = opened[1];
            GpuInventory ia = a.inventory();
            GpuInventory ib = b.inventory();
            List<String> differences = differences(labels[0], ia, labels[1], ib);
            if (format == Format.json) {
                ObjectNode root = MAPPER.createObjectNode();
                root.putArray("backends").add(labels[0]).add(labels[1]);
                root.put("agree", differences.isEmpty());
                ArrayNode d = root.putArray("differences");
                differences.forEach(d::add);
                root.set(labels[0], json(a.name(), ia, a.sample()));
                root.set(labels[1], json(b.name(), ib, b.sample()));
                out.println(json(root));
            } else if (differences.isEmpty()) {
                out.printf(Locale.ROOT, "%s and %s agree: %d GPU(s), the same UUIDs in the same order, memory within "
                        + "%.0f %%%n", labels[0], labels[1], ia.devices().size(), MEMORY_TOLERANCE * 100);
            } else {
                out.printf("%s and %s disagree:%n", labels[0], labels[1]);
                differences.forEach(d -> out.println("  - " + d));
            }
            out.flush();
            return differences.isEmpty() ? 0 : 1;
        } finally {
            for (GpuBackend o : opened) {
                if (o != null) {
                    o.close();
                }
            }
        }
    }

    /** What two backends disagree on: GPU count, UUIDs, their index order, memory beyond the tolerance. */
    static List<String> differences(String aName, GpuInventory a, String bName, GpuInventory b) {
        List<String> diffs = new ArrayList<>();
        List<GpuDevice> da = a.devices();
        List<GpuDevice> db = b.devices();
        if (da.size() != db.size()) {
            diffs.add("GPU count: " + aName + " " + da.size() + ", " + bName + " " + db.size());
        }
        Set<String> ua = new LinkedHashSet<>(da.stream().map(GpuDevice::uuid).toList());
        Set<String> ub = new LinkedHashSet<>(db.stream().map(GpuDevice::uuid).toList());
        Set<String> onlyA = new LinkedHashSet<>(ua);
        onlyA.removeAll(ub);
        Set<String> onlyB = new LinkedHashSet<>(ub);
        onlyB.removeAll(ua);
        if (!onlyA.isEmpty()) {
            diffs.add("UUIDs only " + aName + " reports: " + String.join(", ", onlyA));
        }
        if (!onlyB.isEmpty()) {
            diffs.add("UUIDs only " + bName + " reports: " + String.join(", ", onlyB));
        }
        if (onlyA.isEmpty() && onlyB.isEmpty()) {
            for (int i = 0; i < da.size(); i++) {
                if (!da.get(i).uuid().equals(db.get(i).uuid())) {
                    diffs.add("index " + i + ": " + aName + " " + da.get(i).uuid() + ", " + bName + " "
                            + db.get(i).uuid());
                }
            }
        }
        Map<String, GpuDevice> byUuid = new HashMap<>();
        db.forEach(d -> byUuid.put(d.uuid(), d));
        for (GpuDevice x : da) {
            GpuDevice y = byUuid.get(x.uuid());
            if (y != null) {
                long larger = Math.max(x.memoryMiB(), y.memoryMiB());
                if (Math.abs(x.memoryMiB() - y.memoryMiB()) > MEMORY_TOLERANCE * larger) {
                    diffs.add(String.format(Locale.ROOT, "memory of %s: %s %d MiB, %s %d MiB (more than %.0f %% apart)",
                            x.uuid(), aName, x.memoryMiB(), bName, y.memoryMiB(), MEMORY_TOLERANCE * 100));
                }
            }
        }
        return diffs;
    }

    private BackendOptions options(Path inventory) {
        return new BackendOptions(inventory, nvidiaSmi, BackendOptions.defaults().nvmlLibrary());
    }

    private void checkInventory(BackendKind kind, Path inventory) {
        if (kind == BackendKind.FAKE && inventory == null) {
            throw usage("--backend fake needs --inventory FILE (a YAML list of GPUs such as "
                    + "deploy/examples/fake-inventory.yaml)");
        }
        if (kind != BackendKind.FAKE && inventory != null) {
            throw usage("--inventory is read only by --backend fake; drop it or pass --backend fake");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    // ---- table ----

    static String table(String backendName, GpuInventory inv, List<GpuSample> samples) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s backend: %d GPU(s), driver %s, CUDA %s%n%n", backendName,
                inv.devices().size(), text(inv.driverVersion()), text(inv.cudaVersion())));
        Table gpus = new Table("GPU", "UUID", "NAME", ">MEMORY MiB", "PCI BUS ID", ">NUMA", ">CC", "MIG");
        for (GpuDevice d : inv.devices()) {
            gpus.row(String.valueOf(d.index()), d.uuid(), text(d.name()), String.valueOf(d.memoryMiB()),
                    text(d.pciBusId()), d.numaNode() < 0 ? "-" : String.valueOf(d.numaNode()),
                    text(d.computeCapability()), d.migEnabled() ? "on" : "off");
        }
        sb.append(gpus);

        int n = inv.devices().size();
        sb.append(System.lineSeparator());
        if (inv.links().isEmpty()) {
            sb.append("Links: none reported by the ").append(backendName).append(" backend")
                    .append(System.lineSeparator());
        } else if (n > 1) {
            sb.append("Links (NV# = # NVLinks; PIX, PXB, PHB, NODE, SYS = PCIe paths; - = unknown):")
                    .append(System.lineSeparator());
            String[][] level = new String[n][n];
            for (GpuLink l : inv.links()) {
                String cell = l.level() == TopologyLevel.NVLINK ? "NV" + l.nvLinks() : l.level().name();
                level[l.gpuA()][l.gpuB()] = cell;
                level[l.gpuB()][l.gpuA()] = cell;
            }
            String[] header = new String[n + 1];
            header[0] = "";
            for (int j = 0; j < n; j++) {
                header[j + 1] = ">GPU" + j;
            }
            Table links = new Table(header);
            for (int i = 0; i < n; i++) {
                String[] row = new String[n + 1];
                row[0] = "GPU" + i;
                for (int j = 0; j < n; j++) {
                    row[j + 1] = i == j ? "X" : level[i][j] == null ? "-" : level[i][j];
                }
                links.row(row);
            }
            sb.append(links);
        }

        sb.append(System.lineSeparator()).append("Now:").append(System.lineSeparator());
        Table now = new Table("GPU", ">UTIL %", ">FB USED MiB", ">FB FREE MiB", ">TEMP C", ">POWER W", "HEALTH");
        for (int i = 0; i < samples.size(); i++) {
            GpuSample s = samples.get(i);
            now.row(String.valueOf(i), number(s.gpuUtilPercent(), 0), number(s.fbUsedMiB(), 0),
                    number(s.fbFreeMiB(), 0), number(s.temperatureC(), 0), number(s.powerWatts(), 1),
                    s.healthy() ? "ok" : s.problem());
        }
        sb.append(now);
        return sb.toString();
    }

    private static String text(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static String number(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Aligned columns: text left, a header starting with {@code >} (not printed) right. */
    private static final class Table {
        private final String[] header;
        private final boolean[] right;
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            this.header = new String[header.length];
            this.right = new boolean[header.length];
            for (int i = 0; i < header.length; i++) {
                right[i] = header[i].startsWith(">");
                this.header[i] = right[i] ? header[i].substring(1) : header[i];
            }
        }

        void row(String... cells) {
            rows.add(cells);
        }

        @Override
        public String toString() {
            int[] width = new int[header.length];
            List<String[]> all = new ArrayList<>();
            all.add(header);
            all.addAll(rows);
            for (String[] r : all) {
                for (int i = 0; i < width.length; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            StringBuilder sb = new StringBuilder();
            for (String[] r : all) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < width.length; i++) {
                    if (i > 0) {
                        line.append("  ");
                    }
                    String pad = " ".repeat(width[i] - r[i].length());
                    line.append(right[i] ? pad + r[i] : r[i] + (i == width.length - 1 ? "" : pad));
                }
                sb.append(line.toString().stripTrailing()).append(System.lineSeparator());
            }
            return sb.toString();
        }
    }

    // ---- json ----

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    static ObjectNode json(String backendName, GpuInventory inv, List<GpuSample> samples) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("backend", backendName);
        putText(root, "driverVersion", inv.driverVersion());
        putText(root, "cudaVersion", inv.cudaVersion());
        ArrayNode gpus = root.putArray("gpus");
        for (GpuDevice d : inv.devices()) {
            ObjectNode g = gpus.addObject();
            g.put("index", d.index());
            g.put("uuid", d.uuid());
            putText(g, "name", d.name());
            g.put("memoryMiB", d.memoryMiB());
            putText(g, "pciBusId", d.pciBusId());
            putInt(g, "minorNumber", d.minorNumber());
            putInt(g, "numaNode", d.numaNode());
            putText(g, "computeCapability", d.computeCapability());
            g.put("migEnabled", d.migEnabled());
            GpuSample s = d.index() < samples.size() ? samples.get(d.index()) : null;
            if (s != null && s.uuid().equals(d.uuid())) {
                ObjectNode now = g.putObject("sample");
                putNumber(now, "gpuUtilPercent", s.gpuUtilPercent());
                putNumber(now, "memCopyUtilPercent", s.memCopyUtilPercent());
                putNumber(now, "fbUsedMiB", s.fbUsedMiB());
                putNumber(now, "fbFreeMiB", s.fbFreeMiB());
                putNumber(now, "temperatureC", s.temperatureC());
                putNumber(now, "powerWatts", s.powerWatts());
                putNumber(now, "energyMillijoules", s.energyMillijoules());
                putNumber(now, "smClockMHz", s.smClockMHz());
                putNumber(now, "memClockMHz", s.memClockMHz());
                now.put("healthy", s.healthy());
                now.put("problem", s.problem());
            }
        }
        ArrayNode links = root.putArray("links");
        for (GpuLink l : inv.links()) {
            ObjectNode o = links.addObject();
            o.putArray("gpus").add(l.gpuA()).add(l.gpuB());
            o.put("level", l.level().name());
            o.put("nvLinks", l.nvLinks());
        }
        return root;
    }

    private static String json(ObjectNode node) {
        return MAPPER.writeValueAsString(node);
    }

    private static void putText(ObjectNode o, String key, String value) {
        if (value == null || value.isEmpty()) {
            o.putNull(key);
        } else {
            o.put(key, value);
        }
    }

    private static void putInt(ObjectNode o, String key, int value) {
        if (value < 0) {
            o.putNull(key);
        } else {
            o.put(key, value);
        }
    }

    private static void putNumber(ObjectNode o, String key, double value) {
        if (Double.isNaN(value)) {
            o.putNull(key);
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            o.put(key, (long) value);
        } else {
            o.put(key, value);
        }
    }
}
