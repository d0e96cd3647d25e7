package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.health.XidPolicy;
import io.gantry.agent.proto.deviceplugin.Device;
import io.gantry.agent.testing.FakeKubelet;
import io.gantry.agent.testing.MutableClock;
import io.gantry.agent.testing.TestGpus;
import io.gantry.gpu.fake.FakeGpuBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health changes as the kubelet sees them: through ListAndWatch, on the fake backend. */
class HealthFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final FakeGpuBackend backend = TestGpus.fourA100s();
    private FakeKubelet kubelet;
    private GantryAgent agent;

    @BeforeEach
    void start() throws Exception {
        kubelet = FakeKubelet.start(dir.resolve("dp"));
        AgentConfig config = AgentConfig.defaults("gpu-node-1").withPluginDir(dir.resolve("dp"))
                .withPodResourcesSocket(dir.resolve("pr/kubelet.sock")).withMetricsAddress(null).withLabelNode(false)
                .withHealth(Duration.ofMinutes(5), Duration.ofMillis(50), XidPolicy.defaults())
                .withRegisterRetry(Duration.ofMillis(200));
        agent = GantryAgent.start(config, backend, null, clock);
        kubelet.awaitRegisterCalls("nvidia.com/gpu", 1, WAIT);
        kubelet.awaitRegisterCalls("gantry.io/gpu-milli", 1, WAIT);
    }

    @AfterEach
    void stop() {
        agent.close();
        kubelet.close();
        backend.close();
    }

    private static long unhealthy(List<Device> devices) {
        return devices.stream().filter(d -> d.getHealth().equals("Unhealthy")).count();
    }

    @Test
    void aCriticalXidIsStreamedAsUnhealthyAndTheGpuHealsAfterTheQuietPeriod() throws Exception {
        String gpu = TestGpus.uuid(1);
        // 94: a contained ECC error; the GPU stays usable once the application is gone.
        backend.injectXid(gpu, 94);

        FakeKubelet.Plugin whole = kubelet.awaitDevices("nvidia.com/gpu", d -> unhealthy(d) == 1, WAIT);
        assertThat(whole.devices()).filteredOn(d -> d.getHealth().equals("Unhealthy")).extracting(Device::getID)
                .containsExactly(gpu);
        FakeKubelet.Plugin share = kubelet.awaitDevices("gantry.io/gpu-milli", d -> unhealthy(d) == 1000, WAIT);
        assertThat(share.devices()).filteredOn(d -> d.getHealth().equals("Unhealthy"))
                .allSatisfy(d -> assertThat(d.getID()).startsWith(gpu + "::"));
        int updatesWhileSick = whole.updates().size();

        clock.advance(Duration.ofMinutes(5));

        kubelet.awaitDevices("nvidia.com/gpu", d -> unhealthy(d) == 0, WAIT);
        kubelet.awaitDevices("gantry.io/gpu-milli", d -> unhealthy(d) == 0, WAIT);
        assertThat(kubelet.plugin("nvidia.com/gpu").updates()).hasSizeGreaterThan(updatesWhileSick);
    }

    @Test
    void aGpuThatFellOffTheBusStaysUnhealthyAfterTheQuietPeriod() throws Exception {
        backend.injectXid(TestGpus.uuid(0), 79);
        kubelet.awaitDevices("nvidia.com/gpu", d -> unhealthy(d) == 1, WAIT);
        int updates = kubelet.plugin("nvidia.com/gpu").updates().size();
        clock.advance(Duration.ofHours(1));
        long checks = agent.monitor().checksDone();
        // two more checks: the second began after the first ended, so wholly after the quiet period
        FakeKubelet.awaitCount(() -> (int) (agent.monitor().checksDone() - checks), 2, WAIT);
        assertThat(agent.health().isHealthy(TestGpus.uuid(0))).isFalse();
        // a later change is streamed as the only update since: GPU 0 was never streamed as healthy in between
        backend.injectXid(TestGpus.uuid(2), 79);
        FakeKubelet.Plugin after = kubelet.awaitDevices("nvidia.com/gpu", d -> unhealthy(d) == 2, WAIT);
        assertThat(after.updates()).hasSize(updates + 1);
        assertThat(after.devices()).filteredOn(d -> d.getHealth().equals("Unhealthy")).extracting(Device::getID)
                .containsExactlyInAnyOrder(TestGpus.uuid(0), TestGpus.uuid(2));
    }

    @Test
    void anApplicationXidChangesNothing() throws Exception {
        backend.injectXid(TestGpus.uuid(0), 43);
        backend.injectXid(TestGpus.uuid(2), 79);
        kubelet.awaitDevices("nvidia.com/gpu", d -> unhealthy(d) == 1, WAIT);
        assertThat(kubelet.plugin("nvidia.com/gpu").devices()).filteredOn(d -> d.getHealth().equals("Unhealthy"))
                .extracting(Device::getID).containsExactly(TestGpus.uuid(2));
        assertThat(agent.health().isHealthy(TestGpus.uuid(0))).isTrue();
    }

    @Test
    void aGpuFailingItsPeriodicCheckIsStreamedAsUnhealthy() throws Exception {
        backend.setProblem(TestGpus.uuid(3), "GPU is lost");
        kubelet.awaitDevices("nvidia.com/gpu", d -> unhealthy(d) == 1, WAIT);
        assertThat(agent.health().get(TestGpus.uuid(3)).reason()).isEqualTo("GPU is lost");
    }
}
