package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.awaitBound;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** A restarted scheduler rebuilds its state from the API and never hands out a GPU share twice. */
class RestartTest extends SandboxTest {

    @Test
    void aRestartedSchedulerSeesTheSharesAlreadyHandedOut() {
        node("gpu", 2, "A100");
        startScheduler();
        for (int i = 0; i < 3; i++) {
            create(pod("before-" + i, 1, 600));
        }
        for (int i = 0; i < 2; i++) {
            awaitBound(client(), "before-" + i);
        }
        scheduler.close();
        scheduler = null;

        scheduler = KubeTestSupport.restart(client(), KubeTestSupport.config());
        create(pod("after", 1, 400));
        assertThat(awaitBound(client(), "after").getSpec().getNodeName()).isEqualTo("gpu");
        GpuLedger ledger = GpuLedger.read(client());
        assertThat(ledger.problems).isEmpty();
        assertThat(ledger.used.get("gpu")).containsExactlyInAnyOrder(1000, 600);
    }

    @Test
    void podsSeenBeforeTheirNodeAreChargedWhenTheNodeAppears() {
        // A pod bound to "gpu" holding GPU 0 whole, listed before the node exists.
        create(new PodBuilder(pod("early", 1, 1000)).editMetadata().addToAnnotations("gantry.io/gpu-ids", "0")
                .addToAnnotations("gantry.io/gpu-milli", "1000").endMetadata().editSpec().withNodeName("gpu")
                .endSpec().build());
        startScheduler();
        node("gpu", 2, "A100");
        create(pod("late", 1, 1000));
        var late = awaitBound(client(), "late");
        KubeTestSupport.assertAnnotated(late, "1", "1000");
    }

    @Test
    void podsSurviveTheirNodeLeavingAndComingBack() {
        node("gpu", 1, "A100");
        startScheduler();
        create(pod("holder", 1, 1000));
        awaitBound(client(), "holder");
        var saved = client().nodes().withName("gpu").get();
        client().nodes().withName("gpu").delete();
        KubeTestSupport.await("node gone from the scheduler", java.time.Duration.ofSeconds(5), () -> {
            try {
                return !scheduler.loop().call(v -> v.hasNode("gpu")).get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        client().nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder(saved).editMetadata()
                .withResourceVersion(null).withUid(null).endMetadata().build()).create();
        create(pod("contender", 1, 1000));
        KubeTestSupport.await("contender found unschedulable", java.time.Duration.ofSeconds(10), () ->
                KubeTestSupport.events(client(), "contender").stream()
                        .anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        assertThat(KubeTestSupport.nodeOf(client(), "contender")).isNull();
    }
}
