package io.gantry.engine.plugins;

import io.gantry.engine.PodRequest;

/**
 * Extension point "queue sort": the order in which the scheduling queue hands out pods (negative: {@code a} first).
 * Pods it ranks equal leave in the order they were queued. A profile has exactly one.
 */
public interface QueueSortPlugin {

    String name();

    int compare(PodRequest a, PodRequest b);
}
