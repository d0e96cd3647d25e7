package io.gantry.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.health.HealthTracker;
import io.gantry.agent.testing.TestGpus;
import io.gantry.gpu.GpuDevice;
import io.gantry.kube.sandbox.KubeSandbox;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class NodeHealthPublisherTest {

    private static void await(Supplier<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(condition::get);
    }

    @Test
    void theNodeAnnotationFollowsHealthAndAFailedWriteIsRetried() throws Exception {
        List<GpuDevice> gpus = TestGpus.inventory(4).devices();
        HealthTracker health = new HealthTracker(gpus.stream().map(GpuDevice::uuid).toList(), Duration.ZERO,
                Clock.systemUTC());
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            // The first write is answered 404, as for a node that does not exist yet: it fails and is retried.
            sandbox.client().nodes().resource(KubeSandbox.gpuNode("gpu-node-1", 4, "A100", 64, 256)).create();
            sandbox.dispatcher().failNext("PATCH", "/api/v1/nodes/gpu-node-1.*", 404, 1);
            try (NodeHealthPublisher publisher = NodeHealthPublisher.start(sandbox.client(), "gpu-node-1", gpus, health,
                    Duration.ofMillis(100))) {
                await(() -> "".equals(annotation(sandbox)));

                health.reportError(TestGpus.uuid(3), "Xid 79");
                health.reportError(TestGpus.uuid(1), "Xid 79");
                await(() -> "1,3".equals(annotation(sandbox)));
                assertThat(publisher.published()).isEqualTo("1,3");
            }
        }
    }

    private static String annotation(KubeSandbox sandbox) {
        var node = sandbox.client().nodes().withName("gpu-node-1").get();
        return node == null || node.getMetadata().getAnnotations() == null ? null
                : node.getMetadata().getAnnotations().get("gantry.io/gpu-unhealthy");
    }
}
