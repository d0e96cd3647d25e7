package io.gantry.agent.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.AgentConfig;
import io.gantry.agent.GantryAgent;
import io.gantry.agent.testing.FakeKubelet;
import io.gantry.agent.testing.TestGpus;
import io.gantry.gpu.fake.FakeGpuBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration when the kubelet is not there yet, and when its socket is replaced without the plugins' deletion. */
class PluginSupervisorTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private GantryAgent start(FakeGpuBackend backend, Path pluginDir) throws Exception {
        return GantryAgent.start(AgentConfig.defaults("n1").withPluginDir(pluginDir)
                .withPodResourcesSocket(dir.resolve("pr/kubelet.sock")).withMetricsAddress(null).withLabelNode(false)
                .withRegisterRetry(Duration.ofMillis(100)), backend, null, Clock.systemUTC());
    }

    @Test
    void anAgentStartedBeforeTheKubeletRegistersOnceTheKubeletComes() throws Exception {
        Path pluginDir = dir.resolve("dp");
        try (FakeGpuBackend backend = TestGpus.fourA100s(); GantryAgent agent = start(backend, pluginDir)) {
            assertThat(Files.isDirectory(pluginDir)).as("created when missing").isTrue();
            // it tried without a kubelet, failed, and keeps trying
            FakeKubelet.awaitCount(agent::failedRegistrations, 2, WAIT);
            assertThat(agent.registered()).isFalse();
            assertThat(agent.registrations()).isZero();

            try (FakeKubelet kubelet = FakeKubelet.start(pluginDir)) {
                kubelet.awaitRegisterCalls("nvidia.com/gpu", 1, WAIT);
                kubelet.awaitRegisterCalls("gantry.io/gpu-milli", 1, WAIT);
                FakeKubelet.awaitCount(agent::registrations, 1, WAIT);
                assertThat(agent.registrations()).isEqualTo(1);
            }
        }
    }

    @Test
    void anEndpointTheKubeletDropsIsRegisteredAgain() throws Exception {
        Path pluginDir = dir.resolve("dp");
        try (FakeGpuBackend backend = TestGpus.fourA100s(); FakeKubelet kubelet = FakeKubelet.start(pluginDir);
             GantryAgent agent = start(backend, pluginDir)) {
            kubelet.awaitRegisterCalls("nvidia.com/gpu", 1, WAIT);
            kubelet.awaitRegisterCalls("gantry.io/gpu-milli", 1, WAIT);

            kubelet.dropEndpoint("nvidia.com/gpu");

            kubelet.awaitRegisterCalls("nvidia.com/gpu", 2, WAIT);
            kubelet.awaitRegisterCalls("gantry.io/gpu-milli", 2, WAIT);
            FakeKubelet.awaitCount(agent::registrations, 2, WAIT);
            assertThat(agent.registrations()).isEqualTo(2);
            assertThat(agent.registered()).isTrue();
            assertThat(kubelet.admit("nvidia.com/gpu", 1).getEnvsMap()).containsKey("NVIDIA_VISIBLE_DEVICES");
        }
    }

    @Test
    void aNewKubeletSocketAloneTriggersReRegistration() throws Exception {
        Path pluginDir = dir.resolve("dp");
        try (FakeGpuBackend backend = TestGpus.fourA100s(); FakeKubelet first = FakeKubelet.start(pluginDir);
             GantryAgent agent = start(backend, pluginDir)) {
            first.awaitRegisterCalls("nvidia.com/gpu", 1, WAIT);
            first.awaitRegisterCalls("gantry.io/gpu-milli", 1, WAIT);
            first.close();
            // A kubelet that leaves the plugin sockets in place: only kubelet.sock is new.
            Files.deleteIfExists(pluginDir.resolve("kubelet.sock"));
            try (FakeKubelet second = FakeKubelet.start(pluginDir)) {
                second.awaitRegisterCalls("nvidia.com/gpu", 1, WAIT);
                second.awaitRegisterCalls("gantry.io/gpu-milli", 1, WAIT);
                FakeKubelet.awaitCount(agent::registrations, 2, WAIT);
                assertThat(agent.registrations()).isEqualTo(2);
            }
        }
    }
}
