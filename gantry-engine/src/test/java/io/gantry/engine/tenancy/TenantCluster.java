package io.gantry.engine.tenancy;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.Policy;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.TargetWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** A small cluster with a tenancy policy on the best-fit profile, and pods made for queues and gangs. */
final class TenantCluster {

    final ClusterState state = new ClusterState();
    final Tenancy tenancy;
    final Scheduler scheduler;
    final AtomicLong nanos = new AtomicLong();

    TenantCluster(Tenancy.Mode mode, List<QueueSpec> queues, int nodes, int gpusPerNode) {
        this(mode, queues, java.util.stream.IntStream.range(0, nodes).mapToObj(i -> NodeSpec.of("n" + i, 64_000,
                256_000, gpusPerNode, i % 2 == 0 ? "A100" : "H100")).toList());
    }

    TenantCluster(Tenancy.Mode mode, List<QueueSpec> queues, List<NodeSpec> nodes) {
        for (NodeSpec node : nodes) {
            state.addNode(node);
        }
        tenancy = Tenancy.create(mode, queues, state, nanos::get);
        scheduler = new Scheduler(state, tenancy.apply(Policy.BESTFIT.profile(ScoringMode.PAPER,
                TargetWorkload.of(List.of()), new SplittableRandom(1))), nanos::get);
    }

    static QueueSpec queue(String name, String parent, int weight, long gpus, long borrow, long lend) {
        return new QueueSpec(name, parent, weight, List.of(new QuotaLimit(QuotaResource.GPU, gpus * 1000,
                borrow == QuotaLimit.UNLIMITED ? borrow : borrow * 1000, lend == QuotaLimit.UNLIMITED ? lend
                        : lend * 1000)), ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY, WithinQueuePolicy.LOWER_PRIORITY);
    }

    static PodRequest pod(String name, String queue, int gpus, int priority) {
        return PodRequest.of(name, 1000, 1000, gpus, gpus == 0 ? 0 : 1000).withPriority(priority)
                .withAttribute(TenancyKeys.QUEUE, queue);
    }

    static PodRequest member(String name, String queue, int gpus, GangSpec gang) {
        return pod(name, queue, gpus, 0).withAttribute(TenancyKeys.GANG, gang);
    }

    /** Schedules the pod; a placed or held pod stays, anything else is only returned. */
    ScheduleResult schedule(PodRequest pod) {
        return scheduler.schedule(pod);
    }

    /** Schedules the pods in order and returns the names that were placed outright. */
    List<String> placeAll(PodRequest... pods) {
        List<String> placed = new ArrayList<>();
        for (PodRequest p : pods) {
            if (scheduler.schedule(p).isScheduled()) {
                placed.add(p.name());
            }
        }
        return placed;
    }

    long used(String queue) {
        return tenancy.ledger().used(tenancy.tree().indexOf(queue), QueueTree.GPU);
    }
}
