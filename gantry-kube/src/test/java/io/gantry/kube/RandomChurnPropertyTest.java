package io.gantry.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.kube.sandbox.KubeSandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

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

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> create = Combinators.combine(Arbitraries.of(1, 1, 1, 2, 4),
                Arbitraries.of(100, 250, 500, 700, 1000)).as((g, m) -> new Step(0, g, g > 1 ? 1000 : m, 0));
        Arbitrary<Step> delete = Arbitraries.integers().between(0, 1000).map(i -> new Step(1, 0, 0, i));
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, create), net.jqwik.api.Tuple.of(3, delete));
        return step.list().ofMinSize(10).ofMaxSize(30);
    }

    @Property(tries = 6, shrinking = ShrinkingMode.OFF)
    void noGpuTwiceAndEverySchedulablePodBound(@ForAll("steps") List<Step> steps,
            @ForAll("restartAt") int restartAt) throws Exception {
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            var client = sandbox.client();
            client.nodes().resource(KubeSandbox.gpuNode("a", 4, "A100", 64, 256)).create();
            client.nodes().resource(KubeSandbox.gpuNode("b", 2, "V100M32", 64, 256)).create();
            client.nodes().resource(KubeSandbox.gpuNode("c", 8, "T4", 64, 256)).create();
            GantryScheduler scheduler = KubeTestSupport.start(client, KubeTestSupport.config());
            List<String> live = new ArrayList<>();
            int created = 0;
            int at = Math.min(restartAt, steps.size());
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
                        Thread.sleep(50); // let some binds land between bursts
                    }
                    GpuLedger ledger = GpuLedger.read(client);
                    assertThat(ledger.problems).as("after step %d of %s", i, steps).isEmpty();
                }
                GantryScheduler settled = scheduler;
                KubeTestSupport.await("every schedulable pod bound", Duration.ofSeconds(30), () -> {
                    GpuLedger ledger = GpuLedger.read(client);
                    for (Pod p : client.pods().inNamespace(KubeTestSupport.NS).list().getItems()) {
                        if (p.getSpec().getNodeName() == null) {
                            var limits = p.getSpec().getContainers().get(0).getResources().getLimits();
                            int gpus = limits.containsKey("nvidia.com/gpu")
                                    ? Integer.parseInt(limits.get("nvidia.com/gpu").getAmount()) : 1;
                            int milli = limits.containsKey("gantry.io/gpu-milli")
                                    ? Integer.parseInt(limits.get("gantry.io/gpu-milli").getAmount()) : 1000;
                            if (ledger.fits(gpus, milli)) {
                                return false;
                            }
                        }
                    }
                    return settled.loop().isSynced();
                });
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

    @Provide
    Arbitrary<Integer> restartAt() {
        return Arbitraries.integers().between(3, 20);
    }
}
