package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kube.sandbox.KubeSandbox;
import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Random arrivals of single pods and gangs in two queues, deletions and a scheduler restart, on one 8-GPU node:
 * no queue ever holds more than its guarantee plus its borrowing limit, no gang is ever bound in part, no pod is
 * bound twice, and once things settle no queue that is owed its guarantee waits while another borrows.
 */
class TenancyChurnPropertyTest {

    /** team-a: 4 guaranteed, borrows at most 2; team-b: 4 guaranteed, borrows freely; research: 8. */
    private static final Map<String, Integer> GUARANTEE = Map.of("team-a", 4, "team-b", 4);
    private static final Map<String, Integer> LIMIT = Map.of("team-a", 6, "team-b", 8);

    /** One step: a pod, a gang of two, a deletion of the i-th live pod, or a restart. */
    record Step(int kind, String queue, int gpus, int priority, int index) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "pod(" + queue + ", " + gpus + " GPU, prio " + priority + ")";
                case 1 -> "gang(" + queue + ", 2 x " + gpus + " GPU)";
                case 2 -> "delete(#" + index + ")";
                default -> "restart";
            };
        }
    }

    static List<Step> steps(Gen gen) {
        return gen.listOf(8, 20, () -> gen.frequency(
                Gen.weight(6, g -> new Step(0, g.oneOf("team-a", "team-b"), g.oneOf(1, 1, 2), g.oneOf(0, 0, 10), 0)),
                Gen.weight(2, g -> new Step(1, g.oneOf("team-a", "team-b"), g.oneOf(1, 2), 0, 0)),
                Gen.weight(3, g -> new Step(2, "", 0, 0, g.intBetween(0, 1000))),
                Gen.weight(1, g -> new Step(3, "", 0, 0, 0))));
    }

    @Test
    void quotasHoldGangsAreWholeNoPodIsBoundTwiceAndReclaimIsReached() {
        Property.check("quota, whole gangs, one bind each, reclaim reached", 3,
                TenancyChurnPropertyTest::steps, TenancyChurnPropertyTest::churn);
    }

    /** What the test created: each pod's queue, GPUs, priority and gang (null for none). */
    private record Made(String queue, int gpus, int priority, String gang) {
    }

    private static void churn(List<Step> steps) {
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            KubernetesClient client = sandbox.client();
            Tenants.twoTeams(client, "4", "2", "4");
            client.nodes().resource(KubeSandbox.gpuNode("n", 8, "A100", 64, 256)).create();
            GantryScheduler scheduler = KubeTestSupport.start(client, KubeTestSupport.config());
            Map<String, Made> made = new HashMap<>();
            List<String> live = new ArrayList<>();
            java.util.Set<String> deleted = new java.util.HashSet<>();
            int n = 0;
            try {
                for (int i = 0; i < steps.size(); i++) {
                    Step s = steps.get(i);
                    switch (s.kind()) {
                        case 0 -> {
                            String name = "p" + n++;
                            create(client, name, s.queue(), s.gpus(), s.priority(), null);
                            made.put(name, new Made(s.queue(), s.gpus(), s.priority(), null));
                            live.add(name);
                        }
                        case 1 -> {
                            String gang = "g" + n++;
                            Tenants.apply(client, Tenants.podGroup(NS, gang, 2, 3));
                            for (int m = 0; m < 2; m++) {
                                String name = gang + "-" + m;
                                create(client, name, s.queue(), s.gpus(), 0, gang);
                                made.put(name, new Made(s.queue(), s.gpus(), 0, gang));
                                live.add(name);
                            }
                        }
                        case 2 -> {
                            if (!live.isEmpty()) {
                                String name = live.remove(s.index() % live.size());
                                deleted.add(name);
                                client.pods().inNamespace(NS).withName(name).delete();
                            }
                        }
                        default -> {
                            scheduler.close();
                            scheduler = KubeTestSupport.restart(client, KubeTestSupport.config());
                        }
                    }
                    assertThat(overQuota(client, made)).as("after step %d of %s", i, steps).isEmpty();
                    assertThat(GpuLedger.read(client).problems).as("after step %d of %s", i, steps).isEmpty();
                }
                GantryScheduler settled = scheduler;
                KubeTestSupport.await("no queue owed its guarantee waits while another borrows, in " + steps,
                        Duration.ofSeconds(40), () -> settled.loop().isSynced() && owed(client, made).isEmpty());
                assertThat(awaitBinds(settled)).isTrue();
                assertThat(overQuota(client, made)).isEmpty();
                for (var e : sandbox.dispatcher().bindCounts().entrySet()) {
                    assertThat(e.getValue()).as("binds of %s in %s", e.getKey(), steps).isEqualTo(1);
                }
                // A gang none of whose members the test deleted is bound whole or not at all. (A member deleted while
                // its gang is being bound is simply not bound: the others, bound already, stay, as in
                // scheduler-plugins.)
                Map<String, Integer> everBound = new HashMap<>();
                java.util.Set<String> touched = new java.util.HashSet<>();
                made.forEach((name, m) -> {
                    if (m.gang() != null) {
                        everBound.merge(m.gang(), sandbox.dispatcher().bindCount(NS, name), Integer::sum);
                        if (deleted.contains(name)) {
                            touched.add(m.gang());
                        }
                    }
                });
                everBound.keySet().removeAll(touched);
                everBound.forEach((gang, bound) -> assertThat(bound).as("members of %s ever bound, in %s", gang,
                        steps).isIn(0, 2));
            } finally {
                scheduler.close();
            }
        }
    }

    private static boolean awaitBinds(GantryScheduler s) {
        try {
            return s.loop().awaitBinds(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void create(KubernetesClient client, String name, String queue, int gpus, int priority,
            String gang) {
        Pod pod = Tenants.member(KubeSandbox.gpuPod(NS, name, "gantry", gpus, 1000, 500, 512), queue, gang, priority);
        client.pods().inNamespace(NS).resource(new PodBuilder(pod).editSpec().withTerminationGracePeriodSeconds(0L)
                .endSpec().build()).create();
    }

    /** GPUs of the bound pods per queue, from the API server. */
    private static Map<String, Integer> used(KubernetesClient client, Map<String, Made> made) {
        Map<String, Integer> used = new HashMap<>(Map.of("team-a", 0, "team-b", 0));
        for (Pod p : client.pods().inNamespace(NS).list().getItems()) {
            Made m = made.get(p.getMetadata().getName());
            if (m != null && p.getSpec().getNodeName() != null) {
                used.merge(m.queue(), m.gpus(), Integer::sum);
            }
        }
        return used;
    }

    private static List<String> overQuota(KubernetesClient client, Map<String, Made> made) {
        List<String> over = new ArrayList<>();
        used(client, made).forEach((q, u) -> {
            if (u > LIMIT.get(q)) {
                over.add(q + " holds " + u + " GPUs, more than its limit " + LIMIT.get(q));
            }
        });
        return over;
    }

    /**
     * Pending single pods whose queue would stay within its guarantee with them while the other queue borrows and
     * has no pod of higher priority: reclaim must reach them.
     */
    private static List<String> owed(KubernetesClient client, Map<String, Made> made) {
        Map<String, Integer> used = used(client, made);
        Map<String, Integer> topPriority = new HashMap<>();
        List<Pod> pods = client.pods().inNamespace(NS).list().getItems();
        for (Pod p : pods) {
            Made m = made.get(p.getMetadata().getName());
            if (m != null && p.getSpec().getNodeName() != null) {
                topPriority.merge(m.queue(), m.priority(), Math::max);
            }
        }
        List<String> owed = new ArrayList<>();
        for (Pod p : pods) {
            Made m = made.get(p.getMetadata().getName());
            if (m == null || m.gang() != null || p.getSpec().getNodeName() != null) {
                continue;
            }
            String other = m.queue().equals("team-a") ? "team-b" : "team-a";
            boolean within = used.get(m.queue()) + m.gpus() <= GUARANTEE.get(m.queue());
            boolean borrows = used.get(other) > GUARANTEE.get(other);
            if (within && borrows && topPriority.getOrDefault(other, 0) <= m.priority()) {
                owed.add(p.getMetadata().getName() + " (" + m + ", used " + used + ")");
            }
        }
        return owed;
    }
}
