package io.gantry.sim.experiment;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.report.DelayStats;
import io.gantry.sim.report.TimeSeries;
import io.gantry.sim.tenancy.TenantReport;
import java.util.List;

/**
 * The outcome of one timed run: counts, queueing delays per pod class, GPU-hours asked for and served, and the
 * sampled time series, and the pods' names in the order they were placed. {@code attempts} counts scheduling cycles the engine ran; {@code skippedAttempts} counts
 * retries answered from the "this shape fits nowhere since the last release" memo instead. {@code tenants} is what
 * the admission policy did per queue, or null for a run without one.
 */
public record TimedRunResult(
        String workload,
        Policy policy,
        ScoringMode scoring,
        long seed,
        int nodes,
        int totalGpus,
        int pods,
        int placed,
        int givenUp,
        int waitingAtEnd,
        List<DelayStats> delays,
        double gpuHoursRequested,
        double gpuHoursServed,
        long firstArrivalMillis,
        long lastArrivalMillis,
        long endMillis,
        long attempts,
        long skippedAttempts,
        TimeSeries series,
        List<String> placementOrder,
        List<String> notModelled,
        long wallNanos,
        TenantReport tenants) {

    public TimedRunResult {
        requireNonNull(workload, "workload");
        requireNonNull(policy, "policy");
        requireNonNull(scoring, "scoring");
        delays = List.copyOf(requireNonNull(delays, "delays"));
        requireNonNull(series, "series");
        placementOrder = List.copyOf(requireNonNull(placementOrder, "placementOrder"));
        notModelled = List.copyOf(requireNonNull(notModelled, "notModelled"));
    }

    /** Simulated time from the first arrival to the end (the last event, or the trace's end if later). */
    public long simulatedMillis() {
        return endMillis - firstArrivalMillis;
    }

    /** Mean GPU allocation while pods were arriving (the offered load's span), time-weighted. */
    public double meanAllocationWhileArriving() {
        return series.meanGpuAllocatedPercent(firstArrivalMillis, lastArrivalMillis);
    }

    public double meanFragmentationWhileArriving() {
        return series.meanFragmentationPercent(firstArrivalMillis, lastArrivalMillis);
    }

    public int neverPlaced() {
        return givenUp + waitingAtEnd;
    }
}
