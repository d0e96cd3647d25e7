package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Queue status as `kubectl get queues` shows it: kept current, coalesced, and the reason for a bad queue. */
class QueueStatusTest extends SandboxTest {

    @BeforeEach
    void queues() {
        Tenants.twoTeams(client(), "4", "2", "3500m");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource q) {
        Object s = q == null ? null : q.getAdditionalProperties().get("status");
        return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> gpu(String queue) {
        Object g = status(Tenants.queueObject(client(), queue)).get("gpu");
        return g instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private Object field(String queue, String name) {
        return status(Tenants.queueObject(client(), queue)).get(name);
    }

    @Test
    void theStatusColumnsShowQuotaUseBorrowingPendingAndAdmitted() {
        node("gpu", 8, "A100");
        startScheduler();
        List<String> names = IntStream.range(0, 7).mapToObj(i -> "a-" + i).toList();
        names.forEach(n -> create(Tenants.member(pod(n, 1, 1000), "team-a", null, 0)));
        await("six bound", Duration.ofSeconds(20), () -> names.stream().filter(n -> nodeOf(client(), n) != null)
                .count() == 6);
        await("team-a's status shows 4 guaranteed, 6 used, 2 borrowed, 1 pending", Duration.ofSeconds(10),
                () -> gpu("team-a").equals(Map.of("guaranteed", "4", "allocated", "6", "borrowed", "2",
                        "pending", "1")) && Integer.valueOf(1).equals(field("team-a", "pendingPods"))
                        && Integer.valueOf(6).equals(field("team-a", "admittedPods")));
        await("the parent counts its children's pods", Duration.ofSeconds(10),
                () -> gpu("research").get("allocated").equals("6")
                        && Integer.valueOf(6).equals(field("research", "admittedPods")));
        assertThat(gpu("team-b")).containsEntry("guaranteed", "3500m").containsEntry("allocated", "0");
        @SuppressWarnings("unchecked")
        Map<String, Object> valid = ((List<Map<String, Object>>) field("team-a", "conditions")).get(0);
        assertThat(valid).containsEntry("type", "Valid").containsEntry("status", "True")
                .containsEntry("reason", "InForce");
        // coalesced: a status is written only when it changed, and at most once a second per queue
        String teamA = "/apis/scheduling.gantry.io/v1alpha1/queues/team-a/status";
        int writes = sandbox.dispatcher().patches(teamA);
        assertThat(writes).isBetween(1, 5);
        create(Tenants.member(pod("b-0", 1, 1000), "team-b", null, 0));
        await("team-b's pod shows in team-b and research", Duration.ofSeconds(10),
                () -> gpu("team-b").get("allocated").equals("1") && gpu("research").get("allocated").equals("7"));
        assertThat(sandbox.dispatcher().patches(teamA)).as("team-a's status did not change").isEqualTo(writes);
    }

    @Test
    void aQueueThatDoesNotParseSaysWhyInItsStatusAndItsPodsWait() {
        node("gpu", 8, "A100");
        Tenants.apply(client(), """
                apiVersion: scheduling.gantry.io/v1alpha1
                kind: Queue
                metadata: {name: broken}
                spec:
                  weight: 0
                """);
        startScheduler();
        create(Tenants.member(pod("p", 1, 1000), "broken", null, 0));
        await("the bad queue's condition names the field", Duration.ofSeconds(10), () -> {
            Object c = field("broken", "conditions");
            return c instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> m
                    && "False".equals(m.get("status")) && "InvalidSpec".equals(m.get("reason"))
                    && String.valueOf(m.get("message")).contains("spec.weight must be at least 1, got 0");
        });
        await("its pod says the queue is not valid", Duration.ofSeconds(10), () -> KubeTestSupport.events(client(),
                "p").stream().anyMatch(e -> e.getMessage().contains("queue broken (from the pod's label "
                        + "gantry.io/queue) is not valid")));
        assertThat(nodeOf(client(), "p")).isNull();
    }
}
