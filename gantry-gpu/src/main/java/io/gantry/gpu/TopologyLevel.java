package io.gantry.gpu;

/**
 * How two GPUs of a node are connected, nearest first; the values of {@code nvidia-smi topo -m} and of NVML's
 * {@code nvmlGpuTopologyLevel_t}, plus NVLink.
 */
public enum TopologyLevel {
    /** One or more NVLinks between the two GPUs. */
    NVLINK,
    /** Same board (NVML {@code INTERNAL}). */
    INTERNAL,
    /** At most one PCIe bridge ({@code PIX}, NVML {@code SINGLE}). */
    PIX,
    /** Several PCIe bridges, no host bridge ({@code PXB}, NVML {@code MULTIPLE}). */
    PXB,
    /** Through a PCIe host bridge ({@code PHB}, NVML {@code HOSTBRIDGE}). */
    PHB,
    /** Between host bridges inside one NUMA node ({@code NODE}). */
    NODE,
    /** Across NUMA nodes ({@code SYS}, NVML {@code SYSTEM}). */
    SYS
}
