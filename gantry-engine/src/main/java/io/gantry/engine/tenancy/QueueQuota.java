package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;

/**
 * Admission by queue quota, as Kueue admits by ClusterQueue quota within a cohort. A pod fits its queue when, for
 * each resource and for its leaf queue and every ancestor, (1) the queue's use plus the pod stays within its limit
 * (guarantee + borrowing limit), and (2) the queues under each parent (the cluster at the top) together hold no
 * more than the parent may use, where a queue holds the larger of its use and the guarantee it does not lend.
 * A gang member counts the whole rest of its gang, so a gang that cannot be admitted does not reserve any part.
 *
 * <p>Quota that borrowers took is the queue's to reclaim: the rejection is resolvable, and preemption may evict
 * borrowers (or lower priority pods of the queue) to make room. Quotas of one GPU model are checked per node, by the
 * node's model: pre-filter works them out once per model, filter reads the answer.
 */
public final class QueueQuota implements PreFilterPlugin, FilterPlugin {

    public static final String NAME = "QueueQuota";

    private static final Reason MODEL_QUOTA = Reason.resolvable("QueueModelQuota",
            "node(s) had a GPU model whose queue quota is used up");
    private static final CycleContext.Key<boolean[]> MODEL_FITS = CycleContext.Key.of("queueModelQuotaFits",
            boolean[].class);

    private final QueueLedger ledger;
    private final QueueTree tree;

    public QueueQuota(QueueLedger ledger) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.tree = ledger.tree();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        PodRequest pod = cycle.pod();
        String queueName = TenancyKeys.queueOf(pod);
        int leaf = tree.indexOf(queueName);
        if (leaf < 0) {
            return Status.unresolvable(NAME, Reason.unresolvable("UnknownQueue", "queue " + queueName
                    + " does not exist; create the Queue or fix the pod's gantry.io/queue label"));
        }
        if (!tree.isLeaf(leaf)) {
            return Status.unresolvable(NAME, Reason.unresolvable("ParentQueue", "queue " + queueName
                    + " has child queues and admits no pods itself; put the pod in one of its child queues"));
        }
        long[] d = ledger.demand(pod, "");
        long members = remainingMembers(pod);
        for (int r = 0; r <= QueueTree.MEMORY; r++) {
            String why = check(leaf, r, d[r] * members, d[r], pod);
            if (why != null) {
                return why.startsWith("!") ? Status.unresolvable(NAME, Reason.unresolvable("QueueQuota",
                        why.substring(1))) : Status.unschedulable(NAME, Reason.resolvable("QueueQuota", why));
            }
        }
        if (!tree.hasModelQuotas() || !pod.needsGpu()) {
            return Status.skip(NAME);
        }
        boolean[] fits = new boolean[tree.resourceCount()];
        for (int r = QueueTree.MEMORY + 1; r < fits.length; r++) {
            fits[r] = check(leaf, r, pod.totalGpuMilli() * members, pod.totalGpuMilli(), pod) == null;
        }
        cycle.write(MODEL_FITS, fits);
        return Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        int r = tree.modelResource(state.spec(node).gpuModel());
        return r < 0 || cycle.read(MODEL_FITS)[r] ? null : MODEL_QUOTA;
    }

    /** Members of the pod's gang still to be admitted, this one included (1 for a pod without a gang). */
    private long remainingMembers(PodRequest pod) {
        GangSpec gang = TenancyKeys.gangOf(pod);
        return gang == null ? 1 : Math.max(1, gang.minMember() - ledger.gangPlaced(gang.name()));
    }

    /**
     * Null if {@code amount} more of resource r fits the queue and its ancestors; otherwise why not, prefixed with
     * "!" when no eviction could help (one pod asks for more than a limit).
     */
    private String check(int leaf, int r, long amount, long single, PodRequest pod) {
        if (amount == 0) {
            return null;
        }
        QuotaResource res = tree.resources().get(r);
        for (int q : tree.path(leaf)) {
            long limit = tree.limit(q, r);
            if (limit == QuotaLimit.UNLIMITED) {
                continue;
            }
            if (single > limit) {
                return "!queue " + tree.name(q) + ": the pod asks for " + res.format(single) + " " + res.unit()
                        + ", more than the queue may ever use (" + res.format(limit) + "); ask for less or raise"
                        + " the queue's guarantee or borrowing limit";
            }
            long used = ledger.used(q, r);
            if (used + amount > limit) {
                return message(q, r, amount, limit - used);
            }
        }
        for (int q : tree.path(leaf)) {
            int p = tree.parent(q);
            long cap = p < 0 ? ledger.capacity(r) : tree.limit(p, r);
            if (cap == QuotaLimit.UNLIMITED) {
                continue;
            }
            int[] siblings = p < 0 ? tree.topLevel() : tree.children(p);
            long held = 0;
            for (int c : siblings) {
                held += hold(c, r, c == q ? leaf : -1, amount);
            }
            if (held > cap && p >= 0) {
                long free = cap - (held - amount);
                return message(leaf, r, amount, Math.max(0, free));
            }
            if (held > cap && hasReservations(siblings, r)) {
                // at the top, only guarantees held back for idle queues block: a full cluster is the filters' say
                long free = cap - (held - amount);
                return message(leaf, r, amount, Math.max(0, free));
            }
        }
        return null;
    }

    private boolean hasReservations(int[] queues, int r) {
        for (int q : queues) {
            if (holdWithout(q, r) > ledger.used(q, r)) {
                return true;
            }
        }
        return false;
    }

    private long holdWithout(int q, int r) {
        return hold(q, r, -1, 0);
    }

    /**
     * What a queue holds of resource r: a leaf its use or unlent guarantee, whichever is more; a parent the larger of
     * its own unlent guarantee and what its children hold. {@code leaf} (with {@code extra}) is where the pod goes.
     */
    private long hold(int q, int r, int leaf, long extra) {
        long own = ledger.used(q, r);
        if (tree.isLeaf(q)) {
            return Math.max(own + (q == leaf ? extra : 0), tree.reserved(q, r));
        }
        long children = 0;
        boolean onPath = false;
        for (int c : tree.children(q)) {
            boolean here = leaf >= 0 && contains(tree.path(leaf), c);
            onPath |= here;
            children += hold(c, r, here ? leaf : -1, extra);
        }
        long mine = own + (onPath ? extra : 0);
        return Math.max(Math.max(children, mine), tree.reserved(q, r));
    }

    private static boolean contains(int[] path, int q) {
        for (int x : path) {
            if (x == q) {
                return true;
            }
        }
        return false;
    }

    private String message(int q, int r, long amount, long room) {
        QuotaResource res = tree.resources().get(r);
        long used = ledger.used(q, r);
        long g = tree.guaranteed(q, r);
        long borrowable = Math.max(0, room - Math.max(0, g - used));
        return "queue " + tree.name(q) + ": " + res.format(used) + "/" + res.format(g) + " " + res.unit()
                + " in use, " + res.format(borrowable) + " borrowable; waiting for " + res.format(amount) + " "
                + res.unit();
    }
}
