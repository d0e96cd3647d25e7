package io.gantry.sim.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.tenancy.Backfill;
import java.util.List;

/**
 * What one timed run under an admission policy did for each queue, and the policy's invariants: quota violations,
 * partial gangs and preemptions of a higher priority pod by a lower one must all be 0.
 *
 * @param quotaViolations moments at which some queue used more than the policy allows it (guarantee + borrowing
 *     limit; without borrowing under {@code quota}; {@code fifo} enforces none)
 * @param partialGangs gangs that were running with fewer than minMember members bound together
 * @param priorityInversions evictions of a pod by a preemptor of lower priority
 * @param jainIndex Jain's fairness index over the backlogged leaf queues' allocation / entitlement ratios (1 = fair)
 * @param backfill what backfill did and how far its run-time predictions were off; null for a policy without it
 */
public record TenantReport(String admission, List<QueueRow> queues, long quotaViolations, int partialGangs,
        int priorityInversions, int preemptions, double gpuHoursLost, double jainIndex, int gangs,
        int gangsPlaced, Backfill.Stats backfill) {

    public TenantReport {
        requireNonNull(admission, "admission");
        queues = List.copyOf(requireNonNull(queues, "queues"));
    }

    /**
     * One queue over the run. Times are milliseconds of simulated time; GPU figures are GPUs averaged over the
     * arrival span. {@code entitlementMet} is ∫min(allocated, entitlement) / ∫entitlement over the time the queue
     * had pods waiting (NaN if it never had); {@code longestBelowGuaranteeMillis} the longest stretch it was owed
     * GPUs: below its guarantee with a pod waiting that its guarantee has room for (a gang counted whole); {@code gpu8WaitP99Seconds} the p99 wait of its 8-GPU pods until
     * their last start (NaN if it had none).
     */
    public record QueueRow(String name, String parent, boolean leaf, double guaranteedGpus, double meanAllocatedGpus,
            double sharePercent, double meanEntitlementGpus, double entitlementMet, double backloggedHours,
            int arrived, int placed, int neverPlaced, double waitP50Seconds, double waitP95Seconds,
            double waitP99Seconds, double waitMaxSeconds, int preempted, double gpuHoursLost,
            long longestBelowGuaranteeMillis, double gpu8WaitP99Seconds) {

        public QueueRow {
            requireNonNull(name, "name");
            requireNonNull(parent, "parent");
        }
    }
}
