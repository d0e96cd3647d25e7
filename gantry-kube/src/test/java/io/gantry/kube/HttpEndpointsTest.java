package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** /metrics, /healthz, /readyz and /api/explain. */
class HttpEndpointsTest extends SandboxTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void metricsHealthReadinessAndExplanations() throws Exception {
        node("gpu", 4, "A100");
        startScheduler();
        int port = scheduler.httpPort();
        create(pod("placed", 2, 1000));
        create(pod("waiting", 8, 1000));
        awaitBound(client(), "placed");
        await("waiting tried", Duration.ofSeconds(10), () -> KubeTestSupport.events(client(), "waiting").stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason())));

        assertThat(Http.get(port, "/healthz").statusCode()).isEqualTo(200);
        assertThat(Http.get(port, "/readyz").statusCode()).isEqualTo(200);
        await("metrics published", Duration.ofSeconds(5), () -> {
            try {
                return Http.get(port, "/metrics").body().contains("gantry_node_gpus_allocated{model=\"A100\","
                        + "node=\"gpu\"} 2.0");
            } catch (Exception e) {
                return false;
            }
        });
        String metrics = Http.get(port, "/metrics").body();
        assertThat(metrics).contains("gantry_scheduling_attempts_total{result=\"scheduled\"} 1.0")
                .contains("gantry_scheduling_attempts_total{result=\"unschedulable\"}")
                .contains("gantry_node_gpus{model=\"A100\",node=\"gpu\"} 4.0")
                .contains("gantry_pending_pods 1.0")
                .contains("gantry_scheduling_decision_seconds_bucket")
                .contains("gantry_pod_scheduling_duration_seconds_count 1");

        JsonNode waiting = json.readTree(Http.get(port, "/api/explain/team-a/waiting").body());
        assertThat(waiting.get("status").asString()).isEqualTo("pending");
        assertThat(waiting.get("message").asString()).isEqualTo("0/1 nodes are available: 1 Insufficient nvidia.com/gpu.");
        assertThat(waiting.get("nodesByReason").get("Insufficient nvidia.com/gpu").asInt()).isEqualTo(1);
        assertThat(waiting.get("attempts").asInt()).isPositive();

        JsonNode placed = json.readTree(Http.get(port, "/api/explain/team-a/placed").body());
        assertThat(placed.get("status").asString()).isEqualTo("scheduled");
        assertThat(placed.get("node").asString()).isEqualTo("gpu");
        assertThat(placed.get("gpuIds")).hasSize(2);
        assertThat(placed.get("gpuMilli").asInt()).isEqualTo(1000);

        var unknown = Http.get(port, "/api/explain/team-a/nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("status").asString()).isEqualTo("unknown");
        assertThat(Http.get(port, "/api/explain/only-namespace").statusCode()).isEqualTo(400);
        assertThat(Http.post(port, "/extender/filter", "{}").statusCode()).isEqualTo(404);
    }
}
