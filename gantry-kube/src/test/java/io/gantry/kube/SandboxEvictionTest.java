package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kube.scheduling.KubeApi;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sandbox answers the Eviction API as the API server does, so the preemption tests mean something. */
class SandboxEvictionTest extends SandboxTest {

    private void boundPod(String name, long grace) {
        create(new PodBuilder(pod(name, 1, 1000)).editMetadata().addToLabels("app", "x").endMetadata().editSpec()
                .withNodeName("gpu").withTerminationGracePeriodSeconds(grace).endSpec().build());
    }

    @Test
    void anEvictionDeletesThePodAfterItsGracePeriodAndABudgetCanRefuseIt() {
        KubernetesClient c = client();
        KubeApi api = new KubeApi(c, "gantry");
        boundPod("a", 1);
        boundPod("b", 1);
        c.policy().v1().podDisruptionBudget().inNamespace(NS).resource(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName("x").withNamespace(NS).endMetadata().withNewSpec()
                .withMinAvailable(new IntOrString(1)).withNewSelector().withMatchLabels(Map.of("app", "x"))
                .endSelector().endSpec().build()).create();

        assertThat(api.evict(NS, "a", "", true).outcome()).isEqualTo(KubeApi.EvictOutcome.EVICTED);
        assertThat(KubeTestSupport.get(c, "a").getMetadata().getDeletionTimestamp()).as("a dry run").isNull();
        assertThat(api.evict(NS, "a", "not-its-uid", false).outcome()).isEqualTo(KubeApi.EvictOutcome.GONE);
        assertThat(api.evict(NS, "a", KubeTestSupport.get(c, "a").getMetadata().getUid(), false).outcome())
                .isEqualTo(KubeApi.EvictOutcome.EVICTED);
        var terminating = KubeTestSupport.get(c, "a");
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(1L);
        var refused = api.evict(NS, "b", "", false);
        assertThat(refused.outcome()).as("b is the last healthy pod the budget keeps").isEqualTo(
                KubeApi.EvictOutcome.BLOCKED);
        assertThat(refused.code()).isEqualTo(429);
        await("a is deleted once its grace period passed", Duration.ofSeconds(10),
                () -> KubeTestSupport.get(c, "a") == null);
        assertThat(api.evict(NS, "a", "", false).outcome()).isEqualTo(KubeApi.EvictOutcome.GONE);
        assertThat(sandbox.dispatcher().evictionCount(NS, "a")).isEqualTo(1);
    }
}
