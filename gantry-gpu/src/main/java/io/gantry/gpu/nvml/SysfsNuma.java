package io.gantry.gpu.nvml;

import io.gantry.gpu.PciBusIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The NUMA node of a PCI device from sysfs, as NVIDIA's device plugin reads it. */
final class SysfsNuma {

    private SysfsNuma() {
    }

    /**
     * Reads {@code <sysfsRoot>/bus/pci/devices/<busid>/numa_node}, {@code busid} being NVML's bus id in the sysfs
     * form ({@code 0000:3b:00.0}).
     *
     * @return the node, or -1 when the file is missing, unreadable or negative (no NUMA information)
     */
    static int numaNode(Path sysfsRoot, String nvmlBusId) {
        if (nvmlBusId.isBlank()) {
            return -1;
        }
        Path file = sysfsRoot.resolve("bus/pci/devices").resolve(PciBusIds.toSysfs(nvmlBusId)).resolve("numa_node");
        try {
            int node = Integer.parseInt(Files.readString(file).strip());
            return node < 0 ? -1 : node;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }
}
