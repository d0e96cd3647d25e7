package io.gantry.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthTrackerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));

    @Test
    void anErrorMakesOneGpuUnhealthyAndTellsListenersOnce() {
        HealthTracker t = new HealthTracker(List.of("a", "b"), Duration.ofMinutes(5), clock);
        List<Boolean> heard = new ArrayList<>();
        t.addListener(all -> heard.add(all.stream().allMatch(GpuHealth::healthy)));

        t.reportError("a", "Xid 79");
        t.reportError("a", "Xid 79");

        assertThat(t.isHealthy("a")).isFalse();
        assertThat(t.isHealthy("b")).isTrue();
        assertThat(t.get("a").reason()).isEqualTo("Xid 79");
        assertThat(heard).containsExactly(false);
    }

    @Test
    void aGpuRecoversOnlyAfterAFullQuietPeriodSinceItsLastError() {
        HealthTracker t = new HealthTracker(List.of("a"), Duration.ofMinutes(5), clock);
        t.reportError("a", "Xid 48");
        clock.advance(Duration.ofMinutes(3));
        t.reportError("a", "Xid 48");
        clock.advance(Duration.ofMinutes(4));

        t.recoverQuietGpus();
        assertThat(t.isHealthy("a")).as("only 4 of 5 quiet minutes since the second error").isFalse();

        clock.advance(Duration.ofMinutes(1));
        t.recoverQuietGpus();
        assertThat(t.isHealthy("a")).isTrue();
        assertThat(t.get("a").reason()).as("the last error is kept for the record").isEqualTo("Xid 48");
    }

    @Test
    void aZeroRecoveryPeriodKeepsAGpuUnhealthyAsNvidiasPluginDoes() {
        HealthTracker t = new HealthTracker(List.of("a"), Duration.ZERO, clock);
        t.reportError("a", "Xid 79");
        clock.advance(Duration.ofDays(1));
        t.recoverQuietGpus();
        assertThat(t.isHealthy("a")).isFalse();
    }

    @Test
    void anErrorThatNeedsAGpuResetIsNeverHealedByTheQuietPeriod() {
        HealthTracker t = new HealthTracker(List.of("a", "b"), Duration.ofMinutes(5), clock);
        t.reportError("a", "Xid 79 (needs a GPU reset)", true);
        t.reportError("b", "Xid 94");
        clock.advance(Duration.ofHours(1));
        t.recoverQuietGpus();
        assertThat(t.isHealthy("a")).isFalse();
        assertThat(t.isHealthy("b")).isTrue();
        t.reportError("a", "GPU is lost", false);
        clock.advance(Duration.ofHours(1));
        t.recoverQuietGpus();
        assertThat(t.isHealthy("a")).as("a later plain error does not clear the need for a reset").isFalse();
    }

    @Test
    void anUnattributedErrorMakesEveryGpuUnhealthy() {
        HealthTracker t = new HealthTracker(List.of("a", "b"), Duration.ofMinutes(5), clock);
        t.reportErrorOnAll("event stream failed");
        assertThat(t.all()).extracting(GpuHealth::healthy).containsOnly(false);
    }

    @Test
    void unknownGpusAndNegativePeriodsAreRejected() {
        HealthTracker t = new HealthTracker(List.of("a"), Duration.ofMinutes(5), clock);
        t.reportError("zzz", "Xid 79");
        assertThat(t.isHealthy("zzz")).isFalse();
        assertThat(t.isHealthy("a")).isTrue();
        assertThatThrownBy(() -> t.get("zzz")).hasMessageContaining("no GPU zzz");
        assertThatThrownBy(() -> new HealthTracker(List.of("a"), Duration.ofSeconds(-1), clock))
                .hasMessageContaining("must not be negative");
    }
}
