package io.gantry.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kube.sandbox.KubeSandbox;
import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random create/delete sequences with a scheduler restart in the middle: no GPU share is ever handed out twice,
 * and once things settle every pod that fits somewhere is bound.
 */
class RandomChurnPropertyTest {

    /** One step: create a pod of a shape, delete the i-th live pod, or restart the scheduler. */
    record Step(int kind, int gpus, int milli, int index) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "create(" + gpus + "x" + milli + ")";
                case 1 -> "delete(#" + index + ")";
                default -> "restart";
            };
        }
    }

    /** One generated run: its steps, and the step before which the scheduler is restarted. */
    record Case(List<Step> steps, int restartAt) {
    }

    /** 10 to 30 steps, six creates to three deletes; a create asks 1 (three times in five), 2 or 4 GPUs. */
    static List<Step> steps(Gen gen) {
        return gen.listOf(10, 30, () -> gen.frequency(
                Gen.weight(6, g -> {
                    int gpus = g.oneOf(1, 1, 1, 2, 4);
                    int milli = g.oneOf(100, 250, 500, 700, 1000);
                    return new Step(0, gpus, gpus > 1 ? 1000 : milli, 0);
                }),
                Gen.weight(3, g -> new Step(1, 0, 0, g.intBetween(0, 1000)))));
    }

    @Test
    void noGpuTwiceAndEverySchedulablePodBound() {
        Property.check("no GPU twice and every schedulable pod bound", 6,
                gen -> new Case(steps(gen), gen.intBetween(3, 20)), RandomChurnPropertyTest::churn);
    }

    private static void churn(Case c) {
        List<Step> steps = c.steps();
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            var client = sandbox.client();
            client.nodes().resource(KubeSandbox.gpuNode("a", 4, "A100", 64, 256)).create();
            client.nodes().resource(KubeSandbox.gpuNode("b", 2, "V100M32", 64, 256)).create();
            client.nodes().resource(KubeSandbox.gpuNode("c", 8, "T4", 64, 256)).create();
            GantryScheduler scheduler = KubeTestSupport.start(client, KubeTestSupport.config());
            List<String> live = new ArrayList<>();
            int created = 0;
            int at = Math.min(c.restartAt(), steps.size());
            int bindsAtBurstStart = 0;
            try {
                for (int i = 0; i < steps.size(); i++) {
                    if (i == at) {
                        scheduler.close();
                        scheduler = KubeTestSupport.restart(client, KubeTestSupport.config());
                    }
                    Step s = steps.get(i);
                    if (s.kind() == 0) {
                        String name = "p" + created++;
                        client.pods().inNamespace(KubeTestSupport.NS).resource(KubeSandbox.gpuPod(KubeTestSupport.NS,
                                name, "gantry", s.gpus(), s.milli(), 500, 512)).create();
                        live.add(name);
                    } else if (s.kind() == 1 && !live.isEmpty()) {
                        String name = live.remove(s.index() % live.size());
                        client.pods().inNamespace(KubeTestSupport.NS).withName(name).delete();
                    }
                    if (i % 5 == 4) {
                        // let some binds land between bursts: one more bind, or nothing left that could be bound
                        int before = bindsAtBurstStart;
                        KubeTestSupport.await("a bind after burst " + (i / 5 + 1) + " of " + steps,
                                Duration.ofSeconds(30), () -> binds(sandbox) > before
                                        || !aPendingPodFits(client, GpuLedger.read(client)));
                        bindsAtBurstStart = binds(sandbox);
                    }
                    GpuLedger ledger = GpuLedger.read(client);
                    assertThat(ledger.problems).as("after step %d of %s", i, steps).isEmpty();
                }
                GantryScheduler settled = scheduler;
                KubeTestSupport.await("every schedulable pod bound", Duration.ofSeconds(30),
                        () -> !aPendingPodFits(client, GpuLedger.read(client)) && settled.loop().isSynced());
                GpuLedger end = GpuLedger.read(client);
                assertThat(end.problems).isEmpty();
                for (var e : sandbox.dispatcher().bindCounts().entrySet()) {
                    assertThat(e.getValue()).as("binds of %s", e.getKey()).isEqualTo(1);
                }
            } finally {
                scheduler.close();
            }
        }
    }

    private static int binds(KubeSandbox sandbox) {
        return sandbox.dispatcher().bindCounts().values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Whether some unbound pod would fit on a node by the GPUs the ledger says are free. */
    private static boolean aPendingPodFits(KubernetesClient client, GpuLedger ledger) {
        for (Pod p : client.pods().inNamespace(KubeTestSupport.NS).list().getItems()) {
            if (p.getSpec().getNodeName() == null) {
                var limits = p.getSpec().getContainers().get(0).getResources().getLimits();
                int gpus = limits.containsKey("nvidia.com/gpu")
                        ? Integer.parseInt(limits.get("nvidia.com/gpu").getAmount()) : 1;
                int milli = limits.containsKey("gantry.io/gpu-milli")
                        ? Integer.parseInt(limits.get("gantry.io/gpu-milli").getAmount()) : 1000;
                if (ledger.fits(gpus, milli)) {
                    return true;
                }
            }
        }
        return false;
    }
}
