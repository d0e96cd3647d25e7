package io.gantry.agent.allocation;

import java.util.List;

/** The pods bound to this node that have not started: where an Allocate call's owner is looked for. */
@FunctionalInterface
public interface PodSource {

    /** A source for an agent without API access: no pod is ever known, the kubelet's choice is handed out. */
    PodSource NONE = List::of;

    /** Fresh from the source of truth (an Allocate must not miss a pod bound a moment ago). */
    List<PodOnNode> pendingPods();
}
