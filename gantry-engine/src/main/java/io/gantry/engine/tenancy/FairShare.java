package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

/**
 * The GPUs each queue is entitled to, given what each leaf queue wants (its use plus its pending pods): the
 * capacity is shared top-down; at each level every queue first gets its guarantee (or what it wants, if less),
 * then what is left is water-filled by weight, no queue getting more than it wants or than its limit (guarantee +
 * borrowing limit). With every queue backlogged this is weighted max-min fairness above the guarantees: what the
 * fair-share pick of {@link FairShareQueue} and reclaim by {@link Preemption} steer the cluster towards.
 */
public final class FairShare {

    private FairShare() {
    }

    /**
     * @param wanted per queue index, GPU milli that leaf wants (entries of parents are ignored)
     * @param capacity the cluster's GPU milli
     * @return per queue index (parents included), the GPU milli it is entitled to
     */
    public static long[] entitlements(QueueTree tree, long[] wanted, long capacity) {
        requireNonNull(tree, "tree");
        if (wanted.length != tree.size()) {
            throw new IllegalArgumentException("wanted has " + wanted.length + " entries for " + tree.size()
                    + " queues");
        }
        long[] subtree = new long[tree.size()];
        for (int q = 0; q < tree.size(); q++) {
            subtree[q] = want(tree, wanted, q);
        }
        long[] share = new long[tree.size()];
        divide(tree, tree.topLevel(), capacity, subtree, share);
        return share;
    }

    private static long want(QueueTree tree, long[] wanted, int q) {
        long w;
        if (tree.isLeaf(q)) {
            w = Math.max(0, wanted[q]);
        } else {
            w = 0;
            for (int c : tree.children(q)) {
                w += want(tree, wanted, c);
            }
        }
        return Math.min(w, tree.limit(q, QueueTree.GPU));
    }

    private static void divide(QueueTree tree, int[] queues, long amount, long[] want, long[] share) {
        long left = amount;
        long[] got = new long[queues.length];
        long guaranteedWant = 0;
        for (int i = 0; i < queues.length; i++) {
            guaranteedWant += Math.min(want[queues[i]], tree.guaranteed(queues[i], QueueTree.GPU));
        }
        // guarantees first (scaled down if the capacity cannot cover them all)
        for (int i = 0; i < queues.length; i++) {
            long g = Math.min(want[queues[i]], tree.guaranteed(queues[i], QueueTree.GPU));
            got[i] = guaranteedWant <= amount ? g : (long) ((double) g * amount / guaranteedWant);
            left -= got[i];
        }
        // then water-filling by weight among those that want more
        while (left > 0) {
            long weights = 0;
            for (int i = 0; i < queues.length; i++) {
                if (got[i] < want[queues[i]]) {
                    weights += tree.spec(queues[i]).weight();
                }
            }
            if (weights == 0) {
                break;
            }
            long given = 0;
            for (int i = 0; i < queues.length; i++) {
                if (got[i] < want[queues[i]]) {
                    long slice = Math.max(1, left * tree.spec(queues[i]).weight() / weights);
                    long take = Math.min(slice, Math.min(want[queues[i]] - got[i], left - given));
                    got[i] += take;
                    given += take;
                    if (given >= left) {
                        break;
                    }
                }
            }
            left -= given;
        }
        for (int i = 0; i < queues.length; i++) {
            share[queues[i]] = got[i];
            if (!tree.isLeaf(queues[i])) {
                divide(tree, tree.children(queues[i]), got[i], want, share);
            }
        }
    }
}
