package io.gantry.agent.node;

import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuInventory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node labels GPU Feature Discovery writes, computed from the inventory, so clusters without GFD get the labels
 * workloads and Gantry's scheduler select on ({@code nvidia.com/gpu.product} is matched against a pod's
 * {@code gantry.io/gpu-model}). Labels describe the first GPU, as GFD's do (homogeneous nodes assumed).
 */
public final class NodeLabels {

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final int MAX_VALUE = 63;

    private NodeLabels() {
    }

    public static Map<String, String> of(GpuInventory inventory) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (inventory.devices().isEmpty()) {
            labels.put("nvidia.com/gpu.count", "0");
            return labels;
        }
        GpuDevice first = inventory.devices().get(0);
        labels.put("nvidia.com/gpu.product", product(first.name()));
        labels.put("nvidia.com/gpu.count", String.valueOf(inventory.devices().size()));
        labels.put("nvidia.com/gpu.memory", String.valueOf(first.memoryMiB()));
        labels.put("nvidia.com/gpu.replicas", "1");
        labels.put("nvidia.com/mig.capable", String.valueOf(inventory.devices().stream().anyMatch(GpuDevice::migEnabled)));
        Matcher cc = Pattern.compile("(\\d+)\\.(\\d+)").matcher(first.computeCapability());
        if (cc.matches()) {
            int major = Integer.parseInt(cc.group(1));
            int minor = Integer.parseInt(cc.group(2));
            labels.put("nvidia.com/gpu.compute.major", String.valueOf(major));
            labels.put("nvidia.com/gpu.compute.minor", String.valueOf(minor));
            String family = family(major, minor);
            if (family != null) {
                labels.put("nvidia.com/gpu.family", family);
            }
        }
        Matcher driver = VERSION.matcher(inventory.driverVersion());
        if (driver.matches()) {
            labels.put("nvidia.com/cuda.driver-version.major", driver.group(1));
            labels.put("nvidia.com/cuda.driver-version.minor", driver.group(2));
            if (driver.group(3) != null) {
                labels.put("nvidia.com/cuda.driver-version.revision", driver.group(3));
            }
            labels.put("nvidia.com/cuda.driver-version.full", inventory.driverVersion());
        }
        Matcher cuda = VERSION.matcher(inventory.cudaVersion());
        if (cuda.matches()) {
            labels.put("nvidia.com/cuda.runtime-version.major", cuda.group(1));
            labels.put("nvidia.com/cuda.runtime-version.minor", cuda.group(2));
            labels.put("nvidia.com/cuda.runtime-version.full", inventory.cudaVersion());
        }
        return labels;
    }

    /** GFD's rule: characters outside {@code [A-Za-z0-9-_. ]} dropped, whitespace to {@code -}, at most 63. */
    static String product(String name) {
        String kept = name.replaceAll("[^A-Za-z0-9\\-_. ]", "").trim().replaceAll("\\s+", "-");
        String value = kept.length() > MAX_VALUE ? kept.substring(0, MAX_VALUE) : kept;
        // A label value must end with an alphanumeric character.
        return value.replaceAll("[^A-Za-z0-9]+$", "");
    }

    static String family(int major, int minor) {
        return switch (major) {
            case 1 -> "tesla";
            case 2 -> "fermi";
            case 3 -> "kepler";
            case 5 -> "maxwell";
            case 6 -> "pascal";
            case 7 -> minor < 5 ? "volta" : "turing";
            case 8 -> minor == 9 ? "ada-lovelace" : "ampere";
            case 9 -> "hopper";
            case 10, 12 -> "blackwell";
            case 13 -> "rubin";
            default -> null;
        };
    }
}
