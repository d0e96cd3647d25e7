package io.gantry.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.GpuAssignment;
import io.gantry.contract.GpuAssignmentCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent check of what the API server shows: per node and GPU index, the milli the bound pods' annotations
 * claim. Over 1000 anywhere means a GPU share was handed out twice.
 */
final class GpuLedger {

    final Map<String, int[]> used = new HashMap<>();
    final List<String> problems = new ArrayList<>();

    static GpuLedger read(KubernetesClient client) {
        GpuLedger ledger = new GpuLedger();
        for (Node n : client.nodes().list().getItems()) {
            int gpus = Integer.parseInt(n.getStatus().getAllocatable().get("nvidia.com/gpu").getAmount());
            ledger.used.put(n.getMetadata().getName(), new int[gpus]);
        }
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            String node = p.getSpec().getNodeName();
            if (node == null || "Succeeded".equals(p.getStatus().getPhase())) {
                continue;
            }
            Map<String, String> ann = p.getMetadata().getAnnotations();
            if (ann == null || !ann.containsKey(GpuAnnotations.GPU_IDS)) {
                ledger.problems.add("bound pod " + p.getMetadata().getName() + " has no GPU annotation");
                continue;
            }
            GpuAssignment assignment = GpuAssignmentCodec.decode(ann).orElseThrow();
            int milli = assignment.milliPerGpu();
            for (int id : assignment.gpuIds()) {
                int[] gpus = ledger.used.get(node);
                gpus[id] += milli;
                if (gpus[id] > 1000) {
                    ledger.problems.add("GPU " + id + " of " + node + " handed out " + gpus[id] + "/1000");
                }
            }
        }
        return ledger;
    }

    /** Whether a pod asking {@code count} GPUs of {@code milli} each fits on some node by GPUs alone. */
    boolean fits(int count, int milli) {
        for (int[] gpus : used.values()) {
            int free = 0;
            for (int u : gpus) {
                if (1000 - u >= milli) {
                    free++;
                }
            }
            if (free >= count) {
                return true;
            }
        }
        return false;
    }
}
