package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.events;
import static io.gantry.kube.KubeTestSupport.get;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.gantry.kube.metrics.SchedulerMetrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pods that ask something impossible or malformed get told so once, and never hold up the others. */
class BadInputTest extends SandboxTest {

    private List<Event> failures(String pod) {
        return events(client(), pod).stream().filter(e -> "FailedScheduling".equals(e.getReason())).toList();
    }

    private double unschedulableAttempts() {
        return scheduler.metrics().attempts(SchedulerMetrics.Result.UNSCHEDULABLE);
    }

    private void awaitFailure(String pod) {
        await("FailedScheduling for " + pod, Duration.ofSeconds(10), () -> !failures(pod).isEmpty());
    }

    @Test
    void impossibleAndMalformedPodsGetAClearEventAndConditionWhileOthersAreScheduled() throws Exception {
        node("gpu", 8, "V100M32");
        startScheduler();
        create(new PodBuilder(pod("share-above-one", 0, 0)).editSpec().editFirstContainer().editResources()
                .addToLimits("gantry.io/gpu-milli", new io.fabric8.kubernetes.api.model.Quantity("1500"))
                .endResources().endContainer().endSpec().build());
        create(new PodBuilder(pod("share-and-whole", 2, 1000)).editSpec().editFirstContainer().editResources()
                .addToLimits("gantry.io/gpu-milli", new io.fabric8.kubernetes.api.model.Quantity("500"))
                .endResources().endContainer().endSpec().build());
        create(new PodBuilder(pod("garbled-model", 1, 1000)).editMetadata()
                .addToAnnotations("gantry.io/gpu-model", "V100M32,,A100").endMetadata().build());
        create(pod("good", 1, 500));

        awaitBound(client(), "good");
        awaitFailure("share-above-one");
        awaitFailure("share-and-whole");
        awaitFailure("garbled-model");
        assertThat(failures("share-above-one").get(0).getMessage())
                .startsWith("invalid GPU request: gantry.io/gpu-milli is 1500");
        assertThat(failures("share-and-whole").get(0).getMessage()).contains("not both");
        assertThat(failures("garbled-model").get(0).getMessage()).contains("gantry.io/gpu-model='V100M32,,A100'");
        await("condition", Duration.ofSeconds(10), () -> get(client(), "share-above-one").getStatus()
                .getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                        && "False".equals(c.getStatus()) && c.getMessage().contains("gpu-milli is 1500")));

        // Not retried forever, though the backoff is 100 ms here: a pod too big for any node is retried after each
        // cluster change once its backoff has passed; two such rounds go by, and still no new attempt or event comes
        // for the invalid pods.
        create(pod("too-big", 16, 1000));
        await("too-big found unschedulable", Duration.ofSeconds(10), () -> unschedulableAttempts() >= 1);
        for (int round = 1; round <= 2; round++) {
            double before = unschedulableAttempts();
            String label = "round-" + round;
            client().nodes().withName("gpu").edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n)
                    .editMetadata().addToLabels("gantry.test/round", label).endMetadata().build());
            await("too-big retried after cluster change " + round, Duration.ofSeconds(10),
                    () -> unschedulableAttempts() > before);
        }
        assertThat(failures("share-above-one")).hasSize(1);
        assertThat(scheduler.metrics().attempts(SchedulerMetrics.Result.INVALID)).isEqualTo(3.0);
        for (String bad : List.of("share-above-one", "share-and-whole", "garbled-model")) {
            assertThat(nodeOf(client(), bad)).isNull();
        }
    }

    @Test
    void fixingTheAnnotationLetsThePodBeScheduled() {
        node("gpu", 8, "V100M32");
        startScheduler();
        create(new PodBuilder(pod("fixme", 1, 1000)).editMetadata()
                .addToAnnotations("gantry.io/gpu-model", "V100M32|").endMetadata().build());
        awaitFailure("fixme");
        client().pods().inNamespace(NS).withName("fixme").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"gantry.io/gpu-model\":\"V100M32\"}}}");
        assertThat(awaitBound(client(), "fixme").getSpec().getNodeName()).isEqualTo("gpu");
    }

    @Test
    void aBoundPodWithAnUnreadableGpuAnnotationIsChargedConservatively() {
        node("gpu", 2, "T4");
        create(new PodBuilder(pod("legacy", 2, 1000)).editMetadata().addToAnnotations("gantry.io/gpu-ids", "zero")
                .endMetadata().editSpec().withNodeName("gpu").endSpec().build());
        startScheduler();
        create(pod("new", 1, 100));
        awaitFailure("new");
        assertThat(failures("new").get(0).getMessage()).isEqualTo("0/1 nodes are available: 1 Insufficient gantry.io/gpu-milli."
                + KubeTestSupport.NO_VICTIMS);
    }
}
