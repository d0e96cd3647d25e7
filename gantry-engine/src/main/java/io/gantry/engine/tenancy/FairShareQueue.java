package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import io.gantry.engine.plugins.QueueSortPlugin;
import io.gantry.engine.queue.PodQueue;
import io.gantry.engine.queue.QueueConfig;
import io.gantry.engine.queue.QueuedPod;
import io.gantry.engine.queue.SchedulingQueue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@link SchedulingQueue} per leaf queue, and a pick between them by hierarchical weighted dominant-resource
 * fairness: from the top, among the queues whose subtree has a pod ready, a queue below its GPU guarantee goes
 * first, then the one with the smallest dominant share (its largest use of GPU, CPU or memory as a fraction of the
 * cluster, over its weight), then by name. Inside a leaf the profile's queue sort decides (priority, then arrival).
 * A pod whose queue does not exist (or is not a leaf) waits in a queue of its own, tried after all others, so its
 * cycle can say why it is not admitted.
 */
public final class FairShareQueue implements PodQueue {

    private final QueueTree tree;
    private final QueueLedger ledger;
    private final SchedulingQueue[] leaves;
    private final SchedulingQueue orphans;
    private final Map<String, SchedulingQueue> byPod = new HashMap<>();

    public FairShareQueue(QueueLedger ledger, QueueSortPlugin sort, QueueConfig config) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.tree = ledger.tree();
        this.leaves = new SchedulingQueue[tree.size()];
        for (int q = 0; q < tree.size(); q++) {
            if (tree.isLeaf(q)) {
                leaves[q] = new SchedulingQueue(sort, config);
            }
        }
        this.orphans = new SchedulingQueue(sort, config);
    }

    private SchedulingQueue queueFor(PodRequest pod) {
        int q = tree.indexOf(TenancyKeys.queueOf(pod));
        return q >= 0 && leaves[q] != null ? leaves[q] : orphans;
    }

    private SchedulingQueue holding(String name) {
        SchedulingQueue q = byPod.get(name);
        if (q == null) {
            throw new IllegalStateException("pod " + name + " is not in the queue");
        }
        return q;
    }

    @Override
    public void add(PodRequest pod, long now) {
        SchedulingQueue q = queueFor(pod);
        q.add(pod, now);
        byPod.put(pod.name(), q);
    }

    @Override
    public void update(PodRequest pod, long now) {
        SchedulingQueue before = byPod.get(pod.name());
        SchedulingQueue after = queueFor(pod);
        if (before != null && before != after) {
            before.delete(pod.name());
            before = null;
        }
        after.update(pod, now);
        byPod.put(pod.name(), after);
    }

    @Override
    public Optional<QueuedPod> pop() {
        int q = pick(tree.topLevel());
        if (q >= 0) {
            return leaves[q].pop();
        }
        return orphans.pop();
    }

    /** The leaf to pop from, descending from these siblings, or -1 if none of their subtrees has a ready pod. */
    private int pick(int[] siblings) {
        int best = -1;
        for (int q : siblings) {
            if (ready(q) && (best < 0 || ledger.servedBefore(q, best))) {
                best = q;
            }
        }
        if (best < 0 || tree.isLeaf(best)) {
            return best;
        }
        return pick(tree.children(best));
    }

    private boolean ready(int q) {
        if (tree.isLeaf(q)) {
            return leaves[q].activeCount() > 0;
        }
        for (int c : tree.children(q)) {
            if (ready(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<QueuedPod> take(String name) {
        SchedulingQueue q = byPod.get(name);
        return q == null ? Optional.empty() : q.take(name);
    }

    @Override
    public QueuedPod done(String name) {
        QueuedPod p = holding(name).done(name);
        byPod.remove(name);
        return p;
    }

    @Override
    public void requeueUnschedulable(String name, long now) {
        holding(name).requeueUnschedulable(name, now);
    }

    @Override
    public void requeueBackoff(String name, long now) {
        holding(name).requeueBackoff(name, now);
    }

    @Override
    public Optional<QueuedPod> delete(String name) {
        SchedulingQueue q = byPod.remove(name);
        return q == null ? Optional.empty() : q.delete(name);
    }

    @Override
    public void onClusterChange(long now) {
        each(q -> q.onClusterChange(now));
    }

    @Override
    public void flush(long now) {
        each(q -> q.flush(now));
    }

    @Override
    public OptionalLong nextWake() {
        long next = Long.MAX_VALUE;
        for (SchedulingQueue q : all()) {
            OptionalLong w = q.nextWake();
            if (w.isPresent()) {
                next = Math.min(next, w.getAsLong());
            }
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    @Override
    public boolean contains(String name) {
        return byPod.containsKey(name);
    }

    @Override
    public int size() {
        return byPod.size();
    }

    @Override
    public int activeCount() {
        return all().stream().mapToInt(SchedulingQueue::activeCount).sum();
    }

    @Override
    public int backoffCount() {
        return all().stream().mapToInt(SchedulingQueue::backoffCount).sum();
    }

    @Override
    public int unschedulableCount() {
        return all().stream().mapToInt(SchedulingQueue::unschedulableCount).sum();
    }

    @Override
    public List<QueuedPod> pods() {
        List<QueuedPod> pods = new ArrayList<>();
        for (SchedulingQueue q : all()) {
            pods.addAll(q.pods());
        }
        return pods;
    }

    /** Pending pods of a leaf queue (in flight included); 0 for a queue that is not a leaf. */
    public int pending(int q) {
        return leaves[q] == null ? 0 : leaves[q].size();
    }

    private List<SchedulingQueue> all() {
        List<SchedulingQueue> all = new ArrayList<>(leaves.length + 1);
        for (SchedulingQueue q : leaves) {
            if (q != null) {
                all.add(q);
            }
        }
        all.add(orphans);
        return all;
    }

    private void each(java.util.function.Consumer<SchedulingQueue> action) {
        for (SchedulingQueue q : all()) {
            action.accept(q);
        }
    }
}
