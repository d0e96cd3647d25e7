package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Queues from the Queue CRD: guarantees, borrowing limits, the namespace's queue, the reason on the pod. */
class QueueQuotaTest extends SandboxTest {

    @BeforeEach
    void queues() {
        Tenants.twoTeams(client(), "4", "2", "4");
    }

    @Test
    void aQueueBorrowsUpToItsLimitAndThePodBeyondSaysWhy() throws Exception {
        node("gpu", 8, "A100");
        startScheduler();
        List<String> names = IntStream.range(0, 7).mapToObj(i -> "a-" + i).toList();
        names.forEach(n -> create(Tenants.member(pod(n, 1, 1000), "team-a", null, 0)));
        await("six of team-a's pods bound", Duration.ofSeconds(20),
                () -> names.stream().filter(n -> nodeOf(client(), n) != null).count() == 6);
        String waiting = names.stream().filter(n -> nodeOf(client(), n) == null).findFirst().orElseThrow();
        String reason = "queue team-a: 6/4 GPUs in use, 0 borrowable; waiting for 1 GPUs";
        await("FailedScheduling names the queue", Duration.ofSeconds(10), () -> KubeTestSupport.events(client(),
                waiting).stream().anyMatch(e -> "FailedScheduling".equals(e.getReason())
                        && e.getMessage().contains(reason)));
        JsonNode explained = new ObjectMapper().readTree(Http.get(scheduler.httpPort(), "/api/explain/" + NS + "/"
                + waiting).body());
        assertThat(explained.path("status").asString()).isEqualTo("pending");
        assertThat(explained.path("message").asString()).contains(reason);

        // team-b still gets its guarantee out of what is left: two of its own, then it borrows nothing it cannot
        create(Tenants.member(pod("b-0", 2, 1000), "team-b", null, 0));
        assertThat(awaitBound(client(), "b-0").getSpec().getNodeName()).isEqualTo("gpu");
        assertThat(nodeOf(client(), waiting)).as("team-a stays at its limit").isNull();
    }

    @Test
    void aPodInheritsItsNamespacesQueueAndAMissingQueueHoldsItWithTheReason() {
        node("gpu", 8, "A100");
        client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName(NS).withLabels(Map.of("gantry.io/queue", "team-b")).endMetadata().build()).create();
        startScheduler();
        for (int i = 0; i < 5; i++) {
            create(pod("ns-" + i, 2, 1000)); // no label: team-b, from the namespace; 8 GPUs fit team-b's 4 + 4 idle
        }
        create(Tenants.member(pod("lost", 1, 1000), "team-c", null, 0));
        await("the pod of a queue that does not exist says so", Duration.ofSeconds(10), () -> KubeTestSupport
                .events(client(), "lost").stream().anyMatch(e -> e.getMessage().contains(
                        "queue team-c (from the pod's label gantry.io/queue) does not exist")));
        await("four of the namespace's pods bound", Duration.ofSeconds(20), () -> IntStream.range(0, 5)
                .filter(i -> nodeOf(client(), "ns-" + i) != null).count() == 4);
        assertThat(nodeOf(client(), "lost")).isNull();

        // the queue appears: the pod is read again and placed? No room left (8/8), but it is admitted by its queue
        Tenants.apply(client(), Tenants.queue("team-c", null, "1", null));
        await("the held pod is now waiting for room, not for its queue", Duration.ofSeconds(10), () -> KubeTestSupport
                .events(client(), "lost").stream().anyMatch(e -> e.getMessage().startsWith("0/1 nodes are available")));
    }
}
