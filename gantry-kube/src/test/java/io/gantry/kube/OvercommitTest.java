package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.events;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.kube.sandbox.KubeSandbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pods bound past Gantry that hold more GPUs than a node has are reported, not silently counted "3 of 2". */
class OvercommitTest extends SandboxTest {

    private List<Event> nodeEvents(String node) {
        return client().v1().events().inAnyNamespace().list().getItems().stream()
                .filter(e -> "Node".equals(e.getInvolvedObject().getKind())
                        && node.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    @Test
    void podsBoundByHandBeyondTheNodesGpusGiveAWarningOnTheNodeAndAMetric() {
        node("gpu-a", 2, "A100");
        for (int i = 0; i < 3; i++) {
            create(new PodBuilder(KubeSandbox.gpuPod(NS, "by-hand-" + i, "default-scheduler", 1, 1000, 100, 100))
                    .editSpec().withNodeName("gpu-a").endSpec().build());
        }
        startScheduler();
        await("Warning on gpu-a", Duration.ofSeconds(10), () -> !nodeEvents("gpu-a").isEmpty());
        assertThat(nodeEvents("gpu-a")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("GPUOvercommitted");
            assertThat(e.getMessage()).startsWith("GPUs over-committed: pods bound to gpu-a hold 3 GPUs of its 2 ("
                    + "GPUs not recorded for team-a/by-hand-0, team-a/by-hand-1, team-a/by-hand-2)");
        });
        await("metric", Duration.ofSeconds(5), () -> scheduler.metrics().scrape()
                .contains("gantry_node_gpu_overcommitted{model=\"A100\",node=\"gpu-a\"} 1.0"));
        assertThat(scheduler.metrics().scrape()).contains("gantry_node_gpus_allocated{model=\"A100\",node=\"gpu-a\"} 2.0");

        // Nothing more lands there; once one by-hand pod goes, the node is back to 2 of 2, still full.
        create(pod("mine", 1, 1000));
        await("mine unschedulable", Duration.ofSeconds(10), () -> events(client(), "mine").stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        client().pods().inNamespace(NS).withName("by-hand-0").delete();
        await("metric back to 0", Duration.ofSeconds(10), () -> scheduler.metrics().scrape()
                .contains("gantry_node_gpu_overcommitted{model=\"A100\",node=\"gpu-a\"} 0.0"));
        assertThat(nodeOf(client(), "mine")).isNull();
    }

    @Test
    void twoPodsAnnotatedWithTheSameGpuAreNamedInTheWarning() {
        node("gpu-a", 2, "A100");
        for (String name : List.of("x", "y")) {
            create(new PodBuilder(KubeSandbox.gpuPod(NS, name, "default-scheduler", 1, 1000, 100, 100)).editMetadata()
                    .addToAnnotations("gantry.io/gpu-ids", "1").addToAnnotations("gantry.io/gpu-milli", "1000")
                    .endMetadata().editSpec().withNodeName("gpu-a").endSpec().build());
        }
        startScheduler();
        await("Warning on gpu-a", Duration.ofSeconds(10), () -> !nodeEvents("gpu-a").isEmpty());
        assertThat(nodeEvents("gpu-a").get(0).getMessage()).contains("GPU 1 held 2000/1000 by team-a/x, team-a/y");
    }
}
