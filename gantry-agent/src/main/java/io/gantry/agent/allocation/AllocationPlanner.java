package io.gantry.agent.allocation;

import static java.util.Objects.requireNonNull;

import io.gantry.contract.ContainerGpuRequest;
import io.gantry.contract.ContainerSlices;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.GpuAssignment;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuLink;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a container gets. The kubelet names only device ids, so the planner finds the pod the call belongs to
 * among the node's pods not yet admitted (the oldest whose next container asks exactly that many devices and holds
 * none yet) and hands out the GPUs the scheduler wrote on the pod ({@code gantry.io/gpu-ids},
 * {@code gantry.io/gpu-milli}). A pod without those annotations, or an agent without API access, gets the kubelet's
 * choice. GetPreferredAllocation steers the kubelet to the annotated GPUs, so both usually agree.
 */
public final class AllocationPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(AllocationPlanner.class);

    private final String nodeName;
    private final List<GpuDevice> gpus;
    private final Map<String, GpuDevice> byUuid = new HashMap<>();
    private final Map<Long, GpuLink> links = new HashMap<>();
    private final Predicate<String> healthy;

    public AllocationPlanner(String nodeName, List<GpuDevice> gpus, List<GpuLink> links, Predicate<String> healthy) {
        this.nodeName = requireNonNull(nodeName, "nodeName");
        this.gpus = List.copyOf(gpus);
        this.healthy = requireNonNull(healthy, "healthy");
        for (GpuDevice d : gpus) {
            byUuid.put(d.uuid(), d);
        }
        for (GpuLink l : links) {
            this.links.put(pair(l.gpuA(), l.gpuB()), l);
        }
    }

    /** The handout for one container's Allocate; throws {@link AllocationException} when it must fail. */
    public Handout plan(ResourceKind kind, List<String> deviceIds, List<PodOnNode> pods, ContainerHolds holds) {
        requireNonNull(kind, "kind");
        if (deviceIds.isEmpty()) {
            throw new AllocationException("the kubelet asked " + kind.resourceName() + " with no device ids");
        }
        List<String> kubeletGpus = gpusOf(kind, deviceIds);
        Choice choice = choose(kind, deviceIds.size(), pods, holds);
        int size = deviceIds.size();
        if (choice == null) {
            return kubeletChoice(kind, deviceIds, kubeletGpus, null, null);
        }
        if (choice.error != null) {
            throw new AllocationException(choice.error);
        }
        if (choice.intended == null) {
            return kubeletChoice(kind, deviceIds, kubeletGpus, choice.pod, choice.container);
        }
        if (!Set.copyOf(choice.intended).equals(Set.copyOf(kubeletGpus))) {
            // The kubelet's own accounting now differs from what the container uses; the scheduler's view holds.
            LOG.warn("pod {} container {}: the kubelet picked {} but the scheduler chose {}; handing out the "
                    + "scheduler's choice", choice.pod.key(), choice.container.name(), kubeletGpus, choice.intended);
        }
        int milli = kind == ResourceKind.WHOLE ? ShareDeviceIds.PER_GPU : size;
        return new Handout(kind, choice.pod.namespace(), choice.pod.name(), choice.pod.uid(), choice.container.name(),
                choice.intended, milli, deviceIds, true);
    }

    /**
     * The devices the kubelet should pick among {@code available}: the annotated GPUs of the pod being admitted when
     * it is known, else the best-connected GPUs (whole) or the fullest GPU that still fits (shares).
     */
    public List<String> prefer(ResourceKind kind, List<String> available, List<String> mustInclude, int size,
                               List<PodOnNode> pods, ContainerHolds holds) {
        LinkedHashSet<String> chosen = new LinkedHashSet<>(mustInclude);
        if (chosen.size() >= size) {
            return new ArrayList<>(chosen).subList(0, size);
        }
        Choice choice = choose(kind, size, pods, holds);
        if (choice != null && choice.intended != null) {
            for (String gpu : choice.intended) {
                for (String id : available) {
                    if (chosen.size() < size && ShareDeviceIds.gpuOf(id).equals(gpu)) {
                        chosen.add(id);
                    }
                }
            }
        }
        if (chosen.size() < size) {
            if (kind == ResourceKind.WHOLE) {
                fillByTopology(chosen, available, size);
            } else {
                fillShares(chosen, available, size);
            }
        }
        return new ArrayList<>(chosen);
    }

    private List<String> gpusOf(ResourceKind kind, List<String> deviceIds) {
        LinkedHashSet<String> result = new LinkedHashSet<>();
        for (String id : deviceIds) {
            String gpu = kind == ResourceKind.WHOLE ? id : ShareDeviceIds.gpuOf(id);
            if (!byUuid.containsKey(gpu) || (kind == ResourceKind.SHARE && gpu.equals(id))) {
                throw new AllocationException("device id '" + id + "' of " + kind.resourceName()
                        + " is not one this agent advertised on node " + nodeName
                        + "; the kubelet's checkpoint may predate a GPU change: restart the kubelet");
            }
            result.add(gpu);
        }
        return new ArrayList<>(result);
    }

    private Handout kubeletChoice(ResourceKind kind, List<String> deviceIds, List<String> kubeletGpus, PodOnNode pod,
                                  ContainerGpuRequest container) {
        int milli = kind == ResourceKind.WHOLE ? ShareDeviceIds.PER_GPU : deviceIds.size();
        return new Handout(kind, pod == null ? "" : pod.namespace(), pod == null ? "" : pod.name(),
                pod == null ? "" : pod.uid(), container == null ? "" : container.name(), kubeletGpus, milli,
                deviceIds, false);
    }

    /**
     * The owner of a request of {@code size} devices, or null when no pod matches: the oldest waiting pod (the kubelet
     * admits pods in creation order) whose next container asks exactly that many devices and holds none yet. The
     * same rule answers GetPreferredAllocation and Allocate, so both calls of one admission name the same pod.
     */
    private Choice choose(ResourceKind kind, int size, List<PodOnNode> pods, ContainerHolds holds) {
        List<PodOnNode> ordered = new ArrayList<>(pods);
        ordered.sort(Comparator.comparing(PodOnNode::created).thenComparing(PodOnNode::key));
        for (PodOnNode pod : ordered) {
            ContainerGpuRequest container = nextContainer(kind, size, pod, holds);
            if (container == null) {
                continue;
            }
            if (!pod.annotations().containsKey(GpuAnnotations.GPU_IDS)) {
                return new Choice(pod, container, null, null);
            }
            try {
                return new Choice(pod, container, intendedGpus(pod, container), null);
            } catch (AllocationException e) {
                return new Choice(pod, container, null, e.getMessage());
            }
        }
        return null;
    }

    private static ContainerGpuRequest nextContainer(ResourceKind kind, int size, PodOnNode pod, ContainerHolds holds) {
        for (ContainerGpuRequest c : pod.containers()) {
            if (kind.askedBy(c) == size && !holds.holds(pod, c.name(), kind)) {
                return c;
            }
        }
        return null;
    }

    /**
     * The GPUs the scheduler chose for this container, by UUID, checked against this node: the container's slice of
     * the pod's assignment, cut by the contract's rule ({@link ContainerSlices}).
     */
    private List<String> intendedGpus(PodOnNode pod, ContainerGpuRequest container) {
        String where = "pod " + pod.key() + ", container " + container.name() + ": ";
        GpuAssignment assignment;
        List<Integer> mine;
        try {
            assignment = GpuAssignmentCodec.decode(pod.annotations()).orElseThrow();
            mine = ContainerSlices.of(pod.containers(), assignment).slice(container.name()).gpuIds();
        } catch (IllegalArgumentException e) {
            throw new AllocationException(where + e.getMessage());
        }
        List<Integer> ids = assignment.gpuIds();
        List<String> uuids = new ArrayList<>();
        for (int index : mine) {
            if (index >= gpus.size()) {
                throw new AllocationException(where + "annotation " + GpuAnnotations.GPU_IDS + "='"
                        + GpuAssignmentCodec.encodeIds(ids) + "' names GPU " + index + ", but node " + nodeName + " has "
                        + (gpus.isEmpty() ? "no GPUs" : "GPUs 0.." + (gpus.size() - 1))
                        + "; no GPU is handed out. Delete the pod so that it is scheduled again");
            }
            GpuDevice gpu = gpus.get(index);
            if (!healthy.test(gpu.uuid())) {
                throw new AllocationException(where + "GPU " + index + " (" + gpu.uuid() + ") chosen by the scheduler is "
                        + "Unhealthy; no GPU is handed out. Delete the pod so that it is scheduled again");
            }
            uuids.add(gpu.uuid());
        }
        return uuids;
    }

    private void fillByTopology(LinkedHashSet<String> chosen, List<String> available, int size) {
        List<String> pool = new ArrayList<>();
        for (String id : available) {
            if (!chosen.contains(id) && byUuid.containsKey(id)) {
                pool.add(id);
            }
        }
        if (chosen.isEmpty() && !pool.isEmpty()) {
            // Try each GPU as the seed and keep the best-connected set.
            LinkedHashSet<String> best = null;
            long bestScore = Long.MIN_VALUE;
            for (String seed : pool) {
                LinkedHashSet<String> set = new LinkedHashSet<>(List.of(seed));
                growGreedily(set, pool, size);
                long score = setScore(set);
                if (score > bestScore) {
                    best = set;
                    bestScore = score;
                }
            }
            chosen.addAll(best);
            return;
        }
        growGreedily(chosen, pool, size);
    }

    private void growGreedily(LinkedHashSet<String> set, List<String> pool, int size) {
        while (set.size() < size) {
            String best = null;
            long bestScore = Long.MIN_VALUE;
            for (String id : pool) {
                if (set.contains(id)) {
                    continue;
                }
                long s = 0;
                for (String member : set) {
                    s += linkScore(id, member);
                }
                if (s > bestScore) {
                    best = id;
                    bestScore = s;
                }
            }
            if (best == null) {
                return;
            }
            set.add(best);
        }
    }

    private long setScore(Set<String> set) {
        List<String> l = new ArrayList<>(set);
        long s = 0;
        for (int i = 0; i < l.size(); i++) {
            for (int j = i + 1; j < l.size(); j++) {
                s += linkScore(l.get(i), l.get(j));
            }
        }
        return s;
    }

    /** Higher is closer: NVLink (more links better), then the PCIe levels, then the same NUMA node. */
    private long linkScore(String uuidA, String uuidB) {
        GpuDevice a = byUuid.get(uuidA);
        GpuDevice b = byUuid.get(uuidB);
        if (a == null || b == null) {
            return 0; // an id from a stale kubelet checkpoint: no preference
        }
        GpuLink link = links.get(pair(Math.min(a.index(), b.index()), Math.max(a.index(), b.index())));
        if (link != null) {
            return switch (link.level()) {
                case NVLINK -> 100 + link.nvLinks();
                case INTERNAL -> 60;
                case PIX -> 50;
                case PXB -> 40;
                case PHB -> 30;
                case NODE -> 20;
                case SYS -> 10;
            };
        }
        return a.numaNode() >= 0 && a.numaNode() == b.numaNode() ? 20 : 0;
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | b;
    }

    /** Shares: the GPU of must-include ids first, then the GPU with the fewest free devices that still fits. */
    private static void fillShares(LinkedHashSet<String> chosen, List<String> available, int size) {
        Map<String, List<String>> byGpu = new LinkedHashMap<>();
        for (String id : available) {
            if (!chosen.contains(id)) {
                byGpu.computeIfAbsent(ShareDeviceIds.gpuOf(id), k -> new ArrayList<>()).add(id);
            }
        }
        List<String> order = new ArrayList<>();
        for (String id : chosen) {
            String gpu = ShareDeviceIds.gpuOf(id);
            if (byGpu.containsKey(gpu) && !order.contains(gpu)) {
                order.add(gpu);
            }
        }
        int needed = size - chosen.size();
        List<String> rest = new ArrayList<>(byGpu.keySet());
        rest.removeAll(order);
        rest.sort(Comparator.comparingInt((String g) -> byGpu.get(g).size() >= needed ? 0 : 1)
                .thenComparingInt(g -> byGpu.get(g).size() >= needed ? byGpu.get(g).size() : -byGpu.get(g).size()));
        order.addAll(rest);
        for (String gpu : order) {
            for (String id : byGpu.get(gpu)) {
                if (chosen.size() >= size) {
                    return;
                }
                chosen.add(id);
            }
        }
    }

    private record Choice(PodOnNode pod, ContainerGpuRequest container, List<String> intended, String error) {
    }
}
