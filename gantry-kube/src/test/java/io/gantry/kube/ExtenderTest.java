package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.kube.sandbox.KubeSandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The extender API answers requests recorded in kube-scheduler's JSON shapes. */
class ExtenderTest extends SandboxTest {

    private final ObjectMapper json = new ObjectMapper();
    private String podUid;

    static String fixture(String name) throws IOException {
        try (InputStream in = ExtenderTest.class.getResourceAsStream("/extender/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void cluster() throws Exception {
        for (JsonNode n : json.readTree(fixture("nodes.json"))) {
            Node node = client().getKubernetesSerialization().unmarshal(n.toString(), Node.class);
            client().nodes().resource(new NodeBuilder(node).editMetadata().withResourceVersion(null).withUid(null)
                    .endMetadata().build()).create();
        }
        for (int gpu = 0; gpu < 2; gpu++) {
            create(new PodBuilder(KubeSandbox.gpuPod(NS, "holder-" + gpu, "default-scheduler", 1, 1000, 100, 100))
                    .editMetadata().addToAnnotations("gantry.io/gpu-ids", Integer.toString(gpu))
                    .addToAnnotations("gantry.io/gpu-milli", "1000").endMetadata()
                    .editSpec().withNodeName("v100-full").endSpec().build());
        }
        Pod pod = client().getKubernetesSerialization().unmarshal(fixture("pod.json"), Pod.class);
        create(new PodBuilder(pod).editMetadata().withResourceVersion(null).withManagedFields().endMetadata().build());
        podUid = client().pods().inNamespace(NS).withName("train-share").get().getMetadata().getUid();
        scheduler = GantryScheduler.start(client(), KubeTestSupport.config(),
                new GantryScheduler.Options(true, "extender", "default", () -> { }));
        await("ready", Duration.ofSeconds(10), () -> {
            try {
                return Http.get(scheduler.httpPort(), "/readyz").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private JsonNode post(String verb, String body) throws Exception {
        var response = Http.post(scheduler.httpPort(), "/extender/" + verb, body);
        assertThat(response.statusCode()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isString() ? n.asString() : n.path("metadata").path("name").asString()));
        return out;
    }

    @Test
    void filterWithNodeNamesKeepsWhereTheShareFitsAndSaysWhyNotElsewhere() throws Exception {
        JsonNode result = post("filter", fixture("filter-node-names.json"));
        assertThat(names(result.get("NodeNames"))).containsExactly("v100-free");
        assertThat(result.get("Nodes").isNull()).isTrue();
        assertThat(result.get("FailedNodes").get("v100-full").asString()).isEqualTo("Insufficient gantry.io/gpu-milli");
        assertThat(result.get("FailedAndUnresolvableNodes").get("t4-free").asString())
                .isEqualTo("node(s) didn't have the requested GPU model");
        assertThat(result.get("Error").asString()).isEmpty();
    }

    @Test
    void filterWithFullNodesReturnsTheNodeObjects() throws Exception {
        JsonNode result = post("filter", fixture("filter-nodes.json"));
        assertThat(names(result.get("Nodes").get("items"))).containsExactly("v100-free");
        assertThat(result.get("Nodes").get("items").get(0).path("status").path("allocatable").path("nvidia.com/gpu")
                .asString()).isEqualTo("4");
        assertThat(result.get("NodeNames").isNull()).isTrue();
    }

    @Test
    void prioritizeScoresZeroToTenAndZeroWhereItDoesNotFit() throws Exception {
        JsonNode result = post("prioritize", fixture("prioritize.json"));
        assertThat(result.isArray()).isTrue();
        assertThat(names(result.findParents("Host").stream().map(n -> n.get("Host"))
                .collect(tools.jackson.databind.node.JsonNodeFactory.instance::arrayNode,
                        tools.jackson.databind.node.ArrayNode::add,
                        tools.jackson.databind.node.ArrayNode::addAll)))
                .containsExactly("v100-full", "v100-free", "t4-free");
        assertThat(result.get(0).get("Score").asLong()).isZero();
        assertThat(result.get(1).get("Score").asLong()).isEqualTo(10);
        assertThat(result.get(2).get("Score").asLong()).isZero();
    }

    @Test
    void bindChoosesTheGpuWritesItAndBinds() throws Exception {
        JsonNode result = post("bind", fixture("bind.json").replace("3f1a7c52-6b0e-4a8e-9a61-0d5c1f2b7e10", podUid));
        assertThat(result.get("Error").asString()).isEmpty();
        Pod bound = awaitBound(client(), "train-share");
        assertThat(bound.getSpec().getNodeName()).isEqualTo("v100-free");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-milli", "400");
        assertThat(bound.getMetadata().getAnnotations().get("gantry.io/gpu-ids")).matches("[0-3]");
        assertThat(sandbox.dispatcher().bindCount(NS, "train-share")).isEqualTo(1);

        // A second bind of the same pod is refused by the API server, and Gantry reports it.
        JsonNode again = post("bind", fixture("bind.json").replace("3f1a7c52-6b0e-4a8e-9a61-0d5c1f2b7e10", podUid));
        assertThat(again.get("Error").asString()).containsAnyOf("already bound to v100-free", "HTTP 409");
        assertThat(sandbox.dispatcher().bindCount(NS, "train-share")).isEqualTo(1);
    }

    @Test
    void bindOnANodeWhereThePodDoesNotFitIsAnError() throws Exception {
        JsonNode result = post("bind", fixture("bind.json").replace("3f1a7c52-6b0e-4a8e-9a61-0d5c1f2b7e10", podUid)
                .replace("v100-free", "t4-free"));
        assertThat(result.get("Error").asString()).isEqualTo("pod team-a/train-share does not fit on t4-free: 0/1 "
                + "nodes are available: 1 node(s) didn't have the requested GPU model.");
        assertThat(client().pods().inNamespace(NS).withName("train-share").get().getSpec().getNodeName()).isNull();
    }

    @Test
    void anInvalidPodIsAFilterError() throws Exception {
        String bad = fixture("filter-node-names.json").replace("\"gantry.io/gpu-milli\": \"400\"",
                "\"gantry.io/gpu-milli\": \"4000\"");
        JsonNode result = post("filter", bad);
        assertThat(result.get("Error").asString()).startsWith("invalid GPU request: gantry.io/gpu-milli is 4000");
    }
}
