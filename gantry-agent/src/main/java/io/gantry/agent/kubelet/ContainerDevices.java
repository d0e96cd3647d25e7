package io.gantry.agent.kubelet;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One container's devices of one resource, as the kubelet's PodResources API reports them.
 *
 * @param namespace the pod's namespace
 * @param pod the pod's name
 * @param container the container's name
 * @param resource the extended resource name
 * @param deviceIds the device ids the kubelet allocated to it
 */
public record ContainerDevices(String namespace, String pod, String container, String resource,
                               List<String> deviceIds) {

    public ContainerDevices {
        requireNonNull(namespace, "namespace");
        requireNonNull(pod, "pod");
        requireNonNull(container, "container");
        requireNonNull(resource, "resource");
        deviceIds = List.copyOf(deviceIds);
    }
}
