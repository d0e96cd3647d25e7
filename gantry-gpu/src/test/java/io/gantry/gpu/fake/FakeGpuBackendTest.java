package io.gantry.gpu.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.GpuInventory;
import io.gantry.gpu.GpuLink;
import io.gantry.gpu.GpuSample;
import io.gantry.gpu.TopologyLevel;
import io.gantry.gpu.XidEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeGpuBackendTest {

    private static final String A = "GPU-aaaaaaaa-0000-0000-0000-000000000000";
    private static final String B = "GPU-bbbbbbbb-0000-0000-0000-000000000000";

    private static GpuInventory twoGpus() {
        return new GpuInventory("fake", "", "", List.of(
                new GpuDevice(0, A, "Tesla T4", 15360, "", 0, -1, "7.5", false),
                new GpuDevice(1, B, "Tesla T4", 15360, "", 1, -1, "7.5", false)), List.of());
    }

    private static String yaml(String healthyB) {
        return "gpus:\n"
                + "  - {uuid: " + A + ", name: Tesla T4, memoryMiB: 15360}\n"
                + "  - {uuid: " + B + ", name: Tesla T4, memoryMiB: 15360, healthy: " + healthyB
                + ", problem: XID 79, utilization: 40}\n";
    }

    /** Writes and moves the modification time forward, so the change is seen whatever the clock's resolution. */
    private static void rewrite(Path file, String text, int generation) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_000L + generation * 1000L));
    }

    @Test
    void givenInventoryReportsIdleHealthyGpus() {
        try (FakeGpuBackend fake = FakeGpuBackend.of(twoGpus())) {
            assertThat(fake.name()).isEqualTo("fake");
            assertThat(fake.inventory()).isEqualTo(twoGpus());
            List<GpuSample> samples = fake.sample();
            assertThat(samples).extracting(GpuSample::uuid).containsExactly(A, B);
            GpuSample a = samples.get(0);
            assertThat(a.healthy()).isTrue();
            assertThat(a.fbUsedMiB()).isZero();
            assertThat(a.fbFreeMiB()).isEqualTo(15360);
            assertThat(List.of(a.gpuUtilPercent(), a.memCopyUtilPercent(), a.temperatureC(), a.powerWatts(),
                    a.energyMillijoules(), a.smClockMHz(), a.memClockMHz())).allMatch(v -> v.isNaN());
        }
    }

    @Test
    void hooksChangeTheNextSample() {
        try (FakeGpuBackend fake = FakeGpuBackend.of(twoGpus())) {
            fake.setTelemetry(A, 75, 1000);
            fake.setProblem(B, "GPU is lost");
            List<GpuSample> samples = fake.sample();
            assertThat(samples.get(0).gpuUtilPercent()).isEqualTo(75);
            assertThat(samples.get(0).fbUsedMiB()).isEqualTo(1000);
            assertThat(samples.get(0).fbFreeMiB()).isEqualTo(14360);
            assertThat(samples.get(1).problem()).isEqualTo("GPU is lost");

            fake.setProblem(B, null);
            assertThat(fake.sample().get(1).healthy()).isTrue();
        }
    }

    @Test
    void hooksRejectUnknownGpusAndImpossibleValues() {
        try (FakeGpuBackend fake = FakeGpuBackend.of(twoGpus())) {
            assertThatThrownBy(() -> fake.setProblem("GPU-nope", "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no fake GPU GPU-nope").hasMessageContaining(A);
            assertThatThrownBy(() -> fake.injectXid("GPU-nope", 79)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> fake.setTelemetry(A, 101, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> fake.setTelemetry(A, 1, 20000)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void injectedXidsArriveInOrderAndAnEmptyQueueTimesOut() throws Exception {
        try (FakeGpuBackend fake = FakeGpuBackend.of(twoGpus())) {
            GpuEventSource events = fake.events().orElseThrow();
            assertThat(events.await(Duration.ZERO)).isEmpty();
            fake.injectXid(B, 79);
            fake.injectXid(null, 999);
            assertThat(events.await(Duration.ofSeconds(30))).contains(new XidEvent(B, 79));
            assertThat(events.await(Duration.ofSeconds(30))).contains(new XidEvent(null, 999));
            assertThat(events.await(Duration.ofMillis(1))).isEmpty();
        }
    }

    @Test
    void aClosedEventSourceIsReplacedByAFreshOneAsNvmlOpensANewSet() throws Exception {
        try (FakeGpuBackend fake = FakeGpuBackend.of(twoGpus())) {
            GpuEventSource first = fake.events().orElseThrow();
            first.close();
            fake.injectXid(A, 48);
            GpuEventSource second = fake.events().orElseThrow();
            assertThat(second).isNotSameAs(first);
            assertThat(second.await(Duration.ofSeconds(30))).contains(new XidEvent(A, 48));
            assertThat(fake.events().orElseThrow()).as("an open source is shared").isSameAs(second);
        }
    }

    @Test
    void closeWakesAWaitingReader() throws Exception {
        FakeGpuBackend fake = FakeGpuBackend.of(twoGpus());
        GpuEventSource events = fake.events().orElseThrow();
        CompletableFuture<Optional<XidEvent>> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                result.complete(events.await(Duration.ofDays(1)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        reader.start();
        // Close only once the reader is parked inside await, which is the case under test.
        while (reader.getState() != Thread.State.TIMED_WAITING && !result.isDone()) {
            Thread.onSpinWait();
        }
        fake.close();
        // The bound only keeps a broken close() from hanging the build.
        assertThat(result.get(60, TimeUnit.SECONDS)).isEmpty();
        assertThatThrownBy(() -> events.await(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void loadsTheDocumentedExample() throws Exception {
        Path file = Path.of(getClass().getResource("dgx-a100.yaml").toURI());
        try (FakeGpuBackend fake = FakeGpuBackend.load(file)) {
            GpuInventory inv = fake.inventory();
            assertThat(inv.devices()).hasSize(8);
            assertThat(inv.driverVersion()).isEqualTo("550.54.15");
            assertThat(inv.devices().get(4).numaNode()).isEqualTo(7);
            assertThat(inv.links()).contains(new GpuLink(6, 7, TopologyLevel.NVLINK, 12));
            List<GpuSample> s = fake.sample();
            assertThat(s.get(0).temperatureC()).isEqualTo(34);
            assertThat(s.get(0).powerWatts()).isEqualTo(61.5);
            assertThat(s.get(6).problem()).isEqualTo("XID 79: GPU has fallen off the bus");
            assertThat(s.get(7).gpuUtilPercent()).isEqualTo(87.5);
            assertThat(s.get(7).fbFreeMiB()).isEqualTo(40960);
        }
    }

    @Test
    void editingTheFileFlipsHealthAndABrokenEditKeepsTheLastGoodState(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fake-inventory.yaml");
        rewrite(file, yaml("true"), 0);
        try (FakeGpuBackend fake = FakeGpuBackend.load(file)) {
            assertThat(fake.sample().get(1).healthy()).isTrue();

            rewrite(file, yaml("false"), 1);
            assertThat(fake.sample().get(1).problem()).isEqualTo("XID 79");

            rewrite(file, yaml("false") + "  - {uuid: broken\n", 2);
            assertThat(fake.sample().get(1).problem()).isEqualTo("XID 79");

            rewrite(file, yaml("true"), 3);
            assertThat(fake.sample().get(1).healthy()).isTrue();
        }
    }

    @Test
    void aHookProblemWinsOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fake-inventory.yaml");
        rewrite(file, yaml("true"), 0);
        try (FakeGpuBackend fake = FakeGpuBackend.load(file)) {
            fake.setProblem(B, "set by the test");
            rewrite(file, yaml("false"), 1);
            assertThat(fake.sample().get(1).problem()).isEqualTo("set by the test");
            fake.setProblem(B, null);
            assertThat(fake.sample().get(1).problem()).isEqualTo("XID 79");
        }
    }

    @Test
    void changedGpuListKeepsTheInventoryButTakesHealthOfGpusStillListed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fake-inventory.yaml");
        rewrite(file, yaml("true"), 0);
        try (FakeGpuBackend fake = FakeGpuBackend.load(file)) {
            GpuInventory before = fake.inventory();
            rewrite(file, "gpus:\n  - {uuid: " + B + ", name: Tesla T4, memoryMiB: 15360, healthy: false}\n"
                    + "  - {uuid: GPU-new, name: Tesla T4, memoryMiB: 15360}\n", 1);
            List<GpuSample> samples = fake.sample();
            assertThat(fake.inventory()).isEqualTo(before);
            assertThat(samples).extracting(GpuSample::uuid).containsExactly(A, B);
            assertThat(samples.get(0).healthy()).isTrue();
            assertThat(samples.get(1).problem()).startsWith("marked unhealthy (healthy: false) in ");
        }
    }

    @Test
    void aDeletedFileKeepsTheLastState(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fake-inventory.yaml");
        rewrite(file, yaml("false"), 0);
        try (FakeGpuBackend fake = FakeGpuBackend.load(file)) {
            Files.delete(file);
            assertThat(fake.sample().get(1).problem()).isEqualTo("XID 79");
        }
    }

    @Test
    void loadReportsAMissingFile(@TempDir Path dir) {
        assertThatThrownBy(() -> FakeGpuBackend.load(dir.resolve("missing.yaml")))
                .isInstanceOf(GpuDiscoveryException.class).hasMessageContaining("missing.yaml does not exist");
    }
}
