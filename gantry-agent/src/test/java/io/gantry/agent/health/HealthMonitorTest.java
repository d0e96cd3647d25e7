package io.gantry.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.testing.MutableClock;
import io.gantry.agent.testing.TestGpus;
import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.XidEvent;
import io.gantry.gpu.fake.FakeGpuBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final FakeGpuBackend backend = TestGpus.fourA100s();
    private final HealthTracker tracker = new HealthTracker(
            backend.inventory().devices().stream().map(d -> d.uuid()).toList(), Duration.ofMinutes(5), clock);
    private HealthMonitor monitor;

    @AfterEach
    void stop() {
        if (monitor != null) {
            monitor.close();
        }
        backend.close();
    }

    private void start(XidPolicy policy) {
        // A long interval: the test drives the periodic check itself with checkOnce().
        monitor = HealthMonitor.start(backend, tracker, policy, Duration.ofHours(1));
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void aCriticalXidMakesItsGpuUnhealthyAndIsRecordedForMetrics() throws Exception {
        start(XidPolicy.defaults());
        String gpu = TestGpus.uuid(2);
        backend.injectXid(gpu, 79);
        await(() -> !tracker.isHealthy(gpu));
        assertThat(tracker.get(gpu).reason()).isEqualTo("Xid 79 (needs a GPU reset)");
        assertThat(tracker.get(gpu).sticky()).isTrue();
        assertThat(tracker.isHealthy(TestGpus.uuid(0))).isTrue();
        assertThat(monitor.lastXids()).containsEntry(gpu, 79L);
    }

    @Test
    void applicationXidsAreIgnoredUnlessForced() throws Exception {
        start(XidPolicy.of(Set.of(48L), Set.of(31L)));
        backend.injectXid(TestGpus.uuid(0), 13);
        backend.injectXid(TestGpus.uuid(0), 48);
        backend.injectXid(TestGpus.uuid(1), 31);
        await(() -> !tracker.isHealthy(TestGpus.uuid(1)));
        await(() -> monitor.lastXids().containsKey(TestGpus.uuid(0)));
        assertThat(tracker.isHealthy(TestGpus.uuid(0))).as("13 is an application Xid, 48 ignored by config").isTrue();
        assertThat(tracker.get(TestGpus.uuid(1)).reason()).isEqualTo("Xid 31");
    }

    @Test
    void anXidOnAnUnknownGpuMakesEveryGpuUnhealthy() throws Exception {
        start(XidPolicy.defaults());
        backend.injectXid(null, 79);
        await(() -> tracker.all().stream().noneMatch(GpuHealth::healthy));
    }

    @Test
    void aFailedPeriodicCheckMarksTheGpuAndAQuietPeriodHealsIt() {
        start(XidPolicy.defaults());
        String gpu = TestGpus.uuid(3);
        backend.setProblem(gpu, "GPU is lost");
        monitor.checkOnce();
        assertThat(tracker.isHealthy(gpu)).isFalse();

        backend.setProblem(gpu, null);
        clock.advance(Duration.ofMinutes(4));
        monitor.checkOnce();
        assertThat(tracker.isHealthy(gpu)).isFalse();

        clock.advance(Duration.ofMinutes(1));
        monitor.checkOnce();
        assertThat(tracker.isHealthy(gpu)).isTrue();
        assertThat(tracker.all()).extracting(GpuHealth::healthy).containsOnly(true);
    }

    @Test
    void aFailedEventStreamMakesEveryGpuSuspectAndIsOpenedAgain() throws Exception {
        // The first stream fails at once; the backend's next one works.
        GpuBackend flaky = new DelegatingBackend(backend) {
            private int opened;

            @Override
            public Optional<GpuEventSource> events() {
                if (opened++ == 0) {
                    return Optional.of(new GpuEventSource() {
                        @Override
                        public Optional<XidEvent> await(Duration timeout) {
                            throw new GpuDiscoveryException("NVML_ERROR_UNKNOWN (999) from nvmlEventSetWait_v2");
                        }

                        @Override
                        public void close() {
                        }
                    });
                }
                return backend.events();
            }
        };
        monitor = HealthMonitor.start(flaky, tracker, XidPolicy.defaults(), Duration.ofHours(1),
                Duration.ofMillis(50));
        await(() -> tracker.all().stream().noneMatch(GpuHealth::healthy));
        assertThat(tracker.get(TestGpus.uuid(0)).reason()).contains("GPU event stream failed");

        backend.injectXid(TestGpus.uuid(2), 31);
        await(() -> monitor.lastXids().containsKey(TestGpus.uuid(2)));
        assertThat(monitor.eventsDown()).isFalse();
        clock.advance(Duration.ofMinutes(5));
        monitor.checkOnce();
        assertThat(tracker.all()).extracting(GpuHealth::healthy).containsOnly(true);
    }

    /** A backend that passes every call to another. */
    private static class DelegatingBackend implements GpuBackend {
        private final GpuBackend inner;

        DelegatingBackend(GpuBackend inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public GpuInventory inventory() {
            return inner.inventory();
        }

        @Override
        public List<GpuSample> sample() {
            return inner.sample();
        }

        @Override
        public Optional<GpuEventSource> events() {
            return inner.events();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theDefaultIgnoreListIsNvidias() {
        assertThat(XidPolicy.defaults().ignored()).containsExactlyInAnyOrder(13L, 31L, 43L, 45L, 68L, 109L);
        assertThat(XidPolicy.defaults().isCritical(79)).isTrue();
        assertThat(List.of(13L, 31L, 43L, 45L, 68L, 109L)).noneMatch(XidPolicy.defaults()::isCritical);
    }
}
