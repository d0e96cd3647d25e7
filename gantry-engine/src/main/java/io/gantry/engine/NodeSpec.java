package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.placement.Taint;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a node offers the scheduler: allocatable CPU, memory and pod slots, and its GPUs (all of one model,
 * each with {@link #MILLI_PER_GPU} milli of capacity); and what decides which pods may use it: labels, taints, and
 * whether it is cordoned ({@code unschedulable}). {@code unavailableGpus} are indices of GPUs that exist but must not
 * be used (reported Unhealthy by the node agent): they count in the node's capacity and offer no milli.
 */
public record NodeSpec(String name, long cpuMilli, long memoryMib, int gpuCount, String gpuModel, int maxPods,
        Map<String, String> labels, List<Taint> taints, boolean unschedulable, Set<Integer> unavailableGpus) {

    /** Capacity of one GPU in thousandths. */
    public static final int MILLI_PER_GPU = 1000;

    /** The most GPUs one node may have (the largest machines today have 16). */
    public static final int MAX_GPUS = 64;

    /** Kubernetes' default pod limit per node is 110; the openb replay uses 1001. */
    public static final int DEFAULT_MAX_PODS = 110;

    public NodeSpec {
        requireNonNull(name, "name");
        requireNonNull(gpuModel, "gpuModel");
        labels = Map.copyOf(requireNonNull(labels, "labels"));
        taints = List.copyOf(requireNonNull(taints, "taints"));
        unavailableGpus = Collections.unmodifiableSortedSet(new TreeSet<>(requireNonNull(unavailableGpus,
                "unavailableGpus")));
        if (name.isBlank()) {
            throw new IllegalArgumentException("node name is blank");
        }
        if (cpuMilli < 0 || memoryMib < 0 || gpuCount < 0 || maxPods < 0) {
            throw new IllegalArgumentException("node " + name + ": negative capacity (cpuMilli=" + cpuMilli
                    + ", memoryMib=" + memoryMib + ", gpuCount=" + gpuCount + ", maxPods=" + maxPods + ")");
        }
        if (gpuCount > MAX_GPUS) {
            throw new IllegalArgumentException("node " + name + ": " + gpuCount + " GPUs; at most " + MAX_GPUS
                    + " per node are supported");
        }
    }

    /** A node with every GPU usable. */
    public NodeSpec(String name, long cpuMilli, long memoryMib, int gpuCount, String gpuModel, int maxPods,
            Map<String, String> labels, List<Taint> taints, boolean unschedulable) {
        this(name, cpuMilli, memoryMib, gpuCount, gpuModel, maxPods, labels, taints, unschedulable, Set.of());
    }

    /** A node without labels or taints, not cordoned. */
    public NodeSpec(String name, long cpuMilli, long memoryMib, int gpuCount, String gpuModel, int maxPods) {
        this(name, cpuMilli, memoryMib, gpuCount, gpuModel, maxPods, Map.of(), List.of(), false);
    }

    public NodeSpec withLabels(Map<String, String> newLabels) {
        return new NodeSpec(name, cpuMilli, memoryMib, gpuCount, gpuModel, maxPods, newLabels, taints, unschedulable,
                unavailableGpus);
    }

    public NodeSpec withTaints(List<Taint> newTaints) {
        return new NodeSpec(name, cpuMilli, memoryMib, gpuCount, gpuModel, maxPods, labels, newTaints, unschedulable,
                unavailableGpus);
    }

    public NodeSpec withUnschedulable(boolean cordoned) {
        return new NodeSpec(name, cpuMilli, memoryMib, gpuCount, gpuModel, maxPods, labels, taints, cordoned,
                unavailableGpus);
    }

    /** The same node with these GPUs (indices) unusable, e.g. Unhealthy; indices past the GPU count are ignored. */
    public NodeSpec withUnavailableGpus(Set<Integer> gpus) {
        return new NodeSpec(name, cpuMilli, memoryMib, gpuCount, gpuModel, maxPods, labels, taints, unschedulable,
                gpus);
    }

    /** No taint and not cordoned: no pod is kept off by the node itself (labels only matter to pods that select). */
    public boolean isOpenToAll() {
        return !unschedulable && taints.isEmpty();
    }

    public static NodeSpec of(String name, long cpuMilli, long memoryMib, int gpuCount, String gpuModel) {
        return new NodeSpec(name, cpuMilli, memoryMib, gpuCount, gpuModel, DEFAULT_MAX_PODS);
    }
}
