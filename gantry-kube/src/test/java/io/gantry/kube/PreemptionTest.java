package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Preemption through the Eviction API: inside a queue for higher priority, across queues to reclaim a guarantee;
 * PodDisruptionBudgets and grace periods hold; the preemptor is nominated; both sides are told who and why.
 */
class PreemptionTest extends SandboxTest {

    @BeforeEach
    void queues() {
        Tenants.twoTeams(client(), "4", null, "4");
    }

    private Pod sized(String name, int gpus, String queue, int priority, long grace, String app) {
        return new PodBuilder(Tenants.member(pod(name, gpus, 1000), queue, null, priority)).editMetadata()
                .addToLabels("app", app).endMetadata().editSpec().withTerminationGracePeriodSeconds(grace).endSpec()
                .build();
    }

    private void budget(String spec, int value) {
        var b = new PodDisruptionBudgetBuilder().withNewMetadata().withName("sweep").withNamespace(NS).endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "sweep")).endSelector();
        b = spec.equals("minAvailable") ? b.withMinAvailable(new IntOrString(value))
                : b.withMaxUnavailable(new IntOrString(value));
        client().policy().v1().podDisruptionBudget().inNamespace(NS).resource(b.endSpec().build()).create();
    }

    /** A low-priority sweep holds the node's 8 GPUs under a budget of 1, then a high-priority pod asks for 8. */
    private void lowBoundThenHigh(String budget) {
        node("gpu", 8, "A100");
        budget(budget, 1);
        startScheduler();
        create(sized("sweep-low", 8, "team-a", 1000, 2, "sweep"));
        awaitBound(client(), "sweep-low");
        create(sized("train-high", 8, "team-a", 100000, 30, "train"));
    }

    private boolean saw(String pod, String reason, String text) {
        return KubeTestSupport.events(client(), pod).stream()
                .anyMatch(e -> reason.equals(e.getReason()) && e.getMessage().contains(text));
    }

    @Test
    void aHigherPriorityPodEvictsALowerOneGracefullyWithinItsBudgetAndIsNominated() {
        lowBoundThenHigh("maxUnavailable");
        await("the low pod is evicted, terminating with its own grace period", Duration.ofSeconds(20), () -> {
            Pod low = KubeTestSupport.get(client(), "sweep-low");
            return low != null && low.getMetadata().getDeletionTimestamp() != null
                    && Long.valueOf(2).equals(low.getMetadata().getDeletionGracePeriodSeconds());
        });
        assertThat(nodeOf(client(), "train-high")).as("not bound while the victim terminates").isNull();
        await("the preemptor is nominated to the node", Duration.ofSeconds(10), () -> {
            Pod high = KubeTestSupport.get(client(), "train-high");
            return "gpu".equals(high.getStatus().getNominatedNodeName()) || high.getSpec().getNodeName() != null;
        });
        assertThat(awaitBound(client(), "train-high").getSpec().getNodeName()).isEqualTo("gpu");
        assertThat(KubeTestSupport.get(client(), "sweep-low")).as("gone once its grace period passed").isNull();
        await("both sides say who and why", Duration.ofSeconds(10), () ->
                saw("sweep-low", "Preempted", "Preempted by team-a/train-high on node gpu for a pod of higher"
                        + " priority in queue team-a (100000 > 1000)")
                && saw("train-high", "Preempting", "Preempting 1 pod(s) on node gpu: team-a/sweep-low"));
        assertThat(sandbox.dispatcher().evictionCount(NS, "sweep-low")).isEqualTo(1);
    }

    @Test
    void aBudgetThatAllowsNoDisruptionBlocksThePreemptionAndSaysSo() {
        lowBoundThenHigh("minAvailable");
        await("the preemptor says the budget blocks it", Duration.ofSeconds(20), () -> saw("train-high",
                "FailedScheduling", "evicting team-a/sweep-low would violate its PodDisruptionBudget"));
        assertThat(sandbox.dispatcher().evictionsRefused()).isPositive();
        assertThat(sandbox.dispatcher().evictionCount(NS, "sweep-low")).isZero();
        Pod low = KubeTestSupport.get(client(), "sweep-low");
        assertThat(low.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(nodeOf(client(), "train-high")).isNull();
    }

    @Test
    void aQueueBelowItsGuaranteeReclaimsWhatAnotherBorrows() {
        node("gpu", 8, "A100");
        startScheduler();
        List<String> borrowers = IntStream.range(0, 8).mapToObj(i -> "b-" + i).toList();
        borrowers.forEach(n -> create(sized(n, 1, "team-b", 0, 0, "b")));
        await("team-b takes all eight GPUs, four of them borrowed", Duration.ofSeconds(20),
                () -> borrowers.stream().allMatch(n -> nodeOf(client(), n) != null));
        create(sized("a-0", 2, "team-a", 0, 0, "a"));
        assertThat(awaitBound(client(), "a-0").getSpec().getNodeName()).isEqualTo("gpu");
        long evicted = borrowers.stream().filter(n -> sandbox.dispatcher().evictionCount(NS, n) > 0).count();
        assertThat(evicted).as("only what team-a needs is taken back").isEqualTo(2);
        String victim = borrowers.stream().filter(n -> sandbox.dispatcher().evictionCount(NS, n) > 0).findFirst()
                .orElseThrow();
        await("the victim is told why", Duration.ofSeconds(10), () -> saw(victim, "Preempted",
                "Preempted by team-a/a-0 on node gpu to reclaim queue team-a's guarantee from queue team-b, which"
                        + " borrows"));
    }
}
