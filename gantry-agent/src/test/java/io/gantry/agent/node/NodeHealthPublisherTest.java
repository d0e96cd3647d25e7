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
import org.junit.jupiter.api.Test;

class NodeHealthPublisherTest {

    private static void await(Supplier<Boolean> condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theNodeAnnotationFollowsHealthAndAFailedWriteIsRetried() throws Exception {
        List<GpuDevice> gpus = TestGpus.inventory(4).devices();
        HealthTracker health = new HealthTracker(gpus.stream().map(GpuDevice::uuid).toList(), Duration.ZERO,
                Clock.systemUTC());
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            // The node appears only after the first attempt: that write fails and is retried.
            try (NodeHealthPublisher publisher = NodeHealthPublisher.start(sandbox.client(), "gpu-node-1", gpus, health,
                    Duration.ofMillis(100))) {
                Thread.sleep(200);
                sandbox.client().nodes().resource(KubeSandbox.gpuNode("gpu-node-1", 4, "A100", 64, 256)).create();
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
