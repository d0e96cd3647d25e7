package io.gantry.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.PodRequest;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import io.gantry.testkit.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadCompressionTest {

    @Test
    void theOfferedLoadIsGpuTimeOverCapacityTimesTheArrivalSpan() {
        // 2 GPUs for 100 s + half a GPU for 200 s = 300 GPU-s; 4 GPUs over a 100 s span = 400 GPU-s.
        List<TimedPod> pods = List.of(new TimedPod(PodRequest.of("a", 1, 1, 2, 1000), 0, 100_000),
                new TimedPod(PodRequest.of("b", 1, 1, 1, 500), 100_000, 200_000));
        assertThat(LoadCompression.offeredLoad(pods, 4000)).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void compressionReachesTheTargetAndKeepsDurationsAndOrder() {
        Property.check("load compression reaches its target", 200, gen -> {
            List<TimedPod> pods = new ArrayList<>();
            int n = gen.intBetween(2, 60);
            for (int i = 0; i < n; i++) {
                int gpus = gen.oneOf(0, 1, 2, 4, 8);
                pods.add(new TimedPod(PodRequest.of("p" + i, 1000, 1024, gpus, gpus == 0 ? 0 : 1000),
                        gen.longBetween(0, 50_000_000), gen.longBetween(0, 10_000_000)));
            }
            pods.set(0, new TimedPod(PodRequest.of("p0", 1000, 1024, 1, 1000), 0, 5_000_000)); // some GPU work
            pods.set(1, new TimedPod(PodRequest.of("p1", 1000, 1024, 0, 0), 60_000_000, 1));  // a span
            return new Object[] {pods, gen.doubleBetween(0.05, 3.0), gen.longBetween(1, 100) * 1000};
        }, c -> {
            @SuppressWarnings("unchecked")
            List<TimedPod> pods = (List<TimedPod>) c[0];
            double target = (double) c[1];
            long capacity = (long) c[2];
            TimedTrace trace = new TimedTrace("t", pods, 0, List.of());
            LoadCompression.Result r = LoadCompression.toTarget(trace, capacity, target);
            assertThat(r.loadAfter()).isCloseTo(target, within(target * 1e-4));
            assertThat(LoadCompression.offeredLoad(r.trace().pods(), capacity)).isEqualTo(r.loadAfter());
            for (int i = 0; i < pods.size(); i++) {
                assertThat(r.trace().pods().get(i).durationMillis()).isEqualTo(pods.get(i).durationMillis());
                assertThat(r.trace().pods().get(i).pod()).isEqualTo(pods.get(i).pod());
            }
            for (int i = 0; i < pods.size(); i++) {
                for (int j = 0; j < pods.size(); j++) {
                    if (pods.get(i).arrivalMillis() < pods.get(j).arrivalMillis()) {
                        assertThat(r.trace().pods().get(i).arrivalMillis())
                                .isLessThanOrEqualTo(r.trace().pods().get(j).arrivalMillis());
                    }
                }
            }
        });
    }

    @Test
    void podsRunningToTheEndCannotBeCompressed() {
        TimedTrace t = new TimedTrace("dlrm", List.of(new TimedPod(PodRequest.of("a", 1, 1, 1, 1000), 0, 10),
                new TimedPod(PodRequest.of("b", 1, 1, 1, 1000), 5, TimedPod.RUNS_TO_END)), 100, List.of());
        assertThatThrownBy(() -> LoadCompression.toTarget(t, 1000, 0.9))
                .hasMessageContaining("1 pods still running when the trace ends");
    }
}
