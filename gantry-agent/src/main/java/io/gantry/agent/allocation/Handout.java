package io.gantry.agent.allocation;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the agent handed one container: the truth behind its {@code NVIDIA_VISIBLE_DEVICES}.
 *
 * @param kind which resource
 * @param namespace the pod's namespace, or empty when the owner is unknown
 * @param pod the pod's name, or empty when unknown
 * @param podUid the pod's UID, or empty when unknown
 * @param container the container's name, or empty when unknown
 * @param gpuUuids the GPUs it may use
 * @param milli thousandths of each GPU it may use (1000 for whole GPUs)
 * @param deviceIds the device ids the kubelet allocated (its own accounting)
 * @param fromAnnotation true when the GPUs came from the scheduler's annotations, false when they are the kubelet's
 *     choice
 */
public record Handout(ResourceKind kind, String namespace, String pod, String podUid, String container,
                      List<String> gpuUuids, int milli, List<String> deviceIds, boolean fromAnnotation) {

    public Handout {
        requireNonNull(kind, "kind");
        requireNonNull(namespace, "namespace");
        requireNonNull(pod, "pod");
        requireNonNull(podUid, "podUid");
        requireNonNull(container, "container");
        gpuUuids = List.copyOf(gpuUuids);
        deviceIds = List.copyOf(deviceIds);
    }

    public boolean ownerKnown() {
        return !podUid.isEmpty();
    }
}
