package io.gantry.gpu.fake;

import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.TopologyLevel;
import io.gantry.gpu.fake.YamlTree.Field;
import io.gantry.gpu.fake.YamlTree.ListNode;
import io.gantry.gpu.fake.YamlTree.MapNode;
import io.gantry.gpu.fake.YamlTree.Node;
import io.gantry.gpu.fake.YamlTree.ScalarNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonToken;

/**
 * Reads the fake inventory YAML (format: {@link FakeGpuBackend}) and checks every value, so that a mistake is
 * reported as {@code file:line: path: what is wrong; how to fix it} rather than as a stack trace.
 */
final class InventoryYamlReader {

    static final String BACKEND = "fake";

    private static final List<String> TOP_KEYS = List.of("driverVersion", "cudaVersion", "gpus", "nvlinks");
    private static final List<String> GPU_KEYS = List.of("uuid", "name", "memoryMiB", "pciBusId", "minorNumber",
            "numaNode", "computeCapability", "migEnabled", "healthy", "problem", "utilization", "memoryUsedMiB",
            "temperatureC", "powerWatts");
    private static final List<String> NVLINK_KEYS = List.of("gpus", "links");

    private final String source;

    private InventoryYamlReader(String source) {
        this.source = source;
    }

    /** Reads and checks {@code file}; every failure is a {@link GpuDiscoveryException} naming the file. */
    static FakeInventoryFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new GpuDiscoveryException("fake GPU inventory " + file + " does not exist; check the --inventory path"
                    + " (absolute: " + file.toAbsolutePath() + ")", e);
        } catch (IOException e) {
            throw new GpuDiscoveryException("cannot read the fake GPU inventory " + file + ": " + e, e);
        }
        return parse(text, file.toString());
    }

    /** Checks {@code text}; {@code source} names it in messages (normally the file path). */
    static FakeInventoryFile parse(String text, String source) {
        return new InventoryYamlReader(source).parse(text);
    }

    private FakeInventoryFile parse(String text) {
        Node root;
        try {
            root = YamlTree.read(text);
        } catch (YamlTree.SyntaxError e) {
            throw new GpuDiscoveryException(source + ":" + e.line() + ": " + e.getMessage(), e);
        }
        if (root == null) {
            throw error(1, "", "the file is empty; it needs at least a 'gpus:' list (see FakeGpuBackend for the format)");
        }
        Fields top = fields(root, "", TOP_KEYS);
        String driver = top.optionalText("driverVersion", "");
        String cuda = top.optionalText("cudaVersion", "");
        Field gpusField = top.required("gpus",
                "[{uuid: GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e0001, name: NVIDIA A100-SXM4-80GB, memoryMiB: 81920}]");
        List<Node> gpuNodes = list(gpusField.value(), "gpus");
        if (gpuNodes.isEmpty()) {
            throw error(gpusField.keyLine(), "gpus", "at least one GPU is needed");
        }
        List<GpuDevice> devices = new ArrayList<>();
        List<FakeGpuState> states = new ArrayList<>();
        Map<String, Integer> uuidLines = new HashMap<>();
        Map<Integer, String> minors = new HashMap<>();
        for (int i = 0; i < gpuNodes.size(); i++) {
            readGpu(i, gpuNodes.get(i), devices, states, uuidLines, minors);
        }
        List<GpuLink> links = top.optional("nvlinks") == null ? List.of()
                : readNvLinks(top.optional("nvlinks"), devices.size());
        return new FakeInventoryFile(new GpuInventory(BACKEND, driver, cuda, devices, links), states);
    }

    private void readGpu(int index, Node node, List<GpuDevice> devices, List<FakeGpuState> states,
                         Map<String, Integer> uuidLines, Map<Integer, String> minors) {
        String path = "gpus[" + index + "]";
        Fields f = fields(node, path, GPU_KEYS);
        Field uuidField = f.required("uuid", "GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e0001");
        String uuid = f.text(uuidField).strip();
        if (uuid.isEmpty()) {
            throw error(uuidField.value().line(), path + ".uuid", "must not be blank; give each GPU a UUID such as "
                    + "GPU-2f6c1a5e-0b7e-4d1a-9a51-5a2d0c1e000" + index);
        }
        Integer firstLine = uuidLines.putIfAbsent(uuid, uuidField.value().line());
        if (firstLine != null) {
            throw error(uuidField.value().line(), path + ".uuid", uuid + " is already used on line " + firstLine
                    + "; every GPU needs its own UUID");
        }
        Field nameField = f.required("name", "NVIDIA A100-SXM4-80GB");
        String name = f.text(nameField).strip();
        if (name.isEmpty()) {
            throw error(nameField.value().line(), path + ".name", "must not be blank, e.g. NVIDIA A100-SXM4-80GB");
        }
        Field memField = f.required("memoryMiB", "81920");
        long memoryMiB = f.whole(memField);
        if (memoryMiB <= 0) {
            throw error(memField.value().line(), path + ".memoryMiB", "must be > 0, got " + memoryMiB);
        }
        int minor = (int) f.optionalWhole("minorNumber", index, 0, Integer.MAX_VALUE);
        String otherMinor = minors.putIfAbsent(minor, path);
        if (otherMinor != null) {
            throw error(f.lineOf("minorNumber", node.line()), path + ".minorNumber", minor + " is already the minor "
                    + "number of " + otherMinor + "; each GPU has its own /dev/nvidiaN");
        }
        int numa = (int) f.optionalWhole("numaNode", -1, -1, Integer.MAX_VALUE);
        devices.add(new GpuDevice(index, uuid, name, memoryMiB, f.optionalText("pciBusId", ""), minor, numa,
                f.optionalText("computeCapability", ""), f.optionalBool("migEnabled", false)));

        boolean healthy = f.optionalBool("healthy", true);
        // The text is ignored while the GPU is healthy, so a demo can flip only 'healthy' back and forth.
        String problemText = f.optionalText("problem", "").strip();
        String problem = healthy ? null
                : problemText.isEmpty() ? "marked unhealthy (healthy: false) in " + source : problemText;
        double util = f.optionalNumber("utilization", Double.NaN, 0, 100);
        double used = f.optionalNumber("memoryUsedMiB", 0, 0, memoryMiB);
        double temp = f.optionalNumber("temperatureC", Double.NaN, -273, 1000);
        double power = f.optionalNumber("powerWatts", Double.NaN, 0, 100_000);
        states.add(new FakeGpuState(problem, util, used, temp, power));
    }

    private List<GpuLink> readNvLinks(Field field, int gpuCount) {
        List<Node> nodes = list(field.value(), "nvlinks");
        List<GpuLink> links = new ArrayList<>();
        Map<String, Integer> pairLines = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = "nvlinks[" + i + "]";
            Fields f = fields(nodes.get(i), path, NVLINK_KEYS);
            Field gpusField = f.required("gpus", "[0, 1]");
            List<Node> pair = list(gpusField.value(), path + ".gpus");
            if (pair.size() != 2) {
                throw error(gpusField.value().line(), path + ".gpus", "must name exactly two GPU indices such as "
                        + "[0, 1], got " + pair.size());
            }
            int a = gpuIndex(f, new Field("gpus", gpusField.keyLine(), pair.get(0)), path + ".gpus[0]", gpuCount);
            int b = gpuIndex(f, new Field("gpus", gpusField.keyLine(), pair.get(1)), path + ".gpus[1]", gpuCount);
            if (a == b) {
                throw error(gpusField.value().line(), path + ".gpus", "names GPU " + a + " twice; a link joins two "
                        + "different GPUs");
            }
            Field linksField = f.required("links", "12");
            long count = f.whole(linksField);
            if (count <= 0) {
                throw error(linksField.value().line(), path + ".links", "must be > 0, got " + count
                        + " (leave the pair out when the GPUs have no NVLink)");
            }
            String key = Math.min(a, b) + "-" + Math.max(a, b);
            Integer firstLine = pairLines.putIfAbsent(key, gpusField.value().line());
            if (firstLine != null) {
                throw error(gpusField.value().line(), path + ".gpus", "GPUs " + key + " are already linked on line "
                        + firstLine + "; give each pair once with its total link count");
            }
            links.add(new GpuLink(Math.min(a, b), Math.max(a, b), TopologyLevel.NVLINK, (int) count));
        }
        return links;
    }

    private int gpuIndex(Fields f, Field field, String path, int gpuCount) {
        long v = f.wholeAt(field.value(), path);
        if (v < 0 || v >= gpuCount) {
            throw error(field.value().line(), path, "GPU index " + v + " does not exist; indices are 0.."
                    + (gpuCount - 1) + " (the position in 'gpus')");
        }
        return (int) v;
    }

    private List<Node> list(Node node, String path) {
        if (node instanceof ListNode l) {
            return l.items();
        }
        throw error(node.line(), path, "must be a list (lines starting with '- '), got " + describe(node));
    }

    private Fields fields(Node node, String path, List<String> known) {
        if (!(node instanceof MapNode m)) {
            throw error(node.line(), path.isEmpty() ? "(top level)" : path,
                    "must be a mapping of 'key: value' lines, got " + describe(node));
        }
        for (Field field : m.fields().values()) {
            if (!known.contains(field.key())) {
                throw error(field.keyLine(), path.isEmpty() ? field.key() : path + "." + field.key(),
                        "unknown key '" + field.key() + "'" + suggestion(field.key(), known) + "; known keys: "
                                + String.join(", ", known));
            }
        }
        return new Fields(m, path);
    }

    private static String suggestion(String key, List<String> known) {
        for (String k : known) {
            if (k.equalsIgnoreCase(key)) {
                return " (did you mean '" + k + "'?)";
            }
        }
        return "";
    }

    private static String describe(Node node) {
        if (node instanceof MapNode) {
            return "a mapping";
        }
        if (node instanceof ListNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) node;
        return s.isNull() ? "nothing" : "'" + s.text() + "'";
    }

    private GpuDiscoveryException error(int line, String path, String message) {
        return new GpuDiscoveryException(source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** The keys of one mapping, with typed getters that report the line and path of a bad value. */
    private final class Fields {
        private final MapNode map;
        private final String path;

        Fields(MapNode map, String path) {
            this.map = map;
            this.path = path;
        }

        private String pathOf(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        Field optional(String key) {
            Field f = map.fields().get(key);
            // "key:" with no value reads as null; treat it as absent, as YAML users expect.
            return f == null || (f.value() instanceof ScalarNode s && s.isNull()) ? null : f;
        }

        int lineOf(String key, int fallback) {
            Field f = map.fields().get(key);
            return f == null ? fallback : f.value().line();
        }

        Field required(String key, String example) {
            Field f = optional(key);
            if (f == null) {
                throw error(map.line(), path.isEmpty() ? key : path, (path.isEmpty() ? "is missing" : "'" + key
                        + "' is missing") + "; add e.g. " + key + ": " + example);
            }
            return f;
        }

        String text(Field f) {
            if (f.value() instanceof ScalarNode s && !s.isNull()) {
                return s.text();
            }
            throw error(f.value().line(), pathOf(f.key()), "must be text, got " + describe(f.value()));
        }

        String optionalText(String key, String fallback) {
            Field f = optional(key);
            return f == null ? fallback : text(f).strip();
        }

        long whole(Field f) {
            return wholeAt(f.value(), pathOf(f.key()));
        }

        long wholeAt(Node node, String at) {
            if (node instanceof ScalarNode s && s.token() == JsonToken.VALUE_NUMBER_INT) {
                try {
                    return Long.parseLong(s.text());
                } catch (NumberFormatException e) {
                    throw error(node.line(), at, "'" + s.text() + "' is not a usable whole number");
                }
            }
            throw error(node.line(), at, "must be a whole number (digits, no quotes), got " + describe(node));
        }

        long optionalWhole(String key, long fallback, long min, long max) {
            Field f = optional(key);
            if (f == null) {
                return fallback;
            }
            long v = whole(f);
            if (v < min || v > max) {
                throw error(f.value().line(), pathOf(key), "must be " + range(min, max) + ", got " + v);
            }
            return v;
        }

        double optionalNumber(String key, double fallback, double min, double max) {
            Field f = optional(key);
            if (f == null) {
                return fallback;
            }
            if (f.value() instanceof ScalarNode s && (s.token() == JsonToken.VALUE_NUMBER_INT
                    || s.token() == JsonToken.VALUE_NUMBER_FLOAT)) {
                double v;
                try {
                    v = Double.parseDouble(s.text());
                } catch (NumberFormatException e) {
                    v = Double.NaN;
                }
                if (!(v >= min && v <= max)) {
                    throw error(s.line(), pathOf(key), "must be a number from " + fmt(min) + " to " + fmt(max)
                            + ", got " + s.text());
                }
                return v;
            }
            throw error(f.value().line(), pathOf(key), "must be a number (no quotes), got " + describe(f.value()));
        }

        boolean optionalBool(String key, boolean fallback) {
            Field f = optional(key);
            if (f == null) {
                return fallback;
            }
            if (f.value() instanceof ScalarNode s) {
                if (s.token() == JsonToken.VALUE_TRUE) {
                    return true;
                }
                if (s.token() == JsonToken.VALUE_FALSE) {
                    return false;
                }
            }
            throw error(f.value().line(), pathOf(key), "must be true or false, got " + describe(f.value()));
        }

        private String range(long min, long max) {
            return max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
        }

        private String fmt(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
