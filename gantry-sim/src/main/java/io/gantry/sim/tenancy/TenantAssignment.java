package io.gantry.sim.tenancy;

import io.gantry.engine.PodRequest;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.QueueTree;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The rule that gives queues and gangs to a trace that names none, so any pod list (openb's included) runs under
 * the admission policies:
 * <ul>
 *   <li>no pod names a queue: each pod goes to a leaf queue (the default queue aside, unless it is the only one)
 *       chosen by a hash of its name, in proportion to the leaves' GPU guarantees (equally when none has one): the
 *       same pod gets the same queue in every run;</li>
 *   <li>no pod names a pod group: pods of two or more whole GPUs that arrive in the same second with the same shape
 *       (CPU, memory, GPUs, models, priority) and queue form one gang, minMember all of them.</li>
 * </ul>
 * A trace that names queues or groups for some pods is taken as it is.
 */
public final class TenantAssignment {

    /** The pods, and a line for each rule that was applied. */
    public record Result(TimedTrace trace, List<String> applied) {
    }

    private TenantAssignment() {
    }

    public static Result apply(TimedTrace trace, List<QueueSpec> queues) {
        List<TimedPod> pods = trace.pods();
        List<String> applied = new ArrayList<>();
        if (pods.stream().noneMatch(p -> p.pod().attributes().get(TenancyKeys.QUEUE).isPresent())) {
            QueueTree tree = QueueTree.of(queues);
            List<Integer> leaves = new ArrayList<>();
            for (int q = 0; q < tree.size(); q++) {
                if (tree.isLeaf(q) && !tree.name(q).equals(QueueSpec.DEFAULT_QUEUE)) {
                    leaves.add(q);
                }
            }
            if (!leaves.isEmpty()) {
                pods = byHash(pods, tree, leaves);
                applied.add("queues: none named in the trace, so pods were spread over " + leaves.size()
                        + " leaf queue(s) by a hash of their names, in proportion to GPU guarantees");
            }
        }
        if (pods.stream().noneMatch(p -> p.pod().attributes().get(TenancyKeys.GANG).isPresent())) {
            int[] gangs = {0};
            pods = gangs(pods, gangs);
            if (gangs[0] > 0) {
                applied.add("gangs: none named in the trace, so " + gangs[0] + " groups of multi-GPU pods arriving"
                        + " in the same second with the same shape became gangs");
            }
        }
        return new Result(trace.withPods(pods, trace.endMillis()), applied);
    }

    private static List<TimedPod> byHash(List<TimedPod> pods, QueueTree tree, List<Integer> leaves) {
        long[] weights = new long[leaves.size()];
        long total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = tree.guaranteed(leaves.get(i), QueueTree.GPU);
            total += weights[i];
        }
        if (total == 0) {
            java.util.Arrays.fill(weights, 1);
            total = weights.length;
        }
        List<TimedPod> out = new ArrayList<>(pods.size());
        for (TimedPod p : pods) {
            long h = stableHash(p.pod().name()) % total;
            int chosen = 0;
            while (h >= weights[chosen]) {
                h -= weights[chosen++];
            }
            out.add(new TimedPod(p.pod().withAttribute(TenancyKeys.QUEUE, tree.name(leaves.get(chosen))),
                    p.arrivalMillis(), p.durationMillis()));
        }
        return out;
    }

    private record GroupKey(long second, long cpu, long mem, int gpus, List<String> models, int priority,
            String queue) {
    }

    private static List<TimedPod> gangs(List<TimedPod> pods, int[] count) {
        Map<GroupKey, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < pods.size(); i++) {
            PodRequest p = pods.get(i).pod();
            if (p.gpuCount() >= 2) {
                groups.computeIfAbsent(new GroupKey(pods.get(i).arrivalMillis() / 1000, p.cpuMilli(), p.memoryMib(),
                        p.gpuCount(), p.allowedGpuModels(), p.priority(), TenancyKeys.queueOf(p)),
                        k -> new ArrayList<>()).add(i);
            }
        }
        List<TimedPod> out = new ArrayList<>(pods);
        for (List<Integer> members : groups.values()) {
            if (members.size() < 2) {
                continue;
            }
            count[0]++;
            GangSpec gang = new GangSpec("gang-" + pods.get(members.get(0)).pod().name(), members.size(),
                    GangSpec.DEFAULT_TIMEOUT_SECONDS);
            for (int i : members) {
                TimedPod p = out.get(i);
                out.set(i, new TimedPod(p.pod().withAttribute(TenancyKeys.GANG, gang), p.arrivalMillis(),
                        p.durationMillis()));
            }
        }
        return out;
    }

    /** A stable hash of the name (the JDK's CRC-32: the same in every run and JVM). */
    private static long stableHash(String s) {
        CRC32 crc = new CRC32();
        crc.update(Objects.requireNonNull(s).getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
