package io.gantry.kube.scheduling;

import java.util.List;
import java.util.Map;

/**
 * What {@code /api/explain/{namespace}/{pod}} answers: where the pod stands and why.
 *
 * @param status {@code scheduled} (bound), {@code binding} (decided, bind in flight), {@code waiting} (a gang member
 *     reserved on a node and held until its gang is complete), {@code pending} (waiting for
 *     room), {@code gated} (held by its scheduling gates), {@code invalid} (asks something impossible),
 *     {@code unsupported} (asks a constraint Gantry does not check), or {@code unknown}
 */
public record ExplainReport(String pod, String status, String node, List<Integer> gpuIds, Integer gpuMilli,
        String message, Map<String, Integer> nodesByReason, int attempts) {
}
