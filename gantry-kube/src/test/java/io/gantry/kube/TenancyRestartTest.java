package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** After a restart (or a new leader) queues and gangs are rebuilt from the API alone. */
class TenancyRestartTest extends SandboxTest {

    private boolean saw(String pod, String text) {
        return KubeTestSupport.events(client(), pod).stream().anyMatch(e -> e.getMessage().contains(text));
    }

    @Test
    void boundPodsChargeTheirQueueAgainAfterARestart() {
        Tenants.twoTeams(client(), "4", "2", "4");
        node("gpu", 8, "A100");
        startScheduler();
        List<String> names = IntStream.range(0, 6).mapToObj(i -> "a-" + i).toList();
        names.forEach(n -> create(Tenants.member(pod(n, 1, 1000), "team-a", null, 0)));
        await("six bound", Duration.ofSeconds(20), () -> names.stream().allMatch(n -> nodeOf(client(), n) != null));
        scheduler.close();
        scheduler = KubeTestSupport.restart(client(), KubeTestSupport.config());
        create(Tenants.member(pod("a-late", 1, 1000), "team-a", null, 0));
        await("the restarted scheduler counts team-a's six", Duration.ofSeconds(15), () -> saw("a-late",
                "queue team-a: 6/4 GPUs in use, 0 borrowable; waiting for 1 GPUs"));
        assertThat(nodeOf(client(), "a-late")).isNull();
    }

    @Test
    void gangMembersHeldWhenTheSchedulerStoppedArePendingAgainAndNeverBoundInPart() throws Exception {
        Tenants.installCrds(client());
        Tenants.apply(client(), Tenants.podGroup(NS, "g", 3, 60));
        node("gpu", 8, "A100");
        startScheduler();
        for (int i = 0; i < 2; i++) {
            create(Tenants.member(pod("g-" + i, 2, 1000), null, "g", 0));
        }
        create(new PodBuilder(Tenants.member(pod("g-2", 2, 1000), null, "g", 0)).editSpec()
                .addNewSchedulingGate().withName("example.com/wait").endSchedulingGate().endSpec().build());
        await("two members held", Duration.ofSeconds(10), () -> KubeTestSupport.explainStatus(scheduler, "g-0").equals("waiting")
                && KubeTestSupport.explainStatus(scheduler, "g-1").equals("waiting"));
        scheduler.close();
        scheduler = KubeTestSupport.restart(client(), KubeTestSupport.config());
        await("held again by the new instance", Duration.ofSeconds(10), () -> KubeTestSupport.explainStatus(scheduler, "g-0").equals("waiting")
                && KubeTestSupport.explainStatus(scheduler, "g-1").equals("waiting"));
        assertThat(sandbox.dispatcher().bindCounts()).isEmpty();
        client().pods().inNamespace(NS).withName("g-2").edit(p -> new PodBuilder(p).editSpec()
                .withSchedulingGates(List.of()).endSpec().build());
        await("all three bound", Duration.ofSeconds(20), () -> IntStream.range(0, 3)
                .allMatch(i -> nodeOf(client(), "g-" + i) != null));
        IntStream.range(0, 3).forEach(i -> assertThat(sandbox.dispatcher().bindCount(NS, "g-" + i)).isEqualTo(1));
    }
}
