package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import java.util.List;

/**
 * A pod that holds resources on a node: bound (seen so in the API) or assumed (Gantry chose the node and the bind
 * is in flight). {@code gpuIds} null means the pod holds whole GPUs whose indices nobody recorded (a pod placed by
 * another scheduler); the mirror then charges free GPUs of the node.
 */
record PlacedPod(String key, String uid, String nodeName, PodRequest request, List<Integer> gpuIds,
        boolean assumed) {

    PlacedPod {
        requireNonNull(key, "key");
        uid = uid == null ? "" : uid;
        requireNonNull(nodeName, "nodeName");
        requireNonNull(request, "request");
        gpuIds = gpuIds == null ? null : List.copyOf(gpuIds);
    }

    boolean samePlacement(PlacedPod other) {
        return uid.equals(other.uid) && nodeName.equals(other.nodeName)
                && (other.gpuIds == null || other.gpuIds.equals(gpuIds))
                && request.gpuMilliPerGpu() == other.request.gpuMilliPerGpu()
                && request.cpuMilli() == other.request.cpuMilli() && request.memoryMib() == other.request.memoryMib();
    }
}
