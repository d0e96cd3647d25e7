package io.gantry.sim.trace;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A trace read for the timed simulator: its pods with times, in file order; when the trace ends (pods that
 * {@link TimedPod#runsToEnd()} run until then); and what the trace says that the simulator does not model, so
 * that reports can name it instead of ignoring it silently.
 */
public record TimedTrace(String name, List<TimedPod> pods, long endMillis, List<String> notModelled) {

    public TimedTrace {
        requireNonNull(name, "name");
        pods = List.copyOf(requireNonNull(pods, "pods"));
        notModelled = List.copyOf(requireNonNull(notModelled, "notModelled"));
        if (endMillis < 0) {
            throw new IllegalArgumentException("negative trace end " + endMillis);
        }
    }

    public TimedTrace withPods(List<TimedPod> newPods, long newEndMillis) {
        return new TimedTrace(name, newPods, newEndMillis, notModelled);
    }
}
