package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.events;
import static io.gantry.kube.KubeTestSupport.get;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.kube.scheduling.ExplainReport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A constraint Gantry does not check is reported on the pod, never silently ignored. */
class UnsupportedConstraintsReportTest extends SandboxTest {

    private Pod claiming(String name) {
        return new PodBuilder(pod(name, 1, 1000)).editSpec().addNewResourceClaim().withName("gpu")
                .withResourceClaimName("a-claim").endResourceClaim().endSpec().build();
    }

    @Test
    void podsWithResourceClaimsAreHeldWithFailedSchedulingAndTheCondition() throws Exception {
        node("gpu-a", 8, "A100");
        startScheduler();
        create(claiming("t0"));
        create(claiming("t1"));
        create(pod("plain", 1, 1000));
        awaitBound(client(), "plain");
        String expected = "Gantry does not support resource claims (dynamic resource allocation) yet; the pod is not "
                + "bound, since "
                + "binding it could break them. Remove them, or leave the pod to a scheduler that checks them";
        for (String name : new String[] {"t0", "t1"}) {
            await(name + " FailedScheduling", Duration.ofSeconds(10), () -> events(client(), name).stream()
                    .anyMatch(e -> "FailedScheduling".equals(e.getReason()) && expected.equals(e.getMessage())));
            await(name + " PodScheduled=False", Duration.ofSeconds(10), () -> get(client(), name).getStatus()
                    .getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                            && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())
                            && expected.equals(c.getMessage())));
            assertThat(nodeOf(client(), name)).isNull();
        }
        ExplainReport report = scheduler.loop().call(v -> v.explain(NS, "t0")).get(10, TimeUnit.SECONDS);
        assertThat(report.status()).isEqualTo("unsupported");
        assertThat(report.message()).isEqualTo(expected);
        assertThat(sandbox.dispatcher().bindCount(NS, "t0") + sandbox.dispatcher().bindCount(NS, "t1")).isZero();
    }

    @Test
    void aPodWithPreferencesGantryDoesNotHonourIsBoundWithAWarning() {
        node("gpu-a", 8, "A100");
        startScheduler();
        create(new PodBuilder(pod("prefers", 1, 1000)).editSpec().withNewAffinity().withNewNodeAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(1).withNewPreference()
                .endPreference().endPreferredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .editFirstContainer().editResources().addToRequests("ephemeral-storage",
                        new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endContainer()
                .endSpec().build());
        awaitBound(client(), "prefers");
        String ignored = "bound without honouring preferred node affinity, ephemeral-storage requests: Gantry does "
                + "not support them yet";
        await("Warning UnsupportedConstraints", Duration.ofSeconds(10), () -> events(client(), "prefers").stream()
                .anyMatch(e -> "UnsupportedConstraints".equals(e.getReason())));
        assertThat(events(client(), "prefers")).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).isEqualTo(ignored);
        });
        await("condition gantry.io/PreferencesHonoured=False", Duration.ofSeconds(10), () -> get(client(), "prefers")
                .getStatus().getConditions().stream().anyMatch(c -> "gantry.io/PreferencesHonoured".equals(c.getType())
                        && "False".equals(c.getStatus()) && "Unsupported".equals(c.getReason())
                        && ignored.equals(c.getMessage())));
        // the API server's PodScheduled=True from the bind is kept
        assertThat(get(client(), "prefers").getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("PodScheduled");
            assertThat(c.getStatus()).isEqualTo("True");
        });
    }
}
