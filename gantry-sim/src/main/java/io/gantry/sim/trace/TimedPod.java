package io.gantry.sim.trace;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;

/**
 * One pod of a trace with times: when it arrives (asks to be scheduled) and how long it runs once placed, both in
 * milliseconds of simulated time; {@link #RUNS_TO_END} for a pod still running when the trace ends.
 */
public record TimedPod(PodRequest pod, long arrivalMillis, long durationMillis) {

    public static final long RUNS_TO_END = -1;

    public TimedPod {
        requireNonNull(pod, "pod");
        if (arrivalMillis < 0) {
            throw new IllegalArgumentException("pod " + pod.name() + ": negative arrival " + arrivalMillis);
        }
        if (durationMillis < 0 && durationMillis != RUNS_TO_END) {
            throw new IllegalArgumentException("pod " + pod.name() + ": negative duration " + durationMillis);
        }
    }

    public boolean runsToEnd() {
        return durationMillis == RUNS_TO_END;
    }

    public TimedPod withArrival(long newArrivalMillis) {
        return new TimedPod(pod, newArrivalMillis, durationMillis);
    }
}
