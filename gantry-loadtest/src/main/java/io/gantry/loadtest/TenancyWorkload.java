package io.gantry.loadtest;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.loadtest.Workload.NodeShape;
import io.gantry.loadtest.Workload.PodShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The burst with multi-tenancy active ({@code gantry bench scheduler --tenancy}): the same pods as the plain run, each
 * labelled with one of {@code queues} team queues ({@code gantry.io/queue}, round robin), a share of them in gangs
 * (a PodGroup per gang with {@code minMember} = its size, the members labelled {@code scheduling.x-k8s.io/pod-group})
 * and all with a priority; and, before them, a borrower queue {@code batch} whose low-priority whole-node pods
 * ({@link #fillers()}) fill so much of the cluster that the last part of the burst has to reclaim GPUs from it by
 * preemption.
 *
 * <p>The queues' guarantees sum to the cluster's GPUs: {@value #BATCH_SHARE_PERCENT} % for {@code batch}, the rest
 * split evenly among the teams, so every team's share of the burst stays well inside its guarantee and may take
 * its lent GPUs back from {@code batch}, which borrows them (reclaim: LowerPriority). No queue preempts inside itself
 * (withinQueue: Never), so no pod of the burst is ever a victim and the plain run's check (every pod bound exactly
 * once) still holds for it; only {@code batch}'s pods are evicted.
 */
public final class TenancyWorkload {

    public static final String QUEUE_LABEL = "gantry.io/queue";
    public static final String POD_GROUP_LABEL = "scheduling.x-k8s.io/pod-group";
    public static final String BORROWER = "batch";
    static final int BATCH_SHARE_PERCENT = 20;
    /** The borrower's pods: lowest priority. The teams': two levels, so the queues' order by priority matters too. */
    static final int BATCH_PRIORITY = 0;
    static final int TEAM_PRIORITY = 1000;
    static final int TEAM_HIGH_PRIORITY = 2000;
    /** One borrower pod takes a whole 8-GPU node, so that each eviction frees room for several burst pods. */
    static final int FILLER_GPUS = 8;

    /** A Queue object's GPU quota, in thousandths of a GPU, and its preemption policies. */
    public record QueueShape(String name, long guaranteedMilli, long borrowingLimitMilli, String reclaim,
            String withinQueue) {
        public QueueShape {
            requireNonNull(name, "name");
            requireNonNull(reclaim, "reclaim");
            requireNonNull(withinQueue, "withinQueue");
        }

        /** What the queue may hold at most: its guarantee and what it may borrow. */
        public long limitMilli() {
            return guaranteedMilli + borrowingLimitMilli;
        }
    }

    /** A pod's queue, PodGroup ({@code null}: none) and priority. */
    public record Assignment(String queue, String podGroup, int priority) {
        public Assignment {
            requireNonNull(queue, "queue");
        }
    }

    /** A PodGroup: its name (in the load test's namespace) and {@code minMember}. */
    public record Gang(String name, int minMember) {
        public Gang {
            requireNonNull(name, "name");
        }
    }

    private final List<QueueShape> queues;
    private final List<PodShape> fillers;
    private final Map<String, Assignment> assignments;
    private final List<Gang> gangs;

    private TenancyWorkload(List<QueueShape> queues, List<PodShape> fillers, Map<String, Assignment> assignments,
            List<Gang> gangs) {
        this.queues = List.copyOf(queues);
        this.fillers = List.copyOf(fillers);
        this.assignments = Map.copyOf(assignments);
        this.gangs = List.copyOf(gangs);
    }

    /**
     * Plans the queues, gangs and borrower for these nodes and pods (the warm-up's and the burst's, which keep
     * their shapes).
     *
     * @param teams team queues the pods are spread over
     * @param gangShare share of the pods that are gang members (0: none)
     * @param gangSize members per gang, each its PodGroup's {@code minMember}
     * @param reclaimShare share of the warm-up's and burst's GPUs that the borrower leaves no free room for, so
     *     that they must be reclaimed from it (0: the borrower leaves room for all of them, give or take
     *     fragmentation)
     * @param borrower whether the borrower's pods fill the cluster first; without them its queue exists but holds
     *     nothing, and nothing is preempted unless fragmentation forces it
     */
    public static TenancyWorkload plan(List<NodeShape> nodes, List<PodShape> warmup, List<PodShape> burst, int teams,
            double gangShare, int gangSize, double reclaimShare, boolean borrower) {
        if (teams < 1) {
            throw new IllegalArgumentException("--queues must be >= 1, got " + teams);
        }
        if (gangSize < 2) {
            throw new IllegalArgumentException("--gang-size must be >= 2, got " + gangSize);
        }
        if (!(gangShare >= 0 && gangShare <= 1)) {
            throw new IllegalArgumentException("--gang-share must be within 0..1, got " + gangShare);
        }
        if (!(reclaimShare >= 0 && reclaimShare < 1)) {
            throw new IllegalArgumentException("--reclaim-share must be within 0..1 (1 excluded), got "
                    + reclaimShare);
        }
        long capacity = nodes.stream().mapToLong(n -> n.gpus() * 1000L).sum();
        long demand = warmup.stream().mapToLong(PodShape::gpuMilliTotal).sum()
                + burst.stream().mapToLong(PodShape::gpuMilliTotal).sum();
        long wholeNodes = nodes.stream().filter(n -> n.gpus() == FILLER_GPUS).count();
        long room = (long) Math.ceil(demand * (1 - reclaimShare));
        int fillerCount = !borrower ? 0
                : (int) Math.max(0, Math.min(wholeNodes, (capacity - room) / (FILLER_GPUS * 1000L)));
        List<PodShape> fillers = new ArrayList<>(fillerCount);
        for (int i = 0; i < fillerCount; i++) {
            fillers.add(new PodShape(String.format(Locale.ROOT, "%s-%06d", BORROWER, i), FILLER_GPUS, 1000,
                    4000 * FILLER_GPUS, 16_384 * FILLER_GPUS));
        }
        long fillerMilli = (long) fillerCount * FILLER_GPUS * 1000;

        // Guarantees in whole GPUs summing to the cluster's: batch's share, the rest split among the teams (the
        // first teams take the remainder).
        long capacityGpus = capacity / 1000;
        long batchGpus = capacityGpus * BATCH_SHARE_PERCENT / 100;
        long teamGpus = capacityGpus - batchGpus;
        List<QueueShape> queues = new ArrayList<>();
        // The borrower may borrow exactly what its pods need beyond its guarantee: the check then shows that
        // reclaiming never let it hold more.
        queues.add(new QueueShape(BORROWER, batchGpus * 1000, Math.max(0, fillerMilli - batchGpus * 1000),
                "Never", "Never"));
        for (int t = 0; t < teams; t++) {
            long g = teamGpus / teams + (t < teamGpus % teams ? 1 : 0);
            // Teams may borrow half their guarantee more; the burst never needs it, but borrowing is allowed.
            queues.add(new QueueShape(team(t), g * 1000, g * 500, "LowerPriority", "Never"));
        }

        Map<String, Assignment> assignments = new HashMap<>();
        for (PodShape f : fillers) {
            assignments.put(f.name(), new Assignment(BORROWER, null, BATCH_PRIORITY));
        }
        List<Gang> gangs = new ArrayList<>();
        assign("warmup", warmup, teams, gangShare, gangSize, assignments, gangs);
        assign("bench", burst, teams, gangShare, gangSize, assignments, gangs);
        return new TenancyWorkload(queues, fillers, assignments, gangs);
    }

    static String team(int t) {
        return String.format(Locale.ROOT, "team-%d", t);
    }

    /**
     * Gangs are laid out in blocks of {@code gangSize / gangShare} pods (in creation order): the first
     * {@code gangSize} pods of each block form a gang, so gang members are created one after another, as a job's
     * are, and gangs are spread evenly over the burst. A gang takes its first member's queue and priority.
     */
    private static void assign(String prefix, List<PodShape> pods, int teams, double gangShare, int gangSize,
            Map<String, Assignment> out, List<Gang> gangs) {
        int block = gangShare <= 0 ? Integer.MAX_VALUE : Math.max(gangSize, (int) Math.round(gangSize / gangShare));
        Assignment gangOf = null;
        int left = 0;
        for (int i = 0; i < pods.size(); i++) {
            String queue = team(i % teams);
            // a quarter of the pods (and gangs) at the higher priority
            int priority = i % 4 == 3 ? TEAM_HIGH_PRIORITY : TEAM_PRIORITY;
            if (left == 0 && block != Integer.MAX_VALUE && i % block == 0 && i + gangSize <= pods.size()) {
                String name = String.format(Locale.ROOT, "%s-gang-%05d", prefix, i / block);
                gangs.add(new Gang(name, gangSize));
                gangOf = new Assignment(queue, name, priority);
                left = gangSize;
            }
            if (left > 0) {
                out.put(pods.get(i).name(), gangOf);
                left--;
            } else {
                out.put(pods.get(i).name(), new Assignment(queue, null, priority));
            }
        }
    }

    public List<QueueShape> queues() {
        return queues;
    }

    /** The borrower's pods, created and bound before the warm-up and the burst. */
    public List<PodShape> fillers() {
        return fillers;
    }

    public List<Gang> gangs() {
        return gangs;
    }

    public Assignment assignment(String pod) {
        Assignment a = assignments.get(pod);
        if (a == null) {
            throw new IllegalArgumentException("pod " + pod + " is not part of the planned workload");
        }
        return a;
    }

    /** How many of these pods are gang members. */
    public long gangMembers(List<PodShape> pods) {
        return pods.stream().filter(p -> assignment(p.name()).podGroup() != null).count();
    }

    /** The pod of {@link Workload#pod} with its queue label, PodGroup label and {@code spec.priority}. */
    public Pod pod(String namespace, String schedulerName, PodShape shape) {
        Assignment a = assignment(shape.name());
        PodBuilder b = new PodBuilder(Workload.pod(namespace, schedulerName, shape)).editMetadata()
                .addToLabels(QUEUE_LABEL, a.queue()).endMetadata()
                .editSpec().withPriority(a.priority()).endSpec();
        if (a.podGroup() != null) {
            b.editMetadata().addToLabels(POD_GROUP_LABEL, a.podGroup()).endMetadata();
        }
        return b.build();
    }

    /** The Queue objects ({@code scheduling.gantry.io/v1alpha1}, cluster-scoped), as the CRD holds them. */
    public List<Object> queueObjects() {
        List<Object> out = new ArrayList<>();
        for (QueueShape q : queues) {
            Map<String, Object> gpu = new LinkedHashMap<>();
            gpu.put("resource", "gpu");
            gpu.put("guaranteed", q.guaranteedMilli() + "m");
            gpu.put("borrowingLimit", q.borrowingLimitMilli() + "m");
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("weight", 1);
            spec.put("quota", List.of(gpu));
            spec.put("preemption", Map.of("reclaim", q.reclaim(), "withinQueue", q.withinQueue()));
            out.add(object("scheduling.gantry.io/v1alpha1", "Queue", Map.of("name", q.name()), spec));
        }
        return out;
    }

    /** The PodGroup objects ({@code scheduling.x-k8s.io/v1alpha1}) in the pods' namespace. */
    public List<Object> podGroupObjects(String namespace) {
        List<Object> out = new ArrayList<>(gangs.size());
        for (Gang g : gangs) {
            out.add(object("scheduling.x-k8s.io/v1alpha1", "PodGroup", Map.of("name", g.name(), "namespace",
                    namespace), Map.of("minMember", g.minMember())));
        }
        return out;
    }

    private static Map<String, Object> object(String apiVersion, String kind, Map<String, Object> metadata,
            Map<String, Object> spec) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        o.put("metadata", metadata);
        o.put("spec", spec);
        return o;
    }
}
