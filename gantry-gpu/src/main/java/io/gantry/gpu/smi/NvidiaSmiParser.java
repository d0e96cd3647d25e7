package io.gantry.gpu.smi;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.TopologyLevel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code nvidia-smi} prints: the {@code --query-gpu} CSV, {@code topo -m} and the CUDA version of the
 * plain banner. Pure text in, values out; running the command is {@link NvidiaSmiBackend}'s job.
 */
public final class NvidiaSmiParser {

    /** Everything the backend asks for, in this order. */
    public static final List<String> QUERY_FIELDS = List.of("index", "uuid", "name", "memory.total", "memory.used",
            "memory.free", "utilization.gpu", "utilization.memory", "temperature.gpu", "power.draw", "pci.bus_id",
            "driver_version", "compute_cap", "mig.mode.current", "clocks.sm", "clocks.mem");

    /** The fields without which there is no inventory; the others are dropped one by one for old drivers. */
    public static final List<String> REQUIRED_FIELDS = List.of("index", "uuid", "name", "memory.total");

    /** The problem text of a GPU that nvidia-smi reports as lost. */
    public static final String GPU_IS_LOST = "GPU is lost";

    private static final String SEPARATOR = ", ";
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern INVALID_FIELD = Pattern.compile("Field \"([^\"]+)\" is not a valid field to query");
    private static final Pattern NO_HANDLE = Pattern.compile(
            "Unable to determine the device handle for GPU\\s*([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\\.[0-9A-Fa-f]+)"
                    + "\\s*:\\s*(.*)");
    private static final Pattern CUDA_VERSION = Pattern.compile("CUDA Version:\\s*(\\d+\\.\\d+)");
    private static final Pattern DRIVER_VERSION = Pattern.compile("Driver Version:\\s*(\\d[0-9.]*)");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    private static final Pattern GPU_LABEL = Pattern.compile("GPU(\\d+)");
    private static final Pattern NVLINK_CELL = Pattern.compile("NV(\\d+)");

    private NvidiaSmiParser() {
    }

    /**
     * One GPU line of the query. Values the output did not give are {@code -1}, empty or NaN.
     *
     * @param smiIndex the {@code index} column
     * @param uuid empty when nvidia-smi printed no usable UUID (e.g. {@code [GPU is lost]})
     * @param sample telemetry; its problem is set when a cell said {@code [GPU is lost]}
     */
    public record Row(int smiIndex, String uuid, String name, long memoryMiB, String pciBusId, String driverVersion,
                      String computeCapability, boolean migEnabled, GpuSample sample) {
    }

    /** A GPU nvidia-smi could not open: {@code Unable to determine the device handle for GPU <busId>: <reason>}. */
    public record Unreachable(String pciBusId, String reason) {

        /** The health problem to report for this GPU. */
        public String problem() {
            String why = reason.isBlank() ? "unknown reason" : reason;
            return (why.toLowerCase(Locale.ROOT).contains("lost") ? GPU_IS_LOST : "GPU unreachable")
                    + " (nvidia-smi: unable to determine the device handle for " + pciBusId + ": " + why + ")";
        }
    }

    /**
     * A parsed query.
     *
     * @param rows one per GPU line, in output order
     * @param unreachable GPUs named by "Unable to determine the device handle" lines
     * @param notes other lines (warnings such as a corrupted infoROM), for the log
     */
    public record QueryResult(List<Row> rows, List<Unreachable> unreachable, List<String> notes) {
        public QueryResult {
            rows = List.copyOf(rows);
            unreachable = List.copyOf(unreachable);
            notes = List.copyOf(notes);
        }
    }

    /**
     * {@code topo -m} between GPUs, by nvidia-smi index.
     *
     * @param links one per GPU pair the matrix gives, {@code gpuA < gpuB}
     * @param numaNodes the numeric {@code NUMA Affinity} of each GPU that has one
     */
    public record Topology(List<GpuLink> links, Map<Integer, Integer> numaNodes) {
        public Topology {
            links = List.copyOf(links);
            numaNodes = Map.copyOf(numaNodes);
        }
    }

    /** The arguments of the query for {@code fields}. */
    public static List<String> queryArguments(List<String> fields) {
        return List.of("--query-gpu=" + String.join(",", fields), "--format=csv,noheader,nounits");
    }

    /** The field an old driver rejected ({@code Field "compute_cap" is not a valid field to query.}), if any. */
    public static Optional<String> invalidField(String output) {
        Matcher m = INVALID_FIELD.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * Parses the query output made with {@code fields} (their order is the column order).
     *
     * @throws GpuDiscoveryException when a GPU line has the wrong number of values or a bad index, quoting it
     */
    public static QueryResult parseQuery(String output, List<String> fields) {
        requireNonNull(output, "output");
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            column.put(fields.get(i), i);
        }
        for (String required : REQUIRED_FIELDS) {
            if (!column.containsKey(required)) {
                throw new IllegalArgumentException("the query must include " + required);
            }
        }
        List<Row> rows = new ArrayList<>();
        List<Unreachable> unreachable = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int lineNo = 0;
        for (String raw : output.split("\\R")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            Optional<Unreachable> lost = unreachableLine(line);
            if (lost.isPresent()) {
                unreachable.add(lost.get());
            } else if (Character.isDigit(line.charAt(0))) {
                // GPU lines start with the index; anything else is a message such as "No devices were found".
                rows.add(row(line, lineNo, fields, column));
            } else {
                notes.add(line);
            }
        }
        return new QueryResult(rows, unreachable, notes);
    }

    /** The GPUs named by "Unable to determine the device handle" lines in {@code text} (stderr, say). */
    public static List<Unreachable> unreachable(String text) {
        return text.lines().map(NvidiaSmiParser::unreachableLine).flatMap(Optional::stream).toList();
    }

    private static Optional<Unreachable> unreachableLine(String line) {
        Matcher m = NO_HANDLE.matcher(line);
        return m.find() ? Optional.of(new Unreachable(m.group(1), m.group(2).strip())) : Optional.empty();
    }

    private static Row row(String line, int lineNo, List<String> fields, Map<String, Integer> column) {
        String[] cells = line.split(SEPARATOR, -1);
        if (cells.length != fields.size()) {
            throw new GpuDiscoveryException("nvidia-smi query output line " + lineNo + " has " + cells.length
                    + " values where " + fields.size() + " were asked for (" + String.join(", ", fields) + "): \""
                    + line + "\"");
        }
        Cells c = new Cells(cells, column);
        int index;
        try {
            index = Integer.parseInt(c.text("index"));
        } catch (NumberFormatException e) {
            throw new GpuDiscoveryException("nvidia-smi query output line " + lineNo + ": index '" + c.text("index")
                    + "' is not a number: \"" + line + "\"", e);
        }
        boolean lost = false;
        for (String cell : cells) {
            lost |= cell.strip().equalsIgnoreCase("[GPU is lost]");
        }
        String uuid = c.value("uuid");
        double total = c.number("memory.total");
        double used = c.number("memory.used");
        double free = c.number("memory.free");
        if (Double.isNaN(free) && !Double.isNaN(total) && !Double.isNaN(used)) {
            free = total - used;
        }
        GpuSample sample = new GpuSample(uuid.isEmpty() ? "GPU#" + index : uuid, c.number("utilization.gpu"),
                c.number("utilization.memory"), used, free, c.number("temperature.gpu"), c.number("power.draw"),
                Double.NaN, c.number("clocks.sm"), c.number("clocks.mem"),
                lost ? GPU_IS_LOST + " (nvidia-smi printed [GPU is lost])" : null);
        String mig = c.value("mig.mode.current");
        return new Row(index, uuid, c.value("name"), Double.isNaN(total) ? -1 : Math.round(total),
                c.value("pci.bus_id"), c.value("driver_version"), c.value("compute_cap"),
                mig.equalsIgnoreCase("Enabled"), sample);
    }

    /** The cells of one GPU line by field name; a field not queried reads as unavailable. */
    private record Cells(String[] cells, Map<String, Integer> column) {

        String text(String field) {
            Integer i = column.get(field);
            return i == null ? "" : cells[i].strip();
        }

        /** The text, or empty when nvidia-smi could not tell ({@code [N/A]}, {@code [Not Supported]}, ...). */
        String value(String field) {
            String t = text(field);
            return unavailable(t) ? "" : t;
        }

        double number(String field) {
            String t = value(field);
            Matcher m = NUMBER.matcher(t);
            // lookingAt() also accepts a value with a unit, should a driver print one despite nounits.
            return m.lookingAt() ? Double.parseDouble(m.group()) : Double.NaN;
        }
    }

    static boolean unavailable(String cell) {
        return cell.isEmpty() || cell.startsWith("[") || cell.equalsIgnoreCase("N/A");
    }

    /** The CUDA version of the plain {@code nvidia-smi} banner ({@code CUDA Version: 12.4}), or empty. */
    public static String parseCudaVersion(String banner) {
        Matcher m = CUDA_VERSION.matcher(banner);
        return m.find() ? m.group(1) : "";
    }

    /** The driver version of the plain {@code nvidia-smi} banner ({@code Driver Version: 550.54.15}), or empty. */
    public static String parseDriverVersion(String banner) {
        Matcher m = DRIVER_VERSION.matcher(banner);
        return m.find() ? m.group(1) : "";
    }

    /**
     * Parses {@code nvidia-smi topo -m}. ANSI escapes (newer drivers underline the header), NIC columns and rows, the
     * affinity columns and the legends are handled; {@code SOC} (old drivers) reads as {@code SYS}.
     *
     * @throws GpuDiscoveryException when there is no matrix, or a GPU row is short or has a cell not in the legend
     */
    public static Topology parseTopology(String output) {
        List<String> lines = ANSI.matcher(output).replaceAll("").lines().toList();
        int headerAt = -1;
        List<String> header = List.of();
        for (int i = 0; i < lines.size() && headerAt < 0; i++) {
            List<String> cells = nonEmptyCells(lines.get(i));
            if (!cells.isEmpty() && cells.get(0).equals("GPU0")) {
                headerAt = i;
                header = cells;
            }
        }
        if (headerAt < 0) {
            throw new GpuDiscoveryException("nvidia-smi topo -m printed no matrix (no header line starting with GPU0): "
                    + firstLines(output, 3));
        }
        // Device columns (GPUs, then NICs) come first; the affinity columns follow.
        int devices = header.indexOf("CPU Affinity");
        if (devices < 0) {
            devices = header.size();
        }
        List<String> affinityColumns = header.subList(devices, header.size());
        List<GpuLink> links = new ArrayList<>();
        Map<Integer, Integer> numa = new HashMap<>();
        for (int i = headerAt + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("Legend")) {
                break;
            }
            String[] cells = line.split("\t", -1);
            Matcher label = GPU_LABEL.matcher(cells[0].strip());
            if (!label.matches()) {
                continue;
            }
            int row = Integer.parseInt(label.group(1));
            if (cells.length < 1 + devices) {
                throw new GpuDiscoveryException("nvidia-smi topo -m: row GPU" + row + " has " + (cells.length - 1)
                        + " cells for " + devices + " device columns: \"" + line + "\"");
            }
            for (int col = 0; col < devices; col++) {
                Matcher other = GPU_LABEL.matcher(header.get(col));
                if (other.matches() && Integer.parseInt(other.group(1)) > row) {
                    links.add(link(row, Integer.parseInt(other.group(1)), cells[1 + col].strip(), line));
                }
            }
            // Newer drivers leave an empty cell before "GPU NUMA ID", so match the non-empty cells to the columns.
            List<String> rest = new ArrayList<>();
            for (int k = 1 + devices; k < cells.length; k++) {
                if (!cells[k].isBlank()) {
                    rest.add(cells[k].strip());
                }
            }
            int numaColumn = affinityColumns.indexOf("NUMA Affinity");
            if (numaColumn >= 0 && numaColumn < rest.size() && rest.get(numaColumn).matches("\\d+")) {
                numa.put(row, Integer.parseInt(rest.get(numaColumn)));
            }
        }
        return new Topology(links, numa);
    }

    private static GpuLink link(int a, int b, String cell, String line) {
        Matcher nv = NVLINK_CELL.matcher(cell);
        if (nv.matches()) {
            return new GpuLink(a, b, TopologyLevel.NVLINK, Integer.parseInt(nv.group(1)));
        }
        TopologyLevel level = switch (cell) {
            case "PIX" -> TopologyLevel.PIX;
            case "PXB" -> TopologyLevel.PXB;
            case "PHB" -> TopologyLevel.PHB;
            case "NODE" -> TopologyLevel.NODE;
            case "SYS", "SOC" -> TopologyLevel.SYS;
            default -> throw new GpuDiscoveryException("nvidia-smi topo -m: GPU" + a + " to GPU" + b + " is '" + cell
                    + "', which is not one of X, NV#, PIX, PXB, PHB, NODE, SYS, SOC: \"" + line + "\"");
        };
        return new GpuLink(a, b, level, 0);
    }

    private static List<String> nonEmptyCells(String line) {
        List<String> cells = new ArrayList<>();
        for (String c : line.split("\t")) {
            if (!c.isBlank()) {
                cells.add(c.strip());
            }
        }
        return cells;
    }

    /** Up to {@code n} non-blank lines joined with " | ", for error messages. */
    static String firstLines(String text, int n) {
        List<String> kept = text.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(n).toList();
        return kept.isEmpty() ? "(no output)" : String.join(" | ", kept);
    }
}
