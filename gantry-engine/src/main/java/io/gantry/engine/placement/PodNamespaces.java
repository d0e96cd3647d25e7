package io.gantry.engine.placement;

import io.gantry.engine.PodRequest;

/**
 * The namespace of a placed pod that carries no constraint data of its own. Hosts name pods {@code namespace/name}
 * (Kubernetes); a name without {@code /} (the simulator's) is in the empty namespace. Pods with inter-pod
 * constraints carry their namespace in their plugin's data instead.
 */
public final class PodNamespaces {

    private PodNamespaces() {
    }

    public static String of(PodRequest pod) {
        String name = pod.name();
        int slash = name.indexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }
}
