package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The queues as one checked hierarchy, indexed for the hot path: queue {@code q} (0..size−1) and resource {@code r}
 * ({@link #GPU}, {@link #CPU}, {@link #MEMORY}, then one index per GPU model some quota names) give its guarantee,
 * its limit (guarantee + borrowing limit) and what it keeps reserved (the guarantee it does not lend). The tree
 * always holds the unlimited top-level {@link QueueSpec#DEFAULT_QUEUE} (added when not declared). Pods go to leaf
 * queues only. Immutable.
 */
public final class QueueTree {

    public static final int GPU = 0;
    public static final int CPU = 1;
    public static final int MEMORY = 2;
    private static final int FIXED = 3;

    private final List<QueueSpec> specs;
    private final Map<String, Integer> index = new HashMap<>();
    private final int[] parent;
    private final int[][] children;
    private final int[][] path;
    private final List<QuotaResource> resources;
    private final Map<String, Integer> modelResource = new HashMap<>();
    private final long[][] guaranteed;
    private final long[][] limit;
    private final long[][] reserved;
    private final boolean[][] listed;
    private final int[] topLevel;

    private QueueTree(List<QueueSpec> specs) {
        this.specs = List.copyOf(specs);
        int n = specs.size();
        for (int q = 0; q < n; q++) {
            index.put(specs.get(q).name(), q);
        }
        List<QuotaResource> res = new ArrayList<>(List.of(QuotaResource.GPU, QuotaResource.CPU, QuotaResource.MEMORY));
        for (QueueSpec s : specs) {
            for (QuotaLimit l : s.quota()) {
                String model = l.resource().model();
                if (!model.isEmpty() && !modelResource.containsKey(model)) {
                    modelResource.put(model, res.size());
                    res.add(l.resource());
                }
            }
        }
        this.resources = List.copyOf(res);
        parent = new int[n];
        guaranteed = new long[n][res.size()];
        limit = new long[n][res.size()];
        reserved = new long[n][res.size()];
        listed = new boolean[n][res.size()];
        List<List<Integer>> kids = new ArrayList<>();
        for (int q = 0; q < n; q++) {
            kids.add(new ArrayList<>());
        }
        List<Integer> tops = new ArrayList<>();
        for (int q = 0; q < n; q++) {
            QueueSpec s = specs.get(q);
            parent[q] = s.parent().isEmpty() ? -1 : index.get(s.parent());
            if (parent[q] < 0) {
                tops.add(q);
            } else {
                kids.get(parent[q]).add(q);
            }
            java.util.Arrays.fill(limit[q], QuotaLimit.UNLIMITED);
            for (QuotaLimit l : s.quota()) {
                int r = resourceIndex(l.resource());
                listed[q][r] = true;
                guaranteed[q][r] = l.guaranteed();
                limit[q][r] = l.limit();
                reserved[q][r] = l.reserved();
            }
        }
        children = new int[n][];
        for (int q = 0; q < n; q++) {
            children[q] = kids.get(q).stream().mapToInt(Integer::intValue).toArray();
        }
        topLevel = tops.stream().mapToInt(Integer::intValue).toArray();
        path = new int[n][];
        for (int q = 0; q < n; q++) {
            List<Integer> up = new ArrayList<>();
            for (int x = q; x >= 0; x = parent[x]) {
                up.add(x);
            }
            path[q] = up.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * Checks and indexes the queues: names unique, parents declared, no cycles, and the children's guarantees of a
     * resource add up to no more than their parent's guarantee of it (when the parent lists it).
     *
     * @throws QueueObjects.InvalidQueueException saying which queue is wrong and how to fix it
     */
    public static QueueTree of(Collection<QueueSpec> queues) {
        Map<String, QueueSpec> byName = new LinkedHashMap<>();
        for (QueueSpec q : requireNonNull(queues, "queues")) {
            if (byName.put(q.name(), q) != null) {
                throw new QueueObjects.InvalidQueueException("queue " + q.name() + " is declared twice; keep one");
            }
        }
        byName.putIfAbsent(QueueSpec.DEFAULT_QUEUE, QueueSpec.unlimited(QueueSpec.DEFAULT_QUEUE));
        for (QueueSpec q : byName.values()) {
            if (!q.parent().isEmpty() && !byName.containsKey(q.parent())) {
                throw new QueueObjects.InvalidQueueException("queue " + q.name() + " names parent " + q.parent()
                        + ", which is not declared; declare it or remove spec.parent");
            }
            String at = q.name();
            for (int steps = 0; !at.isEmpty(); steps++) {
                if (steps > byName.size()) {
                    throw new QueueObjects.InvalidQueueException("queue " + q.name() + " is its own ancestor"
                            + " (the parents form a cycle); break the cycle");
                }
                at = byName.get(at).parent();
            }
        }
        QueueTree tree = new QueueTree(new ArrayList<>(byName.values()));
        tree.checkGuarantees();
        return tree;
    }

    /** Only the built-in default queue: every pod in one unlimited queue. */
    public static QueueTree single() {
        return of(List.of());
    }

    private void checkGuarantees() {
        for (int p = 0; p < size(); p++) {
            for (int r = 0; r < resources.size(); r++) {
                if (!listed[p][r] || children[p].length == 0) {
                    continue;
                }
                long sum = 0;
                for (int c : children[p]) {
                    sum += guaranteed[c][r];
                }
                if (sum > guaranteed[p][r]) {
                    QuotaResource res = resources.get(r);
                    throw new QueueObjects.InvalidQueueException("the children of queue " + name(p)
                            + " are guaranteed " + res.format(sum) + " " + res.unit() + " in all, more than its own "
                            + res.format(guaranteed[p][r]) + "; lower the children's guarantees or raise the parent's");
                }
            }
        }
    }

    public int size() {
        return specs.size();
    }

    public QueueSpec spec(int q) {
        return specs.get(q);
    }

    public List<QueueSpec> specs() {
        return specs;
    }

    public String name(int q) {
        return specs.get(q).name();
    }

    /** The queue's index, or -1 if there is no such queue. */
    public int indexOf(String name) {
        Integer q = index.get(name);
        return q == null ? -1 : q;
    }

    public Optional<QueueSpec> find(String name) {
        int q = indexOf(name);
        return q < 0 ? Optional.empty() : Optional.of(specs.get(q));
    }

    public int parent(int q) {
        return parent[q];
    }

    public int[] children(int q) {
        return children[q];
    }

    public int[] topLevel() {
        return topLevel;
    }

    public boolean isLeaf(int q) {
        return children[q].length == 0;
    }

    /** The queue, its parent, … up to its top-level queue. */
    public int[] path(int q) {
        return path[q];
    }

    /** The resources quotas count, by index. */
    public List<QuotaResource> resources() {
        return resources;
    }

    public int resourceCount() {
        return resources.size();
    }

    /** The index of a resource, or -1 for a GPU model no quota names. */
    public int resourceIndex(QuotaResource resource) {
        return switch (resource.kind()) {
            case GPU -> resource.model().isEmpty() ? GPU : modelResource.getOrDefault(resource.model(), -1);
            case CPU -> CPU;
            case MEMORY -> MEMORY;
        };
    }

    /** The index of a GPU model's resource, or -1 when no quota names the model. */
    public int modelResource(String model) {
        Integer r = modelResource.get(model);
        return r == null ? -1 : r;
    }

    public boolean hasModelQuotas() {
        return resources.size() > FIXED;
    }

    public boolean listed(int q, int r) {
        return listed[q][r];
    }

    public long guaranteed(int q, int r) {
        return guaranteed[q][r];
    }

    /** Guarantee plus borrowing limit, {@link QuotaLimit#UNLIMITED} when the queue does not list the resource. */
    public long limit(int q, int r) {
        return limit[q][r];
    }

    public long reserved(int q, int r) {
        return reserved[q][r];
    }
}
