package io.gantry.engine.frag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.PodRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetWorkloadTest {

    private static void add(List<PodRequest> pods, int n, long cpu, long mem, int count, int milli, String... models) {
        for (int i = 0; i < n; i++) {
            pods.add(PodRequest.of("p" + pods.size(), cpu, mem, count, milli).withAllowedGpuModels(List.of(models)));
        }
    }

    private static String key(WorkloadType t) {
        return t.cpuMilli() + "/" + t.gpuMilliPerGpu() + "/" + t.gpuCount() + "/" + t.gpuModelSpec() + "x" + t.count();
    }

    @Test
    void cutsAt95PercentSortsByCountThenKeyDescendingAndRenormalizes() {
        List<PodRequest> pods = new ArrayList<>();
        add(pods, 9, 1000, 1, 1, 500);
        add(pods, 1, 1000, 999, 1, 500); // memory is not part of the key: same type as the 9 above
        add(pods, 5, 2000, 1, 1, 1000);
        add(pods, 3, 1000, 1, 1, 1000);
        add(pods, 1, 1000, 1, 1, 500, "A", "B"); // "A|B"
        add(pods, 1, 1000, 1, 1, 500, "A", "B", "B"); // "A|B|B": a different type

        // 20 pods, 95 % = 19. Sorted: 10, 5, 3, then the two 1-pod types by key descending:
        // (1000, 500, 1, "A|B|B") > (1000, 500, 1, "A|B"). Cumulative 10, 15, 18, 19 >= 19: stop after 4 types.
        TargetWorkload w = TargetWorkload.fromPods(pods);
        assertThat(w.distinctTypes()).isEqualTo(5);
        assertThat(w.types()).extracting(TargetWorkloadTest::key).containsExactly(
                "1000/500/1/x10", "2000/1000/1/x5", "1000/1000/1/x3", "1000/500/1/A|B|Bx1");
        assertThat(w.types().get(3).gpuModels()).containsExactly("A", "B", "B");
        // renormalized by 19/20: 10/19, 5/19, 3/19, 1/19
        double[] expected = {10 / 19.0, 5 / 19.0, 3 / 19.0, 1 / 19.0};
        for (int i = 0; i < expected.length; i++) {
            assertThat(w.types().get(i).popularity()).isCloseTo(expected[i], within(1e-12));
        }
        assertThat(w.types().stream().mapToDouble(WorkloadType::popularity).sum()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void equalCountsOrderByCpuThenMilliThenCountThenSpecDescending() {
        List<PodRequest> pods = new ArrayList<>();
        add(pods, 2, 1000, 0, 1, 500, "B");
        add(pods, 2, 1000, 0, 1, 500, "A|B".split("\\|"));
        add(pods, 2, 1000, 0, 2, 1000);
        add(pods, 2, 1000, 0, 1, 1000);
        add(pods, 2, 1000, 0, 1, 600);
        add(pods, 2, 3000, 0, 0, 0);
        TargetWorkload w = TargetWorkload.fromPods(pods, 100);
        assertThat(w.types()).extracting(TargetWorkloadTest::key).containsExactly(
                "3000/0/0/x2", "1000/1000/2/x2", "1000/1000/1/x2", "1000/600/1/x2", "1000/500/1/Bx2",
                "1000/500/1/A|Bx2");
    }

    @Test
    void keepsEveryTypeWithoutRenormalizingWhenTheyAreAllNeeded() {
        List<PodRequest> pods = new ArrayList<>();
        add(pods, 5, 1000, 0, 1, 500);
        add(pods, 3, 2000, 0, 1, 1000);
        add(pods, 3, 1000, 0, 1, 1000);
        add(pods, 2, 1000, 0, 1, 500, "A", "B");
        add(pods, 1, 1000, 0, 1, 500, "A", "B", "B");
        add(pods, 1, 0, 0, 0, 0); // CPU 0 counts as 100 m
        // 15 pods, 95 % = 14.25: cumulative 5, 8, 11, 13, 14 < 14.25, 15: all six kept; shares are n/15
        TargetWorkload w = TargetWorkload.fromPods(pods);
        assertThat(w.distinctTypes()).isEqualTo(6);
        assertThat(w.types()).extracting(TargetWorkloadTest::key).containsExactly(
                "1000/500/1/x5", "2000/1000/1/x3", "1000/1000/1/x3", "1000/500/1/A|Bx2", "1000/500/1/A|B|Bx1",
                "100/0/0/x1");
        assertThat(w.types()).extracting(WorkloadType::popularity).containsExactly(
                5 / 15.0, 3 / 15.0, 3 / 15.0, 2 / 15.0, 1 / 15.0, 1 / 15.0);
    }

    @Test
    void zeroCpuGroupsWithHundredMilli() {
        List<PodRequest> pods = new ArrayList<>();
        add(pods, 2, 0, 0, 0, 0);
        add(pods, 1, 100, 0, 0, 0);
        TargetWorkload w = TargetWorkload.fromPods(pods);
        assertThat(w.types()).extracting(TargetWorkloadTest::key).containsExactly("100/0/0/x3");
        assertThat(w.types().get(0).popularity()).isEqualTo(1.0);
    }

    @Test
    void coverageIsValidated() {
        assertThatThrownBy(() -> TargetWorkload.fromPods(List.of(), 0)).hasMessageContaining("coverage must be 1..100");
        assertThatThrownBy(() -> TargetWorkload.fromPods(List.of(), 101))
                .hasMessageContaining("coverage must be 1..100");
        assertThat(TargetWorkload.fromPods(List.of()).types()).isEmpty();
    }
}
