package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.PodRequest;
import org.junit.jupiter.api.Test;

class DelayStatsTest {

    @Test
    void nearestRankPercentilesOnAHandComputedCase() {
        long[] delays = new long[20];
        for (int i = 0; i < 20; i++) {
            delays[i] = (20 - i) * 1000L; // 20 s down to 1 s, unsorted on purpose
        }
        DelayStats s = DelayStats.of(PodClass.GPU_1, 25, delays, 2, 3);
        // n = 20: p50 = 10th value, p95 = 19th, p99 = 20th.
        assertThat(s.p50Seconds()).isEqualTo(10.0);
        assertThat(s.p95Seconds()).isEqualTo(19.0);
        assertThat(s.p99Seconds()).isEqualTo(20.0);
        assertThat(s.meanSeconds()).isEqualTo(10.5);
        assertThat(s.placed()).isEqualTo(20);
        assertThat(s.neverPlaced()).isEqualTo(5);
        DelayStats three = DelayStats.of(PodClass.SHARE, 3, new long[] {0, 4000, 9000}, 0, 0);
        assertThat(three.p50Seconds()).isEqualTo(4.0); // ceil(1.5) = 2nd
        assertThat(three.p95Seconds()).isEqualTo(9.0);
        assertThat(DelayStats.of(PodClass.GPU_8, 1, new long[0], 0, 1).p50Seconds()).isNaN();
    }

    @Test
    void podClassesFollowWhatThePodAsksOfGpus() {
        assertThat(PodClass.of(PodRequest.of("c", 1000, 1, 0, 0))).isEqualTo(PodClass.CPU_ONLY);
        assertThat(PodClass.of(PodRequest.of("s", 1000, 1, 1, 999))).isEqualTo(PodClass.SHARE);
        assertThat(PodClass.of(PodRequest.of("g1", 1000, 1, 1, 1000))).isEqualTo(PodClass.GPU_1);
        assertThat(PodClass.of(PodRequest.of("g2", 1000, 1, 2, 1000))).isEqualTo(PodClass.GPU_2);
        assertThat(PodClass.of(PodRequest.of("g4", 1000, 1, 4, 1000))).isEqualTo(PodClass.GPU_4);
        assertThat(PodClass.of(PodRequest.of("g8", 1000, 1, 8, 1000))).isEqualTo(PodClass.GPU_8);
        assertThat(PodClass.of(PodRequest.of("g3", 1000, 1, 3, 1000))).isEqualTo(PodClass.GPU_OTHER);
    }
}
