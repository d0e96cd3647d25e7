package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.tenancy.QueueLedger;
import io.gantry.engine.tenancy.QueueTree;
import io.gantry.engine.tenancy.QuotaLimit;
import io.gantry.engine.tenancy.QuotaResource;
import io.gantry.engine.tenancy.Tenancy;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.kube.model.PodDemand;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps every Queue object's {@code status} current, as the CRD's printer columns read it ({@code status.gpu}:
 * guaranteed, allocated, borrowed, pending GPUs as quantities; per-resource use; pending and admitted pods; a
 * {@code Valid} condition that says why a queue is not in force). Coalesced: at most once per period, and only the
 * queues whose status changed since last written; only the leader writes. Computed on the loop thread, written on a
 * worker.
 */
final class QueueStatusWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TenantObjects tenants;
    private final DerivedEngine engine;
    private final SchedulingQueue queue;
    /** Writes one queue's status (its name, the status object as JSON). */
    private final BiConsumer<String, String> write;
    /** What was last written per queue, without timestamps, so an unchanged status is not written again. */
    private final CoalescedWrites writes;
    /** When each queue's Valid condition last changed. */
    private final Map<String, String[]> transitions = new HashMap<>();

    QueueStatusWriter(TenantObjects tenants, DerivedEngine engine, SchedulingQueue queue,
            BiConsumer<String, String> write, CoalescedWrites writes) {
        this.tenants = requireNonNull(tenants, "tenants");
        this.engine = requireNonNull(engine, "engine");
        this.queue = requireNonNull(queue, "queue");
        this.write = requireNonNull(write, "write");
        this.writes = requireNonNull(writes, "writes");
    }

    /** Writes the statuses that changed, if a period has passed; a follower writes nothing and forgets. */
    void publishIfDue(long now, boolean leader) {
        if (!writes.due(now, leader)) {
            return;
        }
        Tenancy tenancy = engine.tenancy().orElse(null);
        if (tenancy == null) {
            return;
        }
        QueueTree tree = tenancy.tree();
        long[] pendingPods = new long[tree.size()];
        long[] pendingGpu = new long[tree.size()];
        for (SchedulingQueue.Entry e : queue.entries()) {
            if (e.demand instanceof PodDemand.Valid v && e.state() != SchedulingQueue.State.BINDING) {
                int q = tree.indexOf(TenancyKeys.queueOf(v.request()));
                if (q >= 0) {
                    for (int a : tree.path(q)) {
                        pendingPods[a]++;
                        pendingGpu[a] += v.request().totalGpuMilli();
                    }
                }
            }
        }
        writes.retain(tenants.queueObjects().keySet());
        for (TenantObjects.QueueEntry entry : tenants.queueObjects().values()) {
            int q = tree.indexOf(entry.name());
            ObjectNode status = JSON.createObjectNode();
            String problem = entry.problem() != null ? entry.problem()
                    : q < 0 ? "not in force: " + tenants.treeProblem() : null;
            if (q >= 0) {
                fill(status, tree, tenancy.ledger(), q, pendingPods[q], pendingGpu[q]);
            }
            String reason = problem == null ? "InForce" : entry.problem() != null ? "InvalidSpec" : "NotInForce";
            String message = problem == null ? "the queue is in force" : problem;
            String[] t = transitions.get(entry.name());
            if (t == null || !t[0].equals(reason)) {
                t = new String[] {reason, DateTimeFormatter.ISO_INSTANT.format(Instant.now()
                        .truncatedTo(ChronoUnit.SECONDS))};
                transitions.put(entry.name(), t);
            }
            status.putArray("conditions").addObject().put("type", "Valid")
                    .put("status", problem == null ? "True" : "False").put("reason", reason).put("message", message)
                    .put("lastTransitionTime", t[1]);
            String name = entry.name();
            String body = status.toString();
            writes.offer(name, body, () -> write.accept(name, body));
        }
    }

    private static void fill(ObjectNode status, QueueTree tree, QueueLedger ledger, int q, long pendingPods,
            long pendingGpu) {
        ObjectNode gpu = status.putObject("gpu");
        gpu.put("guaranteed", milli(tree.guaranteed(q, QueueTree.GPU)))
                .put("allocated", milli(ledger.used(q, QueueTree.GPU)))
                .put("borrowed", milli(ledger.borrowed(q, QueueTree.GPU)))
                .put("pending", milli(pendingGpu));
        var resources = status.putArray("resources");
        for (QuotaLimit limit : tree.spec(q).quota()) {
            int r = tree.resourceIndex(limit.resource());
            ObjectNode res = resources.addObject().put("resource", limit.resource().kind().wire());
            if (!limit.resource().model().isEmpty()) {
                res.put("model", limit.resource().model());
            }
            boolean memory = limit.resource().kind() == QuotaResource.Kind.MEMORY;
            res.put("guaranteed", memory ? mebi(limit.guaranteed()) : milli(limit.guaranteed()))
                    .put("allocated", memory ? mebi(ledger.used(q, r)) : milli(ledger.used(q, r)))
                    .put("borrowed", memory ? mebi(ledger.borrowed(q, r)) : milli(ledger.borrowed(q, r)));
        }
        status.put("pendingPods", pendingPods).put("admittedPods", ledger.admitted(q));
    }

    /** Milli-units as a Kubernetes quantity: {@code 16} for 16000, {@code 7500m} otherwise. */
    static String milli(long amount) {
        return amount % 1000 == 0 ? Long.toString(amount / 1000) : amount + "m";
    }

    /** MiB as a Kubernetes quantity: {@code 1Ti}, {@code 64Gi} or {@code 512Mi}. */
    static String mebi(long mib) {
        if (mib != 0 && mib % (1L << 20) == 0) {
            return (mib >> 20) + "Ti";
        }
        return mib != 0 && mib % 1024 == 0 ? (mib >> 10) + "Gi" : mib + "Mi";
    }

}
