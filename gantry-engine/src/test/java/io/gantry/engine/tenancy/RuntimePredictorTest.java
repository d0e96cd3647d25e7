package io.gantry.engine.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.PodRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RuntimePredictorTest {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private static PodRequest pod(String name, String owner, String queue) {
        return PodRequest.of(name, 1000, 1000, 1, 1000).withAttribute(TenancyKeys.OWNER, owner)
                .withAttribute(TenancyKeys.QUEUE, queue);
    }

    @Test
    void theAuthorsFigureComesFirst() {
        RuntimePredictor p = new RuntimePredictor();
        PodRequest pod = pod("a", "o", "q").withAttribute(TenancyKeys.EXPECTED_SECONDS, 90L);
        p.completed(pod, RuntimePredictor.UNKNOWN, 10 * MINUTE);
        p.completed(pod, RuntimePredictor.UNKNOWN, 10 * MINUTE);
        assertThat(p.predictNanos(pod)).isEqualTo(TimeUnit.SECONDS.toNanos(90));
    }

    @Test
    void learntPerOwnerAndQueueOverTheLastRuns() {
        RuntimePredictor p = new RuntimePredictor();
        PodRequest pod = pod("a", "o", "q");
        p.completed(pod, RuntimePredictor.UNKNOWN, 10 * MINUTE);
        assertThat(p.predictNanos(pod)).isEqualTo(RuntimePredictor.UNKNOWN); // one run is not enough
        p.completed(pod, RuntimePredictor.UNKNOWN, 20 * MINUTE);
        assertThat(p.predictNanos(pod)).isEqualTo(15 * MINUTE);
        assertThat(p.predictNanos(pod("b", "o", "other"))).isEqualTo(RuntimePredictor.UNKNOWN);
        assertThat(p.predictNanos(pod("c", "someone", "q"))).isEqualTo(RuntimePredictor.UNKNOWN);
        for (int i = 0; i < RuntimePredictor.WINDOW; i++) {
            p.completed(pod, RuntimePredictor.UNKNOWN, 60 * MINUTE);
        }
        assertThat(p.predictNanos(pod)).isEqualTo(60 * MINUTE); // the first two fell out of the window
    }

    @Test
    void theErrorIsWeightedByRunTime() {
        RuntimePredictor p = new RuntimePredictor();
        PodRequest pod = pod("a", "o", "q");
        p.completed(pod, 10 * MINUTE, 10 * MINUTE); // exact
        p.completed(pod, 15 * MINUTE, 10 * MINUTE); // 5 minutes over
        p.completed(pod, 11 * MINUTE, 1); // ran a nanosecond: off by 11 minutes, which a mean of percentages blows up
        p.completed(pod, RuntimePredictor.UNKNOWN, 10 * MINUTE);
        RuntimePredictor.Error e = p.error();
        assertThat(e.predicted()).isEqualTo(3);
        assertThat(e.unpredicted()).isEqualTo(1);
        assertThat(e.weightedAbsolutePercentError()).isCloseTo(100.0 * 16 * MINUTE / (20 * MINUTE + 1), within(1e-6));
        assertThat(e.within25Percent()).isCloseTo(100.0 / 3, within(1e-9));
    }

    @Test
    void withoutAnOwnerPodsOfOneJobShareTheirNameLessTheIndex() {
        assertThat(TenancyKeys.ownerOf(PodRequest.of("train-7-w3", 0, 0, 0, 0))).isEqualTo("train-7");
        assertThat(TenancyKeys.ownerOf(PodRequest.of("etl-42", 0, 0, 0, 0))).isEqualTo("etl");
        assertThat(TenancyKeys.ownerOf(PodRequest.of("solo", 0, 0, 0, 0))).isEqualTo("solo");
    }
}
