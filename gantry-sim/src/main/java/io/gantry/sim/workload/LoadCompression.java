package io.gantry.sim.workload;

import static java.util.Objects.requireNonNull;

import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import java.util.ArrayList;
import java.util.List;

/**
 * Raises (or lowers) a trace's offered GPU load by scaling the time between arrivals, durations unchanged.
 *
 * <p>Offered load L = Σ gpu_milli_i × duration_i / (capacity_milli × span), span = last arrival − first arrival.
 * Arrival i moves to a_0 + (a_i − a_0) × c with c = L / target, so the new span is span × c and the new load is
 * exactly the target (up to rounding arrivals to the millisecond).
 */
public final class LoadCompression {

    /** The outcome: the new trace, the factor applied to inter-arrival times, the load before and after. */
    public record Result(TimedTrace trace, double factor, double loadBefore, double loadAfter) {
    }

    private LoadCompression() {
    }

    public static double offeredLoad(List<TimedPod> pods, long capacityMilli) {
        requireNonNull(pods, "pods");
        if (capacityMilli <= 0) {
            throw new IllegalArgumentException("the cluster has no GPUs, so it has no GPU load");
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        double work = 0;
        for (TimedPod p : pods) {
            if (p.runsToEnd()) {
                throw new IllegalArgumentException("pod " + p.pod().name() + " runs until the trace ends, so its"
                        + " GPU work depends on the span itself; offered load needs finite durations");
            }
            first = Math.min(first, p.arrivalMillis());
            last = Math.max(last, p.arrivalMillis());
            work += (double) p.pod().totalGpuMilli() * p.durationMillis();
        }
        if (pods.isEmpty() || last == first) {
            throw new IllegalArgumentException("all pods arrive at the same moment: the arrival span is 0, so"
                    + " the offered load is undefined");
        }
        return work / ((double) capacityMilli * (last - first));
    }

    public static Result toTarget(TimedTrace trace, long capacityMilli, double target) {
        requireNonNull(trace, "trace");
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new IllegalArgumentException("the target load must be a positive number, got " + target);
        }
        long runToEnd = trace.pods().stream().filter(TimedPod::runsToEnd).count();
        if (runToEnd > 0) {
            throw new IllegalArgumentException(trace.name() + " has " + runToEnd + " pods still running when the"
                    + " trace ends; their GPU work grows with the span, so arrivals cannot be compressed to a"
                    + " target load; run it without --load");
        }
        double before = offeredLoad(trace.pods(), capacityMilli);
        if (before == 0) {
            throw new IllegalArgumentException(trace.name() + " asks for no GPU time; its GPU load cannot be raised");
        }
        double factor = before / target;
        long first = trace.pods().stream().mapToLong(TimedPod::arrivalMillis).min().orElseThrow();
        List<TimedPod> moved = new ArrayList<>(trace.pods().size());
        long end = 0;
        for (TimedPod p : trace.pods()) {
            long arrival = first + Math.round((p.arrivalMillis() - first) * factor);
            TimedPod q = p.withArrival(arrival);
            moved.add(q);
            end = Math.max(end, arrival + q.durationMillis());
        }
        return new Result(trace.withPods(moved, end), factor, before, offeredLoad(moved, capacityMilli));
    }
}
