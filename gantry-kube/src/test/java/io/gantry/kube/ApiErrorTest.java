package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.kube.metrics.SchedulerMetrics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An API error never loses a pod or leaks a GPU: the assumption is given back and the pod retried. */
class ApiErrorTest extends SandboxTest {

    @Test
    void aFailedBindIsRetriedAndTheGpuIsNotLeaked() throws Exception {
        node("one-gpu", 1, "A100");
        // fabric8's HTTP client itself retries 5xx answers; a 403 (say, RBAC not yet granted) reaches the scheduler.
        sandbox.dispatcher().failNext("POST", ".*/pods/first/binding", 403, 2);
        startScheduler();
        create(pod("first", 1, 1000));
        assertThat(awaitBound(client(), "first").getSpec().getNodeName()).isEqualTo("one-gpu");
        assertThat(sandbox.dispatcher().bindCount(NS, "first")).isEqualTo(1);
        assertThat(scheduler.metrics().attempts(SchedulerMetrics.Result.ERROR)).isEqualTo(2.0);
        assertThat(KubeTestSupport.events(client(), "first"))
                .anySatisfy(e -> assertThat(e.getMessage()).contains("binding to one-gpu failed (HTTP 403)"));

        // The GPU is held once, by "first": after it goes, "second" gets it.
        create(pod("second", 1, 1000));
        client().pods().inNamespace(NS).withName("first").delete();
        assertThat(awaitBound(client(), "second").getSpec().getNodeName()).isEqualTo("one-gpu");
        assertThat(scheduler.loop().awaitBinds(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aFailedBindLeavesNoGpuDecisionOnThePodAndTheRetryWritesItWithTheBind() {
        node("gpu", 2, "A100");
        sandbox.dispatcher().failNext("POST", ".*/pods/p/binding", 403, 1);
        startScheduler();
        create(pod("p", 2, 1000));
        await("the refused bind reported", Duration.ofSeconds(20), () -> scheduler.metrics()
                .attempts(SchedulerMetrics.Result.ERROR) >= 1.0);
        // The decision travels on the Binding only: the refused one wrote nothing on the pod.
        Pod refused = KubeTestSupport.get(client(), "p");
        if (refused.getSpec().getNodeName() == null) {
            assertThat(refused.getMetadata().getAnnotations()).doesNotContainKeys("gantry.io/gpu-ids",
                    "gantry.io/gpu-milli");
        }
        var bound = awaitBound(client(), "p");
        assertThat(bound.getMetadata().getAnnotations().get("gantry.io/gpu-ids")).isIn("0,1", "1,0");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-milli", "1000");
        assertThat(sandbox.dispatcher().bindCount(NS, "p")).isEqualTo(1);
        // One request per bind: no PATCH of the pod at all.
        assertThat(sandbox.dispatcher().podPatches()).isZero();
    }

    @Test
    void aPodThatIsNeverBoundNeverCarriesAGpuDecision() {
        node("gpu", 2, "A100");
        sandbox.dispatcher().failNext("POST", ".*/pods/p/binding", 403, 1000);
        startScheduler();
        create(pod("p", 1, 500));
        await("three refused binds", Duration.ofSeconds(20), () -> scheduler.metrics()
                .attempts(SchedulerMetrics.Result.ERROR) >= 3.0);
        Pod pod = KubeTestSupport.get(client(), "p");
        assertThat(pod.getSpec().getNodeName()).isNull();
        assertThat(pod.getMetadata().getAnnotations()).doesNotContainKeys("gantry.io/gpu-ids", "gantry.io/gpu-milli");
    }
}
