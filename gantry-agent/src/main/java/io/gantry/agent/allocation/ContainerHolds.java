package io.gantry.agent.allocation;

/** Tells whether a container already holds devices of a resource (then it is not the owner of a new Allocate). */
@FunctionalInterface
public interface ContainerHolds {

    ContainerHolds NONE = (pod, container, kind) -> false;

    boolean holds(PodOnNode pod, String container, ResourceKind kind);
}
