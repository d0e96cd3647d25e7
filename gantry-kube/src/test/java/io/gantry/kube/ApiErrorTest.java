package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static org.assertj.core.api.Assertions.assertThat;

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
    void aFailedAnnotationWriteIsRetriedBeforeAnyBind() {
        node("gpu", 2, "A100");
        sandbox.dispatcher().failNext("PATCH", "/api/v1/namespaces/team-a/pods/p", 403, 1);
        startScheduler();
        create(pod("p", 2, 1000));
        var bound = awaitBound(client(), "p");
        KubeTestSupport.assertAnnotated(bound, bound.getMetadata().getAnnotations().get("gantry.io/gpu-ids"), "1000");
        assertThat(bound.getMetadata().getAnnotations().get("gantry.io/gpu-ids")).isIn("0,1", "1,0");
        assertThat(sandbox.dispatcher().bindCount(NS, "p")).isEqualTo(1);
    }
}
