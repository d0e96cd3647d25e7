package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster as the scheduler sees it: for every node, what is left of CPU, memory, pod slots and each GPU's milli.
 *
 * <p>Nodes live in slots (small integers) so that plugins read primitive arrays on the hot path. A removed node's
 * slot is reused by the next node added. Every change to a node bumps its {@link #version(int)}, which lets the
 * scheduler (and plugins that derive figures of their own) cache per-node results. It holds the cluster's truth
 * only: nodes, what is left on them, and every placement with the pod it was made for; figures that only one policy
 * uses live in that plugin. {@link #copy} makes an independent copy for "what if" evaluation. Not thread-safe: one
 * scheduler drives one state.
 */
public final class ClusterState {

    private final Map<String, Integer> slotByName = new HashMap<>();
    private final Map<String, Integer> modelIds = new HashMap<>();
    private final List<String> models = new ArrayList<>();
    private final ArrayList<Integer> freeSlots = new ArrayList<>();
    /** Every placement, by pod name, and per slot: the one record of what is placed where. */
    private final Map<String, GpuAllocation> allocations = new HashMap<>();
    private final Map<String, PodRequest> placedPods = new HashMap<>();
    /** How many placed pods carry each plugin attribute: lets a plugin skip a cycle when none does. */
    private final Map<PodAttributes.Key<?>, Integer> carrying = new HashMap<>();
    private final List<Map<String, GpuAllocation>> podsOnNode = new ArrayList<>();
    private int nextRank;

    private int slotCount;
    private int activeCount;
    private NodeSpec[] specs = new NodeSpec[16];
    /** {@link NodeSpec#isOpenToAll()} per slot, so the filter's common case reads no node object. */
    private boolean[] openToAll = new boolean[16];
    /** Active nodes that are cordoned or tainted: while 0, placement rules cannot keep a plain pod off any node. */
    private int closedNodes;
    private boolean[] active = new boolean[16];
    private long[] cpuLeft = new long[16];
    private long[] memLeft = new long[16];
    private int[] podsLeft = new int[16];
    private int[] modelId = new int[16];
    private int[] gpuCount = new int[16];
    private int[] gpuOffset = new int[16];
    private int[] gpuRegion = new int[16];
    private long[] gpuLeftTotal = new long[16];
    private int[] version = new int[16];
    private int[] tieRank = new int[16];
    private int[] gpuLeft = new int[64];
    /** GPUs that exist but must not be used (Unhealthy): their milli left stays 0 whatever is placed or released. */
    private boolean[] gpuUnavailable = new boolean[64];
    private int gpuUsed;
    private long totalGpuMilli;
    private long usedGpuMilli;

    public ClusterState() {
    }

    private ClusterState(ClusterState o) {
        slotByName.putAll(o.slotByName);
        modelIds.putAll(o.modelIds);
        models.addAll(o.models);
        freeSlots.addAll(o.freeSlots);
        allocations.putAll(o.allocations);
        placedPods.putAll(o.placedPods);
        carrying.putAll(o.carrying);
        for (Map<String, GpuAllocation> pods : o.podsOnNode) {
            podsOnNode.add(new HashMap<>(pods));
        }
        nextRank = o.nextRank;
        slotCount = o.slotCount;
        activeCount = o.activeCount;
        specs = o.specs.clone();
        openToAll = o.openToAll.clone();
        closedNodes = o.closedNodes;
        active = o.active.clone();
        cpuLeft = o.cpuLeft.clone();
        memLeft = o.memLeft.clone();
        podsLeft = o.podsLeft.clone();
        modelId = o.modelId.clone();
        gpuCount = o.gpuCount.clone();
        gpuOffset = o.gpuOffset.clone();
        gpuRegion = o.gpuRegion.clone();
        gpuLeftTotal = o.gpuLeftTotal.clone();
        version = o.version.clone();
        tieRank = o.tieRank.clone();
        gpuLeft = o.gpuLeft.clone();
        gpuUnavailable = o.gpuUnavailable.clone();
        gpuUsed = o.gpuUsed;
        totalGpuMilli = o.totalGpuMilli;
        usedGpuMilli = o.usedGpuMilli;
    }

    /**
     * An independent copy, for "what if" evaluation (preemption, the dashboard): changes to either leave the other
     * as it was. Copies arrays and maps (linear in nodes and pods); the values in them are immutable.
     */
    public ClusterState copy() {
        return new ClusterState(this);
    }

    // ---- nodes -------------------------------------------------------------------------------------------------

    /** Adds a node, empty. Returns its slot. */
    public int addNode(NodeSpec spec) {
        requireNonNull(spec, "spec");
        if (slotByName.containsKey(spec.name())) {
            throw new IllegalArgumentException("node " + spec.name() + " already exists; use updateNode to change it");
        }
        int slot;
        if (!freeSlots.isEmpty()) {
            slot = freeSlots.remove(freeSlots.size() - 1);
        } else {
            slot = slotCount++;
            ensureSlotCapacity(slotCount);
            podsOnNode.add(new HashMap<>());
        }
        tieRank[slot] = nextRank++;
        slotByName.put(spec.name(), slot);
        active[slot] = true;
        activeCount++;
        reset(slot, spec);
        closedNodes += openToAll[slot] ? 0 : 1;
        return slot;
    }

    /**
     * Removes a node; what was placed on it is forgotten and returned (empty if there was no such node).
     */
    public List<GpuAllocation> removeNode(String name) {
        Integer slot = slotByName.remove(name);
        if (slot == null) {
            return List.of();
        }
        List<GpuAllocation> dropped = new ArrayList<>(podsOnNode.get(slot).values());
        for (GpuAllocation a : dropped) {
            allocations.remove(a.podName());
            count(placedPods.remove(a.podName()), -1);
        }
        podsOnNode.get(slot).clear();
        totalGpuMilli -= (long) gpuCount[slot] * NodeSpec.MILLI_PER_GPU;
        usedGpuMilli -= (long) gpuCount[slot] * NodeSpec.MILLI_PER_GPU - gpuLeftTotal[slot];
        active[slot] = false;
        specs[slot] = null;
        closedNodes -= openToAll[slot] ? 0 : 1;
        openToAll[slot] = false;
        activeCount--;
        version[slot]++;
        freeSlots.add(slot);
        return dropped;
    }

    /**
     * Changes a node's capacity, model or GPU count. What is placed on it stays placed, even if it no longer fits
     * (the node then fits nothing more until enough is released); GPUs the node no longer has are skipped.
     */
    public void updateNode(NodeSpec spec) {
        requireNonNull(spec, "spec");
        int slot = slotOf(spec.name());
        totalGpuMilli -= (long) gpuCount[slot] * NodeSpec.MILLI_PER_GPU;
        usedGpuMilli -= (long) gpuCount[slot] * NodeSpec.MILLI_PER_GPU - gpuLeftTotal[slot];
        closedNodes -= openToAll[slot] ? 0 : 1;
        reset(slot, spec);
        closedNodes += openToAll[slot] ? 0 : 1;
        for (GpuAllocation a : podsOnNode.get(slot).values()) {
            take(slot, a);
        }
    }

    private void reset(int slot, NodeSpec spec) {
        specs[slot] = spec;
        openToAll[slot] = spec.isOpenToAll();
        cpuLeft[slot] = spec.cpuMilli();
        memLeft[slot] = spec.memoryMib();
        podsLeft[slot] = spec.maxPods();
        modelId[slot] = internModel(spec.gpuModel());
        int n = spec.gpuCount();
        if (n > gpuRegion[slot]) {
            ensureGpuCapacity(gpuUsed + n);
            gpuOffset[slot] = gpuUsed;
            gpuRegion[slot] = n;
            gpuUsed += n;
        }
        gpuCount[slot] = n;
        int off = gpuOffset[slot];
        Arrays.fill(gpuLeft, off, off + n, NodeSpec.MILLI_PER_GPU);
        Arrays.fill(gpuUnavailable, off, off + n, false);
        long left = (long) n * NodeSpec.MILLI_PER_GPU;
        for (int g : spec.unavailableGpus()) {
            if (g >= 0 && g < n) {
                gpuUnavailable[off + g] = true;
                gpuLeft[off + g] = 0;
                left -= NodeSpec.MILLI_PER_GPU;
            }
        }
        gpuLeftTotal[slot] = left;
        usedGpuMilli += (long) n * NodeSpec.MILLI_PER_GPU - left;
        totalGpuMilli += (long) n * NodeSpec.MILLI_PER_GPU;
        version[slot]++;
    }

    /** The slot of a node by name; throws if there is none. */
    public int slotOf(String nodeName) {
        Integer slot = slotByName.get(nodeName);
        if (slot == null) {
            throw new IllegalArgumentException("no node named " + nodeName);
        }
        return slot;
    }

    public boolean hasNode(String nodeName) {
        return slotByName.containsKey(nodeName);
    }

    /** Upper bound (exclusive) of slot numbers; some slots below it may be inactive. */
    public int slotCount() {
        return slotCount;
    }

    public int nodeCount() {
        return activeCount;
    }

    public boolean isActive(int slot) {
        return active[slot];
    }

    public NodeSpec spec(int slot) {
        return specs[slot];
    }

    /** How many nodes are cordoned or tainted. */
    public int closedNodeCount() {
        return closedNodes;
    }

    /** The node is neither cordoned nor tainted ({@link NodeSpec#isOpenToAll()}); a plain array read. */
    public boolean isOpenToAll(int slot) {
        return openToAll[slot];
    }

    public String nodeName(int slot) {
        return specs[slot].name();
    }

    // ---- resources (hot path: plain array reads) -----------------------------------------------------------

    public long cpuLeft(int slot) {
        return cpuLeft[slot];
    }

    public long cpuCapacity(int slot) {
        return specs[slot].cpuMilli();
    }

    public long memoryLeft(int slot) {
        return memLeft[slot];
    }

    public int podsLeft(int slot) {
        return podsLeft[slot];
    }

    public int gpuCount(int slot) {
        return gpuCount[slot];
    }

    public int modelId(int slot) {
        return modelId[slot];
    }

    /** Milli left on GPU {@code gpu} (0-based) of the node. */
    public int gpuLeft(int slot, int gpu) {
        return gpuLeft[gpuOffset[slot] + gpu];
    }

    /** The backing array of all GPUs' milli left; a node's GPUs start at {@link #gpuOffset(int)}. Read only. */
    public int[] gpuLeftArray() {
        return gpuLeft;
    }

    public int gpuOffset(int slot) {
        return gpuOffset[slot];
    }

    /** Sum of milli left over the node's GPUs. */
    public long gpuLeftTotal(int slot) {
        return gpuLeftTotal[slot];
    }

    /** Number of GPUs with all 1000 milli free. */
    public int fullyFreeGpus(int slot) {
        int free = 0;
        int off = gpuOffset[slot];
        for (int g = 0; g < gpuCount[slot]; g++) {
            if (gpuLeft[off + g] == NodeSpec.MILLI_PER_GPU) {
                free++;
            }
        }
        return free;
    }

    /** Whether GPU {@code gpu} of the node exists but must not be used (e.g. Unhealthy). */
    public boolean gpuUnavailable(int slot, int gpu) {
        return gpuUnavailable[gpuOffset[slot] + gpu];
    }

    /** Changes whenever anything on the node changes. */
    public int version(int slot) {
        return version[slot];
    }

    /** Tie-break rank of the node: among equal scores the lowest rank wins. Defaults to the order nodes were added. */
    public int tieRank(int slot) {
        return tieRank[slot];
    }

    public void setTieRank(String nodeName, int rank) {
        setTieRank(slotOf(nodeName), rank);
    }

    public void setTieRank(int slot, int rank) {
        tieRank[slot] = rank;
    }

    public long totalGpuMilli() {
        return totalGpuMilli;
    }

    public long usedGpuMilli() {
        return usedGpuMilli;
    }

    // ---- GPU models ----------------------------------------------------------------------------------------

    /** The id of a GPU model name, or -1 if no node has had it. */
    public int modelIdOf(String model) {
        Integer id = modelIds.get(model);
        return id == null ? -1 : id;
    }

    public int modelCount() {
        return models.size();
    }

    public String modelName(int id) {
        return models.get(id);
    }

    private int internModel(String model) {
        return modelIds.computeIfAbsent(model, m -> {
            models.add(m);
            return models.size() - 1;
        });
    }

    // ---- taking and giving back ----------------------------------------------------------------------------

    /**
     * Takes the pod's resources on the node, on the given GPUs. Checks everything first and changes nothing when
     * the pod does not fit there.
     */
    public GpuAllocation allocate(PodRequest pod, int slot, int[] gpus) {
        requireNonNull(pod, "pod");
        requireNonNull(gpus, "gpus");
        if (!active[slot]) {
            throw new IllegalArgumentException("slot " + slot + " holds no node");
        }
        String node = specs[slot].name();
        GpuAllocation placed = allocations.get(pod.name());
        if (placed != null) {
            throw new IllegalStateException("pod " + pod.name() + " is already placed on " + placed.nodeName());
        }
        if (gpus.length != pod.gpuCount()) {
            throw new IllegalArgumentException("pod " + pod.name() + " asks for " + pod.gpuCount() + " GPUs, "
                    + gpus.length + " given on " + node);
        }
        if (cpuLeft[slot] < pod.cpuMilli() || memLeft[slot] < pod.memoryMib() || podsLeft[slot] < 1) {
            throw new IllegalStateException("pod " + pod.name() + " does not fit on " + node + ": CPU left "
                    + cpuLeft[slot] + ", memory left " + memLeft[slot] + ", pod slots left " + podsLeft[slot]);
        }
        int off = gpuOffset[slot];
        for (int i = 0; i < gpus.length; i++) {
            int g = gpus[i];
            if (g < 0 || g >= gpuCount[slot]) {
                throw new IllegalArgumentException("node " + node + " has no GPU " + g);
            }
            for (int j = 0; j < i; j++) {
                if (gpus[j] == g) {
                    throw new IllegalArgumentException("GPU " + g + " given twice for pod " + pod.name());
                }
            }
            if (gpuLeft[off + g] < pod.gpuMilliPerGpu()) {
                throw new IllegalStateException("GPU " + g + " of " + node + " has " + gpuLeft[off + g]
                        + " milli left, pod " + pod.name() + " needs " + pod.gpuMilliPerGpu());
            }
        }
        List<Integer> indices = new ArrayList<>(gpus.length);
        for (int g : gpus) {
            indices.add(g);
        }
        GpuAllocation allocation = new GpuAllocation(pod.name(), node, pod.cpuMilli(), pod.memoryMib(), indices,
                pod.gpuMilliPerGpu());
        record(slot, pod, allocation);
        return allocation;
    }

    /** Gives back exactly what the pod's placement took. Empty if the pod is not placed. */
    public Optional<GpuAllocation> release(String podName) {
        GpuAllocation allocation = allocations.remove(requireNonNull(podName, "podName"));
        if (allocation == null) {
            return Optional.empty();
        }
        int slot = slotOf(allocation.nodeName());
        podsOnNode.get(slot).remove(podName);
        count(placedPods.remove(podName), -1);
        int off = gpuOffset[slot];
        for (int g : allocation.gpuIndices()) {
            if (g >= 0 && g < gpuCount[slot] && !gpuUnavailable[off + g]) {
                gpuLeft[off + g] += allocation.gpuMilliPerGpu();
            }
        }
        apply(slot, allocation, +1);
        return Optional.of(allocation);
    }

    /**
     * Records a placement made elsewhere (a pod found bound after a restart), without fit checks: the cluster is
     * the truth, even when it is overcommitted. GPUs the node no longer has are skipped.
     */
    GpuAllocation recordPlaced(PodRequest pod, GpuAllocation allocation) {
        int slot = slotOf(allocation.nodeName());
        GpuAllocation placed = allocations.get(allocation.podName());
        if (placed != null) {
            throw new IllegalStateException("pod " + allocation.podName() + " is already placed on "
                    + placed.nodeName());
        }
        record(slot, pod, allocation);
        return allocation;
    }

    /** The placement of a pod, if it is placed. */
    public Optional<GpuAllocation> allocation(String podName) {
        return Optional.ofNullable(allocations.get(podName));
    }

    /** Every placement. Read only. */
    public Collection<GpuAllocation> allocations() {
        return Collections.unmodifiableCollection(allocations.values());
    }

    /** The pod a placement was made for (its labels and attributes, for plugins), if it is placed. */
    public Optional<PodRequest> placedPod(String podName) {
        return Optional.ofNullable(placedPods.get(podName));
    }

    /** How many placed pods carry this attribute (0 when none: a plugin keyed on it has nothing to look at). */
    public int placedCarrying(PodAttributes.Key<?> key) {
        return carrying.getOrDefault(key, 0);
    }

    private void count(PodRequest pod, int delta) {
        if (pod == null || pod.attributes().isEmpty()) {
            return;
        }
        for (PodAttributes.Key<?> key : pod.attributes().keys()) {
            int n = carrying.getOrDefault(key, 0) + delta;
            if (n == 0) {
                carrying.remove(key);
            } else {
                carrying.put(key, n);
            }
        }
    }

    /** The placements on one node. Read only; changes with the node, so copy it to keep it. */
    public Collection<GpuAllocation> allocationsOn(int slot) {
        return Collections.unmodifiableCollection(podsOnNode.get(slot).values());
    }

    private void record(int slot, PodRequest pod, GpuAllocation allocation) {
        take(slot, allocation);
        allocations.put(allocation.podName(), allocation);
        placedPods.put(allocation.podName(), pod);
        count(pod, +1);
        podsOnNode.get(slot).put(allocation.podName(), allocation);
    }

    private void take(int slot, GpuAllocation allocation) {
        int off = gpuOffset[slot];
        for (int g : allocation.gpuIndices()) {
            if (g >= 0 && g < gpuCount[slot] && !gpuUnavailable[off + g]) {
                gpuLeft[off + g] -= allocation.gpuMilliPerGpu();
            }
        }
        apply(slot, allocation, -1);
    }

    private void apply(int slot, GpuAllocation a, int sign) {
        cpuLeft[slot] += sign * a.cpuMilli();
        memLeft[slot] += sign * a.memoryMib();
        podsLeft[slot] += sign;
        long total = 0;
        int off = gpuOffset[slot];
        for (int g = 0; g < gpuCount[slot]; g++) {
            total += gpuLeft[off + g];
        }
        usedGpuMilli += gpuLeftTotal[slot] - total;
        gpuLeftTotal[slot] = total;
        version[slot]++;
    }

    private void ensureSlotCapacity(int n) {
        if (n <= specs.length) {
            return;
        }
        int cap = Math.max(n, specs.length * 2);
        specs = Arrays.copyOf(specs, cap);
        openToAll = Arrays.copyOf(openToAll, cap);
        active = Arrays.copyOf(active, cap);
        cpuLeft = Arrays.copyOf(cpuLeft, cap);
        memLeft = Arrays.copyOf(memLeft, cap);
        podsLeft = Arrays.copyOf(podsLeft, cap);
        modelId = Arrays.copyOf(modelId, cap);
        gpuCount = Arrays.copyOf(gpuCount, cap);
        gpuOffset = Arrays.copyOf(gpuOffset, cap);
        gpuRegion = Arrays.copyOf(gpuRegion, cap);
        gpuLeftTotal = Arrays.copyOf(gpuLeftTotal, cap);
        version = Arrays.copyOf(version, cap);
        tieRank = Arrays.copyOf(tieRank, cap);
    }

    private void ensureGpuCapacity(int n) {
        if (n > gpuLeft.length) {
            int cap = Math.max(n, gpuLeft.length * 2);
            gpuLeft = Arrays.copyOf(gpuLeft, cap);
            gpuUnavailable = Arrays.copyOf(gpuUnavailable, cap);
        }
    }
}
