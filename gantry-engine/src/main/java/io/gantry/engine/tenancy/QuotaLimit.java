package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

/**
 * One resource of a queue's quota, in the resource's engine unit (see {@link QuotaResource}): what the queue is
 * guaranteed, how much more it may borrow from its siblings' unused guarantees ({@link #UNLIMITED}: as much as is
 * idle), and how much of its own unused guarantee it lends ({@link #UNLIMITED}: all of it; what it does not lend
 * stays reserved for it even while idle), as Kueue's nominalQuota, borrowingLimit and lendingLimit.
 */
public record QuotaLimit(QuotaResource resource, long guaranteed, long borrowingLimit, long lendingLimit) {

    public static final long UNLIMITED = Long.MAX_VALUE;

    public QuotaLimit {
        requireNonNull(resource, "resource");
        if (guaranteed < 0 || borrowingLimit < 0 || lendingLimit < 0) {
            throw new IllegalArgumentException("quota " + resource + ": amounts must not be negative");
        }
    }

    /** The most the queue may use: its guarantee plus its borrowing limit. */
    public long limit() {
        return borrowingLimit == UNLIMITED ? UNLIMITED : guaranteed + borrowingLimit;
    }

    /** What stays reserved for the queue while unused: the guarantee it does not lend. */
    public long reserved() {
        return lendingLimit == UNLIMITED ? 0 : Math.max(0, guaranteed - lendingLimit);
    }

    /** The same quota without borrowing: the queue never uses more than its guarantee. */
    public QuotaLimit withoutBorrowing() {
        return new QuotaLimit(resource, guaranteed, 0, lendingLimit);
    }
}
