package io.gantry.sim.workload;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.plugins.GroupDensityLimit;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import io.gantry.sim.trace.dlrm.DlrmTraceReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster a DLRM trace runs on; the trace has no node list. Either a node list the user gives (openb's node
 * format: nodes with GPUs take {@code HN} instances, nodes without take {@code CN} instances), or a built-in
 * cluster sized from the trace itself: for each role, enough nodes of one shape for the trace's peak concurrent
 * demand (CPU, memory, GPUs, pod slots, and for each service its peak concurrent instances over its
 * {@code max_instance_per_node}), plus {@link #HEADROOM} for fragmentation.
 */
public final class DlrmCluster {

    /** CPU nodes: 256 vCPUs, 2 TiB (the largest CN instance asks for 192 vCPUs and 1,000 GiB). */
    public static final NodeSpec CPU_NODE = new NodeSpec("cn", 256_000, 2048 * 1024L, 0, "", NodeSpec.DEFAULT_MAX_PODS);
    /** GPU nodes: 8 GPUs, 128 vCPUs, 1 TiB (the largest HN instance asks for 24 vCPUs and 400 GiB). */
    public static final NodeSpec GPU_NODE = new NodeSpec("hn", 128_000, 1024 * 1024L, 8, "DLRM-GPU",
            NodeSpec.DEFAULT_MAX_PODS);
    public static final double HEADROOM = 1.10;

    private DlrmCluster() {
    }

    /** The given nodes, labelled with their role. */
    public static List<NodeSpec> labelled(List<NodeSpec> nodes) {
        List<NodeSpec> out = new ArrayList<>(nodes.size());
        for (NodeSpec n : nodes) {
            Map<String, String> labels = new HashMap<>(n.labels());
            labels.put(DlrmTraceReader.ROLE_LABEL, n.gpuCount() > 0 ? DlrmTraceReader.GPU_ROLE : DlrmTraceReader.CPU_ROLE);
            out.add(n.withLabels(labels));
        }
        return out;
    }

    /** The built-in cluster for this trace. */
    public static List<NodeSpec> sizedFor(TimedTrace trace) {
        requireNonNull(trace, "trace");
        List<NodeSpec> nodes = new ArrayList<>();
        int cpuNodes = nodesFor(trace, DlrmTraceReader.CPU_ROLE, CPU_NODE);
        int gpuNodes = nodesFor(trace, DlrmTraceReader.GPU_ROLE, GPU_NODE);
        for (int i = 0; i < cpuNodes; i++) {
            nodes.add(named(CPU_NODE, String.format("dlrm-cn-%04d", i), DlrmTraceReader.CPU_ROLE));
        }
        for (int i = 0; i < gpuNodes; i++) {
            nodes.add(named(GPU_NODE, String.format("dlrm-hn-%04d", i), DlrmTraceReader.GPU_ROLE));
        }
        return nodes;
    }

    private static NodeSpec named(NodeSpec shape, String name, String role) {
        return new NodeSpec(name, shape.cpuMilli(), shape.memoryMib(), shape.gpuCount(), shape.gpuModel(),
                shape.maxPods()).withLabels(Map.of(DlrmTraceReader.ROLE_LABEL, role));
    }

    /** Nodes of this shape for the role's peak concurrent demand, as the trace's own times give it. */
    static int nodesFor(TimedTrace trace, String role, NodeSpec shape) {
        List<TimedPod> pods = trace.pods().stream()
                .filter(p -> role.equals(p.pod().labels().get(DlrmTraceReader.ROLE_LABEL))).toList();
        if (pods.isEmpty()) {
            return 0;
        }
        // Sweep arrivals (+) and ends (−), ends first at equal times, tracking each dimension's peak.
        int n = pods.size();
        long[] times = new long[2 * n];
        int[] who = new int[2 * n];
        Integer[] order = new Integer[2 * n];
        for (int i = 0; i < n; i++) {
            TimedPod p = pods.get(i);
            times[2 * i] = p.arrivalMillis();
            who[2 * i] = i + 1;
            times[2 * i + 1] = p.runsToEnd() ? Long.MAX_VALUE : p.arrivalMillis() + p.durationMillis();
            who[2 * i + 1] = -(i + 1);
        }
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> times[a] != times[b] ? Long.compare(times[a], times[b])
                : Integer.compare(who[a] < 0 ? 0 : 1, who[b] < 0 ? 0 : 1));
        long cpu = 0, mem = 0, gpu = 0, count = 0;
        long peakCpu = 0, peakMem = 0, peakGpu = 0, peakCount = 0;
        Map<String, long[]> perApp = new HashMap<>(); // {now, peak}
        double densityNodes = 0;
        for (int k : order) {
            int sign = who[k] > 0 ? 1 : -1;
            PodRequest pod = pods.get(Math.abs(who[k]) - 1).pod();
            cpu += sign * pod.cpuMilli();
            mem += sign * pod.memoryMib();
            gpu += sign * pod.totalGpuMilli();
            count += sign;
            peakCpu = Math.max(peakCpu, cpu);
            peakMem = Math.max(peakMem, mem);
            peakGpu = Math.max(peakGpu, gpu);
            peakCount = Math.max(peakCount, count);
            GroupDensityLimit.Limit limit = pod.attributes().getOrNull(GroupDensityLimit.LIMIT);
            if (limit != null) {
                long[] app = perApp.computeIfAbsent(limit.group(), g -> new long[2]);
                app[0] += sign;
                app[1] = Math.max(app[1], app[0]);
                densityNodes = Math.max(densityNodes, Math.ceil((double) app[1] / limit.maxPerNode()));
            }
        }
        double need = Math.max(Math.max((double) peakCpu / shape.cpuMilli(), (double) peakMem / shape.memoryMib()),
                (double) peakCount / shape.maxPods());
        if (shape.gpuCount() > 0) {
            need = Math.max(need, (double) peakGpu / (shape.gpuCount() * (double) NodeSpec.MILLI_PER_GPU));
        }
        return (int) Math.ceil(Math.max(need, densityNodes) * HEADROOM);
    }
}
