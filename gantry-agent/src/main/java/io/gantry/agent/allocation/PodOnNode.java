package io.gantry.agent.allocation;

import static java.util.Objects.requireNonNull;

import io.gantry.contract.ContainerGpuRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A pod bound to this node that has not started yet: a candidate owner of an Allocate call.
 *
 * @param namespace namespace
 * @param name name
 * @param uid pod UID
 * @param created creation time (older pods are admitted first)
 * @param annotations the pod's annotations (the scheduler's decision lives there)
 * @param containers init containers first, then app containers, each in spec order
 */
public record PodOnNode(String namespace, String name, String uid, Instant created, Map<String, String> annotations,
                        List<ContainerGpuRequest> containers) {

    public PodOnNode {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(uid, "uid");
        requireNonNull(created, "created");
        annotations = Map.copyOf(annotations);
        containers = List.copyOf(containers);
    }

    public String key() {
        return namespace + "/" + name;
    }
}
