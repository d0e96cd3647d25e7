package io.gantry.engine.queue;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;

/**
 * What the queue knows of one pending pod, as kube-scheduler's QueuedPodInfo: the pod, when it first entered the
 * queue, how many scheduling attempts failed, and the queue's arrival sequence (the tie-break of equal pods).
 * Times are the caller's, in whatever unit it passes consistently (the simulator uses milliseconds).
 */
public record QueuedPod(PodRequest pod, long firstEnqueued, long sequence, int attempts, long lastFailure) {

    public QueuedPod {
        requireNonNull(pod, "pod");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative, got " + attempts);
        }
    }

    public String name() {
        return pod.name();
    }
}
