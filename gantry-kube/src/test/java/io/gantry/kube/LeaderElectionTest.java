package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.metrics.SchedulerMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two instances on one Lease: only the leader binds, each pod exactly once, and the standby takes over. */
class LeaderElectionTest extends SandboxTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    private static SchedulerConfig electing() {
        return KubeTestSupport.config().withLeaderElection(new SchedulerConfig.LeaderElection(true,
                "gantry-scheduler", "gantry-system", LEASE, Duration.ofMillis(1500), Duration.ofMillis(200)));
    }

    private static GantryScheduler instance(KubernetesClient client, String identity, AtomicInteger lost) {
        return GantryScheduler.start(client, electing(),
                new GantryScheduler.Options(false, identity, "default", lost::incrementAndGet));
    }

    /** Instance a, leading, and instance b on standby, each with its own client; closed in reverse order. */
    private final class TwoInstances implements AutoCloseable {
        final AtomicInteger lostA = new AtomicInteger();
        final KubernetesClient clientA = sandbox.newClient();
        final KubernetesClient clientB = sandbox.newClient();
        final GantryScheduler a;
        final GantryScheduler b;

        TwoInstances() {
            a = instance(clientA, "sched-a", lostA);
            await("a leads", Duration.ofSeconds(10), () -> "sched-a".equals(holder()));
            b = instance(clientB, "sched-b", new AtomicInteger());
            await("b synced", Duration.ofSeconds(10), () -> b.loop().isSynced());
        }

        @Override
        public void close() {
            b.close();
            a.close();
            clientA.close();
            clientB.close();
        }
    }

    /** How the instance's own loop explains the pod, asked on that loop. */
    private static String status(GantryScheduler instance, String pod) {
        try {
            return instance.loop().call(view -> view.explain(NS, pod)).get(5, TimeUnit.SECONDS).status();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the loop of the instance did not explain " + pod, e);
        }
    }

    private String holder() {
        var lease = client().leases().inNamespace("gantry-system").withName("gantry-scheduler").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void onlyTheLeaderBindsAndTheStandbyTakesOverWithinTheLease() throws Exception {
        node("gpu-1", 8, "A100");
        node("gpu-2", 8, "A100");
        node("gpu-3", 8, "A100");
        try (TwoInstances two = new TwoInstances()) {
            GantryScheduler a = two.a;
            GantryScheduler b = two.b;
            for (int i = 0; i < 20; i++) {
                create(pod("first-" + i, 1, i % 2 == 0 ? 1000 : 250));
            }
            for (int i = 0; i < 20; i++) {
                awaitBound(client(), "first-" + i);
            }
            assertThat(a.loop().isLeader()).isTrue();
            assertThat(b.loop().isLeader()).isFalse();
            assertThat(b.metrics().attempts(io.gantry.kube.metrics.SchedulerMetrics.Result.SCHEDULED)).isZero();

            long stopped = System.nanoTime();
            a.close();
            await("b leads", LEASE.plusSeconds(3), () -> b.loop().isLeader());
            Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
            assertThat(takeover).isLessThan(LEASE);
            for (int i = 0; i < 10; i++) {
                create(pod("second-" + i, 1, 500));
            }
            for (int i = 0; i < 10; i++) {
                awaitBound(client(), "second-" + i);
            }
            assertThat(sandbox.dispatcher().bindCounts()).hasSize(30).allSatisfy((pod, n) -> assertThat(n)
                    .as(pod).isEqualTo(1));
            assertThat(sandbox.dispatcher().conflicts()).isZero();
            assertThat(GpuLedger.read(client()).problems).isEmpty();
            assertThat(two.lostA.get()).as("a closed on purpose, not a lost lease").isZero();
            assertThat(b.metrics().scrape()).contains("gantry_leader 1.0");
        }
    }

    @Test
    void aStandbyDoesNotWriteEventsForInvalidPodsTheLeaderAlreadyReported() throws Exception {
        node("gpu-1", 8, "A100");
        try (TwoInstances two = new TwoInstances()) {
            create(new io.fabric8.kubernetes.api.model.PodBuilder(pod("bad", 0, 0)).editSpec().editFirstContainer()
                    .editResources().addToLimits("gantry.io/gpu-milli",
                            new io.fabric8.kubernetes.api.model.Quantity("2000")).endResources().endContainer()
                    .endSpec().build());
            await("event", Duration.ofSeconds(10), () -> KubeTestSupport.events(client(), "bad").size() == 1);
            // the standby has applied the pod (it explains it as invalid) and decided, on its loop, not to report
            // it: a report would have been counted as an invalid attempt before the explain ran
            await("the standby has seen the pod", Duration.ofSeconds(10),
                    () -> "invalid".equals(status(two.b, "bad")));
            assertThat(two.b.metrics().attempts(SchedulerMetrics.Result.INVALID)).isZero();
            assertThat(two.a.metrics().attempts(SchedulerMetrics.Result.INVALID)).isEqualTo(1.0);
            assertThat(KubeTestSupport.events(client(), "bad")).hasSize(1);
            assertThat(client().pods().inNamespace(NS).withName("bad").get().getSpec().getNodeName()).isNull();
        }
    }

    @Test
    void aLeaderThatVanishesWithoutReleasingIsReplacedOnceTheLeaseRunsOut() throws Exception {
        node("gpu-1", 8, "A100");
        try (TwoInstances two = new TwoInstances()) {
            GantryScheduler b = two.b;
            long cut = System.nanoTime();
            two.clientA.close(); // a can neither renew nor release: as if its node lost the network
            await("b leads", LEASE.multipliedBy(4), () -> b.loop().isLeader());
            Duration takeover = Duration.ofNanos(System.nanoTime() - cut);
            assertThat(takeover).isLessThan(LEASE.multipliedBy(2));
            create(pod("after", 1, 1000));
            awaitBound(client(), "after");
            assertThat(sandbox.dispatcher().bindCount(NS, "after")).isEqualTo(1);
        }
    }

    @Test
    void aNewLeaderHoldsTheGangAgainBindsItWholeAndTakesOverTheQueueStatus() throws Exception {
        Tenants.twoTeams(client(), "4", null, "4");
        Tenants.apply(client(), Tenants.podGroup(NS, "g", 3, 60));
        node("gpu-1", 8, "A100");
        try (TwoInstances two = new TwoInstances()) {
            for (int i = 0; i < 2; i++) {
                create(Tenants.member(pod("g-" + i, 2, 1000), "team-a", "g", 0));
            }
            create(new io.fabric8.kubernetes.api.model.PodBuilder(Tenants.member(pod("g-2", 2, 1000), "team-a", "g",
                    0)).editSpec().addNewSchedulingGate().withName("example.com/wait").endSchedulingGate().endSpec()
                    .build());
            await("a holds two members", Duration.ofSeconds(10),
                    () -> "waiting".equals(status(two.a, "g-0")) && "waiting".equals(status(two.a, "g-1")));
            assertThat(status(two.b, "g-0")).as("the standby holds nothing").isEqualTo("pending");
            String queueStatus = "/apis/scheduling.gantry.io/v1alpha1/queues/team-a/status";
            int writesByA = sandbox.dispatcher().patches(queueStatus);
            two.a.close();
            await("b leads and holds the members again", LEASE.plusSeconds(10), () -> two.b.loop().isLeader()
                    && "waiting".equals(status(two.b, "g-0")) && "waiting".equals(status(two.b, "g-1")));
            await("b writes team-a's status as it finds it", Duration.ofSeconds(10),
                    () -> sandbox.dispatcher().patches(queueStatus) > writesByA);
            client().pods().inNamespace(NS).withName("g-2").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                    .editSpec().withSchedulingGates(java.util.List.of()).endSpec().build());
            for (int i = 0; i < 3; i++) {
                awaitBound(client(), "g-" + i);
            }
            assertThat(sandbox.dispatcher().bindCounts()).hasSize(3).allSatisfy((pod, n) -> assertThat(n)
                    .as(pod).isEqualTo(1));
        }
    }
}
