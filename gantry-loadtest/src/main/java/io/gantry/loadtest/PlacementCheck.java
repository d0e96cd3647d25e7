package io.gantry.loadtest;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.loadtest.Workload.NodeShape;
import io.gantry.loadtest.Workload.PodShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The load test's verdict on the API server's final state: every pod of the burst bound exactly once (the server's
 * own count of successful binds, and no bind refused as a conflict), to a node that exists, with the GPUs it asked
 * for in {@code gantry.io/gpu-ids} / {@code gantry.io/gpu-milli}; no GPU (sum of milli per node and GPU index), CPU
 * or memory of a node over-committed. Returns the problems found, in plain words; none means the run is correct.
 */
public final class PlacementCheck {

    private PlacementCheck() {
    }

    /**
     * @param binds successful binds per pod name, as the API server counted them
     * @param conflicts binds the API server refused because the pod was already bound
     * @param listed the pods the API server lists at the end
     */
    public static List<String> check(List<NodeShape> nodes, List<PodShape> pods, Map<String, Integer> binds,
            int conflicts, List<Pod> listed) {
        return check(nodes, pods, binds, conflicts, listed, Set.of());
    }

    /**
     * As above, where the pods named in {@code evicted} were deleted through the Eviction API: each of them must
     * still have been bound exactly once before, and must no longer be listed.
     */
    public static List<String> check(List<NodeShape> nodes, List<PodShape> pods, Map<String, Integer> binds,
            int conflicts, List<Pod> listed, Set<String> evicted) {
        List<String> problems = new ArrayList<>();
        if (conflicts != 0) {
            problems.add(conflicts + " binds refused because the pod was already bound");
        }
        for (PodShape p : pods) {
            int count = binds.getOrDefault(p.name(), 0);
            if (count != 1) {
                problems.add(p.name() + " was bound " + count + " times");
            }
        }
        Map<String, NodeShape> nodesByName = new HashMap<>();
        nodes.forEach(nd -> nodesByName.put(nd.name(), nd));
        Map<String, PodShape> asked = new HashMap<>();
        pods.forEach(p -> asked.put(p.name(), p));
        Map<String, Integer> gpuMilli = new HashMap<>();
        Map<String, long[]> cpuMem = new HashMap<>();
        long expectedListed = pods.stream().filter(p -> !evicted.contains(p.name())).count();
        if (listed.size() != expectedListed) {
            problems.add("the API server lists " + listed.size() + " pods, expected " + expectedListed
                    + (evicted.isEmpty() ? "" : " (" + pods.size() + " less " + evicted.size() + " evicted)"));
        }
        for (Pod pod : listed) {
            String name = pod.getMetadata().getName();
            if (evicted.contains(name)) {
                problems.add(name + " was evicted but is still listed");
            }
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            PodShape want = asked.get(name);
            if (want == null) {
                problems.add("the API server lists a pod " + name + " that the load test did not create");
                continue;
            }
            if (node == null || node.isEmpty()) {
                problems.add(name + " is not bound in the API server's state");
                continue;
            }
            NodeShape nd = nodesByName.get(node);
            if (nd == null) {
                problems.add(name + " bound to unknown node " + node);
                continue;
            }
            long[] cm = cpuMem.computeIfAbsent(node, k -> new long[2]);
            cm[0] += want.cpuMilli();
            cm[1] += want.memoryMib();
            Map<String, String> ann = pod.getMetadata().getAnnotations();
            String ids = ann == null ? null : ann.get(GpuAnnotations.GPU_IDS);
            String milliText = ann == null ? null : ann.get(GpuAnnotations.GPU_MILLI);
            if (ids == null || milliText == null) {
                problems.add(name + " on " + node + " has no " + GpuAnnotations.GPU_IDS + "/"
                        + GpuAnnotations.GPU_MILLI + " annotations");
                continue;
            }
            List<Integer> gpuIds;
            int milli;
            try {
                gpuIds = GpuAssignmentCodec.decodeIds(ids);
                milli = GpuAssignmentCodec.decodeMilli(milliText);
            } catch (IllegalArgumentException e) {
                problems.add(name + ": " + e.getMessage());
                continue;
            }
            if (gpuIds.size() != want.gpus() || milli != want.milli()) {
                problems.add(String.format(Locale.ROOT, "%s asked %d x %d milli, got GPUs %s x %d milli",
                        name, want.gpus(), want.milli(), ids, milli));
            }
            for (int id : gpuIds) {
                if (id < 0 || id >= nd.gpus()) {
                    problems.add(name + " got GPU " + id + " of " + node + ", which has " + nd.gpus());
                }
                gpuMilli.merge(node + "#" + id, milli, Integer::sum);
            }
        }
        gpuMilli.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (e.getValue() > 1000) {
                problems.add("GPU " + e.getKey() + " over-committed: " + e.getValue() + " milli");
            }
        });
        cpuMem.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            long[] cm = e.getValue();
            if (cm[0] > Workload.NODE_CORES * 1000L || cm[1] > Workload.NODE_MEMORY_GIB * 1024L) {
                problems.add(String.format(Locale.ROOT, "node %s over-committed: %d mCPU, %d MiB", e.getKey(), cm[0],
                        cm[1]));
            }
        });
        return problems;
    }

    /**
     * The multi-tenancy verdict on the final state: no queue holds more GPUs (thousandths, by its pods' label) than
     * its guarantee and borrowing limit allow, and no gang is bound in part: each PodGroup has either none or all of
     * its planned members bound (an evicted member counts as not bound; none should be, as no queue preempts inside
     * itself). Pods of the listed state that the plan does not know are reported by {@link #check}, not here.
     */
    public static List<String> checkTenancy(TenancyWorkload plan, List<PodShape> pods, List<Pod> listed) {
        List<String> problems = new ArrayList<>();
        Map<String, PodShape> asked = new HashMap<>();
        pods.forEach(p -> asked.put(p.name(), p));
        Map<String, Long> held = new TreeMap<>();
        Map<String, Integer> boundMembers = new HashMap<>();
        for (Pod pod : listed) {
            String name = pod.getMetadata().getName();
            PodShape shape = asked.get(name);
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (shape == null || node == null || node.isEmpty()) {
                continue;
            }
            Map<String, String> labels = pod.getMetadata().getLabels();
            String queue = labels == null ? null : labels.get(TenancyWorkload.QUEUE_LABEL);
            if (queue == null) {
                problems.add(name + " has no " + TenancyWorkload.QUEUE_LABEL + " label");
                continue;
            }
            held.merge(queue, shape.gpuMilliTotal(), Long::sum);
            String group = labels.get(TenancyWorkload.POD_GROUP_LABEL);
            if (group != null) {
                boundMembers.merge(group, 1, Integer::sum);
            }
        }
        for (TenancyWorkload.QueueShape q : plan.queues()) {
            long h = held.getOrDefault(q.name(), 0L);
            if (h > q.limitMilli()) {
                problems.add(String.format(Locale.ROOT, "queue %s holds %d milli-GPUs, over its limit of %d "
                        + "(guaranteed %d + borrowing limit %d)", q.name(), h, q.limitMilli(), q.guaranteedMilli(),
                        q.borrowingLimitMilli()));
            }
        }
        for (TenancyWorkload.Gang g : plan.gangs()) {
            int bound = boundMembers.getOrDefault(g.name(), 0);
            if (bound > 0 && bound < g.minMember()) {
                problems.add("pod group " + g.name() + " is bound in part: " + bound + " of its " + g.minMember()
                        + " members");
            }
        }
        return problems;
    }

    /** GPUs holding at least one pod, in the listed state. */
    public static int gpusUsed(List<Pod> listed) {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Pod pod : listed) {
            Map<String, String> ann = pod.getMetadata().getAnnotations();
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (ann == null || node == null || ann.get(GpuAnnotations.GPU_IDS) == null) {
                continue;
            }
            try {
                for (int id : GpuAssignmentCodec.decodeIds(ann.get(GpuAnnotations.GPU_IDS))) {
                    used.add(node + "#" + id);
                }
            } catch (IllegalArgumentException e) {
                // reported by check()
            }
        }
        return used.size();
    }
}
