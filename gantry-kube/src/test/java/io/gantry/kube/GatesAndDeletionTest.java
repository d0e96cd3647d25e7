package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.get;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.gantry.kube.scheduling.ExplainReport;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pods held by scheduling gates wait, unbound, until the gates go; pods being deleted are never bound. */
class GatesAndDeletionTest extends SandboxTest {

    private static Optional<PodCondition> podScheduled(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? Optional.empty()
                : pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst();
    }

    private ExplainReport explain(String name) throws Exception {
        return scheduler.loop().call(v -> v.explain(NS, name)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aGatedPodIsHeldWithSchedulingGatedAndScheduledOnceItsGatesAreRemoved() throws Exception {
        node("gpu-a", 2, "A100");
        startScheduler();
        create(new PodBuilder(pod("gated", 1, 1000)).editSpec().addNewSchedulingGate().withName("kueue.x-k8s.io/admission")
                .endSchedulingGate().addNewSchedulingGate().withName("example.com/quota").endSchedulingGate().endSpec()
                .build());
        await("PodScheduled=False SchedulingGated", Duration.ofSeconds(10), () -> podScheduled(get(client(), "gated"))
                .filter(c -> "False".equals(c.getStatus()) && "SchedulingGated".equals(c.getReason())
                        && "Scheduling is blocked due to non-empty scheduling gates".equals(c.getMessage()))
                .isPresent());
        // An ungated pod created after it is bound: the loop has gone past the gated one without binding it.
        create(pod("later", 1, 1000));
        awaitBound(client(), "later");
        assertThat(nodeOf(client(), "gated")).isNull();
        ExplainReport report = explain("gated");
        assertThat(report.status()).isEqualTo("gated");
        assertThat(report.message()).isEqualTo("waiting for scheduling gates: [kueue.x-k8s.io/admission example.com/quota]");
        assertThat(sandbox.dispatcher().bindCount(NS, "gated")).isZero();

        client().pods().inNamespace(NS).withName("gated").edit(p -> new PodBuilder(p).editSpec()
                .withSchedulingGates().endSpec().build());
        Pod bound = awaitBound(client(), "gated");
        assertThat(bound.getSpec().getNodeName()).isEqualTo("gpu-a");
        assertThat(podScheduled(bound)).get().extracting(PodCondition::getStatus).isEqualTo("True");
        assertThat(sandbox.dispatcher().bindCount(NS, "gated")).isEqualTo(1);
    }

    /** A pod held by a finalizer while it is deleted: the API server keeps it, with a deletionTimestamp. */
    private void deleting(String name) {
        create(new PodBuilder(pod(name, 1, 1000)).editMetadata().addToFinalizers("example.com/keep").endMetadata()
                .build());
        client().pods().inNamespace(NS).withName(name).delete();
        assertThat(get(client(), name).getMetadata().getDeletionTimestamp()).isNotNull();
    }

    @Test
    void aPodDeletedWhileWaitingLeavesTheQueue() throws Exception {
        node("gpu-a", 1, "A100");
        startScheduler();
        create(pod("holder", 1, 1000));
        awaitBound(client(), "holder");
        create(new PodBuilder(pod("waiting", 1, 1000)).editMetadata().addToFinalizers("example.com/keep")
                .endMetadata().build());
        await("waiting is pending", Duration.ofSeconds(10), () -> {
            try {
                return "pending".equals(explain("waiting").status());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        client().pods().inNamespace(NS).withName("waiting").delete();
        await("waiting left the queue", Duration.ofSeconds(10), () -> {
            try {
                return "unknown".equals(explain("waiting").status());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        client().pods().inNamespace(NS).withName("holder").delete();
        create(pod("next", 1, 1000));
        assertThat(awaitBound(client(), "next").getSpec().getNodeName()).isEqualTo("gpu-a");
        assertThat(nodeOf(client(), "waiting")).isNull();
    }

    @Test
    void aPodBeingDeletedIsNeverBoundAndLeavesTheQueue() throws Exception {
        node("gpu-a", 1, "A100");
        deleting("dying");
        startScheduler();
        create(pod("alive", 1, 1000));
        // "dying" is older and would get the only GPU first if it were scheduled.
        assertThat(awaitBound(client(), "alive").getSpec().getNodeName()).isEqualTo("gpu-a");
        assertThat(nodeOf(client(), "dying")).isNull();
        assertThat(sandbox.dispatcher().bindCount(NS, "dying")).isZero();
        assertThat(explain("dying").status()).isEqualTo("unknown");
    }

    @Test
    void theSandboxRefusesToBindGatedOrDeletingPodsAsTheApiServerDoes() {
        node("gpu-a", 1, "A100");
        create(new PodBuilder(pod("g", 1, 1000)).editSpec().addNewSchedulingGate().withName("x").endSchedulingGate()
                .endSpec().build());
        deleting("d");
        var api = new io.gantry.kube.scheduling.KubeApi(client(), "gantry");
        var allocation = new io.gantry.engine.GpuAllocation("team-a/g", "gpu-a", 0, 0, java.util.List.of(0), 1000);
        var gated = api.bind(NS, "g", get(client(), "g").getMetadata().getUid(), allocation);
        assertThat(gated.code()).isEqualTo(409);
        assertThat(gated.message()).isEqualTo(
                "Operation cannot be fulfilled on pods/binding \"g\": pod g has non-empty .spec.schedulingGates");
        var deleting = api.bind(NS, "d", get(client(), "d").getMetadata().getUid(), allocation);
        assertThat(deleting.code()).isEqualTo(409);
        assertThat(deleting.message()).isEqualTo(
                "Operation cannot be fulfilled on pods/binding \"d\": pod d is being deleted, cannot be assigned to a host");
        assertThat(get(client(), "g").getMetadata().getAnnotations()).doesNotContainKey("gantry.io/gpu-ids");
        assertThat(nodeOf(client(), "g")).isNull();
        assertThat(nodeOf(client(), "d")).isNull();
    }
}
