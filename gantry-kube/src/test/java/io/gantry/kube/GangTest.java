package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.kube.metrics.SchedulerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PodGroups (scheduler-plugins' API): all members bound together, or none; released on timeout. */
class GangTest extends SandboxTest {

    private static final List<String> MEMBERS = IntStream.range(0, 4).mapToObj(i -> "g-" + i).toList();

    @BeforeEach
    void crds() {
        Tenants.installCrds(client());
    }

    private void member(String name, int gpus) {
        create(Tenants.member(pod(name, gpus, 1000), null, "g", 0));
    }

    private long bound(List<String> names) {
        return names.stream().filter(n -> nodeOf(client(), n) != null).count();
    }

    private boolean saw(String pod, String text) {
        return KubeTestSupport.events(client(), pod).stream().anyMatch(e -> e.getMessage().contains(text));
    }

    @Test
    void noMemberIsBoundUntilMinMemberExistThenAllAre() {
        node("gpu-0", 4, "A100");
        node("gpu-1", 4, "A100");
        Tenants.apply(client(), Tenants.podGroup(NS, "g", 4, 60));
        startScheduler();
        MEMBERS.subList(0, 3).forEach(n -> member(n, 2));
        await("the members say the gang is incomplete", Duration.ofSeconds(10),
                () -> saw("g-0", "pod group team-a/g: 3 of 4 members exist"));
        assertThat(bound(MEMBERS)).isZero();
        member("g-3", 2);
        await("all four bound", Duration.ofSeconds(20), () -> bound(MEMBERS) == 4);
        MEMBERS.forEach(n -> assertThat(sandbox.dispatcher().bindCount(NS, n)).isEqualTo(1));
    }

    @Test
    void thePodGroupStatusFollowsItsMembers() {
        node("gpu", 8, "A100");
        Tenants.apply(client(), Tenants.podGroup(NS, "g", 2, 60));
        startScheduler();
        member("g-0", 2);
        await("Pending while one of two members exists", Duration.ofSeconds(10),
                () -> "Pending".equals(podGroupStatus().get("phase")));
        member("g-1", 2);
        await("Scheduled once both are bound", Duration.ofSeconds(20),
                () -> "Scheduled".equals(podGroupStatus().get("phase")));
        assertThat(podGroupStatus()).containsKey("scheduleStartTime").containsEntry("running", 0);
        for (String n : List.of("g-0", "g-1")) {
            client().pods().inNamespace(NS).withName(n).editStatus(p -> new PodBuilder(p).editStatus()
                    .withPhase("Running").endStatus().build());
        }
        await("Running once both run", Duration.ofSeconds(10), () -> "Running".equals(podGroupStatus().get("phase"))
                && Integer.valueOf(2).equals(podGroupStatus().get("running")));
    }

    @SuppressWarnings("unchecked")
    private java.util.Map<String, Object> podGroupStatus() {
        var g = client().genericKubernetesResources(io.gantry.kube.scheduling.KubeApi.POD_GROUPS).inNamespace(NS)
                .withName("g").get();
        Object s = g == null ? null : g.getAdditionalProperties().get("status");
        return s instanceof java.util.Map<?, ?> m ? (java.util.Map<String, Object>) m : java.util.Map.of();
    }

    /**
     * A gang of three on an 8-GPU node whose third member exists but is gated: the other two are reserved and held
     * for it.
     */
    private void twoHeldForAGatedThird(int timeoutSeconds) {
        node("gpu", 8, "A100");
        Tenants.apply(client(), Tenants.podGroup(NS, "g", 3, timeoutSeconds));
        startScheduler();
        member("g-0", 2);
        member("g-1", 2);
        create(new PodBuilder(Tenants.member(pod("g-2", 2, 1000), null, "g", 0)).editSpec()
                .addNewSchedulingGate().withName("example.com/wait").endSchedulingGate().endSpec().build());
        await("two members held", Duration.ofSeconds(10), () -> "waiting".equals(KubeTestSupport.explainStatus(
                scheduler, "g-0")) && "waiting".equals(KubeTestSupport.explainStatus(scheduler, "g-1")));
    }

    @Test
    void heldMembersAreReleasedOnTimeoutAndBoundOnceTheGangCompletes() throws Exception {
        twoHeldForAGatedThird(2); // then let go after 2 s
        await("the held members are released after the timeout", Duration.ofSeconds(15),
                () -> saw("g-0", "did not complete within its scheduleTimeoutSeconds")
                        && saw("g-1", "did not complete within its scheduleTimeoutSeconds"));
        assertThat(bound(MEMBERS)).isZero();
        // what they held is free again: a plain pod takes all eight GPUs' worth in two pods
        create(pod("plain", 4, 1000));
        await("the plain pod is bound on what the gang gave back", Duration.ofSeconds(10),
                () -> nodeOf(client(), "plain") != null);

        client().pods().inNamespace(NS).withName("plain").delete();
        client().pods().inNamespace(NS).withName("g-2").edit(p -> new PodBuilder(p).editSpec()
                .withSchedulingGates(List.of()).endSpec().build());
        await("all three bound", Duration.ofSeconds(20), () -> bound(MEMBERS.subList(0, 3)) == 3);
    }

    @Test
    void aNewPodGroupReleasesNoOtherGangsHeldMembers() {
        twoHeldForAGatedThird(60);
        double unschedulable = scheduler.metrics().attempts(SchedulerMetrics.Result.UNSCHEDULABLE);
        Tenants.apply(client(), Tenants.podGroup(NS, "h", 1, 60));
        create(Tenants.member(pod("h-0", 1, 1000), null, "h", 0));
        await("the new gang's member is bound", Duration.ofSeconds(10), () -> nodeOf(client(), "h-0") != null);
        assertThat(scheduler.metrics().attempts(SchedulerMetrics.Result.UNSCHEDULABLE))
                .as("no held member was let go (a release counts as an unschedulable attempt)")
                .isEqualTo(unschedulable);
        assertThat(KubeTestSupport.explainStatus(scheduler, "g-0")).isEqualTo("waiting");
        assertThat(KubeTestSupport.explainStatus(scheduler, "g-1")).isEqualTo("waiting");
    }

    @Test
    void whenOneMembersBindFailsTheOthersAreNotBoundEither() {
        node("gpu", 8, "A100");
        Tenants.apply(client(), Tenants.podGroup(NS, "g", 4, 60));
        sandbox.dispatcher().failNext("POST", ".*/pods/g-[0-9]/binding", 500, 1000);
        startScheduler();
        MEMBERS.forEach(n -> member(n, 2));
        await("a member's bind failed and the rest were not tried", Duration.ofSeconds(20),
                () -> MEMBERS.stream().anyMatch(n -> saw(n, "failed first")));
        assertThat(bound(MEMBERS)).isZero();
        sandbox.dispatcher().clearFailures();
        await("all four bound on a later attempt", Duration.ofSeconds(20), () -> bound(MEMBERS) == 4);
        MEMBERS.forEach(n -> assertThat(sandbox.dispatcher().bindCount(NS, n)).isEqualTo(1));
    }
}
