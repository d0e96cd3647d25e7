package io.gantry.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The API server runs in a JVM of its own, which the load test stops at the end. */
class ApiServerProcessTest {

    @Test
    void runsInItsOwnProcessServesAndIsGoneAfterClose() throws Exception {
        long pid;
        try (ApiServerProcess server = ApiServerProcess.start(List.of("-Xmx256m"), 1, Duration.ofSeconds(60))) {
            pid = server.pid();
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(server.url()).startsWith("http://127.0.0.1:");
            try (KubernetesClient client = SchedulerLoadTest.client(server.url())) {
                client.nodes().resource(Workload.node(new Workload.NodeShape("n1", 4, "T4"))).create();
                assertThat(client.nodes().withName("n1").get().getStatus().getAllocatable())
                        .containsKey("nvidia.com/gpu");
            }
            assertThat(server.cpuNanos()).isPositive();
        }
        Optional<ProcessHandle> after = ProcessHandle.of(pid);
        assertThat(after.map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
