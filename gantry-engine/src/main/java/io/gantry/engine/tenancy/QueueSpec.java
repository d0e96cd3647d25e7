package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One queue as its Queue object declares it: its parent ("" at the top), its weight in fair sharing, its quota per
 * resource (a resource it does not list is not limited by it) and its preemption policies. Immutable.
 */
public record QueueSpec(String name, String parent, int weight, List<QuotaLimit> quota, ReclaimPolicy reclaim,
        WithinQueuePolicy withinQueue) {

    /** The queue a pod goes to when neither it nor its namespace names one. */
    public static final String DEFAULT_QUEUE = "default";

    public QueueSpec {
        requireNonNull(name, "name");
        requireNonNull(parent, "parent");
        quota = List.copyOf(requireNonNull(quota, "quota"));
        requireNonNull(reclaim, "reclaim");
        requireNonNull(withinQueue, "withinQueue");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a queue needs a name");
        }
        if (name.equals(parent)) {
            throw new IllegalArgumentException("queue " + name + " names itself as its parent");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("queue " + name + ": weight must be at least 1, got " + weight);
        }
        Set<QuotaResource> seen = new HashSet<>();
        for (QuotaLimit q : quota) {
            if (!seen.add(q.resource())) {
                throw new IllegalArgumentException("queue " + name + " lists the quota of " + q.resource()
                        + " twice; keep one entry");
            }
        }
    }

    /** A top-level queue without quota (the built-in default queue). */
    public static QueueSpec unlimited(String name) {
        return new QueueSpec(name, "", 1, List.of(), ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY,
                WithinQueuePolicy.LOWER_PRIORITY);
    }

    public Optional<QuotaLimit> quotaOf(QuotaResource resource) {
        return quota.stream().filter(q -> q.resource().equals(resource)).findFirst();
    }

    /** The guaranteed GPUs of all models, in milli (0 if the queue lists none). */
    public long guaranteedGpuMilli() {
        return quotaOf(QuotaResource.GPU).map(QuotaLimit::guaranteed).orElse(0L);
    }

    /** The same queue without borrowing (the "quota" admission policy: Kueue without a cohort). */
    public QueueSpec withoutBorrowing() {
        return new QueueSpec(name, parent, weight, quota.stream().map(QuotaLimit::withoutBorrowing).toList(),
                reclaim, withinQueue);
    }
}
