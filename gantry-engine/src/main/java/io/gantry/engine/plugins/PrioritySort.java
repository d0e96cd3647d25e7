package io.gantry.engine.plugins;

import io.gantry.engine.PodRequest;

/** Queue sort "PrioritySort", kube-scheduler's default: higher priority first; equal priority in queue order. */
public final class PrioritySort implements QueueSortPlugin {

    @Override
    public String name() {
        return "PrioritySort";
    }

    @Override
    public int compare(PodRequest a, PodRequest b) {
        return Integer.compare(b.priority(), a.priority());
    }
}
