package io.gantry.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.plugins.GroupDensityLimit;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import io.gantry.sim.trace.dlrm.DlrmTraceReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DlrmClusterTest {

    private static TimedPod instance(String name, String role, long cpu, int gpus, int maxPerNode, long from, long to) {
        PodRequest p = PodRequest.of(name, cpu, 1024, gpus, gpus == 0 ? 0 : 1000)
                .withLabels(Map.of(DlrmTraceReader.ROLE_LABEL, role))
                .withPlacement(new NodePlacement(Map.of(DlrmTraceReader.ROLE_LABEL, role), List.of(), List.of()));
        if (maxPerNode > 0) {
            p = p.withAttribute(GroupDensityLimit.LIMIT, new GroupDensityLimit.Limit("app", maxPerNode));
        }
        return new TimedPod(p, from, to < 0 ? TimedPod.RUNS_TO_END : to - from);
    }

    @Test
    void sizedForThePeakConcurrentDemandPlusHeadroom() {
        List<TimedPod> pods = new ArrayList<>();
        // CPU role: five 200-vCPU instances for good and a sixth for a while: a peak of 1,200 vCPUs.
        for (int i = 0; i < 5; i++) {
            pods.add(instance("cn" + i, "CN", 200_000, 0, -1, 0, -1));
        }
        pods.add(instance("cn-short", "CN", 200_000, 0, -1, 10, 20));
        // GPU role: 40 GPUs at once, but 30 instances of a 2-per-node service need 15 nodes.
        for (int i = 0; i < 10; i++) {
            pods.add(instance("hn" + i, "HN", 1000, 1, -1, 0, 100));
        }
        for (int i = 0; i < 30; i++) {
            pods.add(instance("hd" + i, "HN", 1000, 1, 2, 50, 200));
        }
        List<NodeSpec> nodes = DlrmCluster.sizedFor(new TimedTrace("t", pods, 200, List.of()));
        long cn = nodes.stream().filter(n -> n.gpuCount() == 0).count();
        long hn = nodes.stream().filter(n -> n.gpuCount() > 0).count();
        // 6 x 200 / 256 = 4.69 nodes -> x1.1 = 5.16 -> 6; density: 30 / 2 = 15 -> 16.5 -> 17.
        assertThat(cn).isEqualTo(6);
        assertThat(hn).isEqualTo(17);
        assertThat(nodes).allSatisfy(n -> assertThat(n.labels()).containsEntry(DlrmTraceReader.ROLE_LABEL,
                n.gpuCount() == 0 ? "CN" : "HN"));
    }
}
