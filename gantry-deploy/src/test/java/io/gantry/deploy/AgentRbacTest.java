package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.gantry.agent.k8s.ApiPodSource;
import io.gantry.agent.health.HealthTracker;
import io.gantry.agent.node.NodeHealthPublisher;
import io.gantry.agent.node.NodeLabeler;
import io.gantry.gpu.GpuDevice;
import java.time.Clock;
import java.time.Duration;
import io.gantry.deploy.RbacCoversTheSchedulerTest.Access;
import io.gantry.kube.sandbox.BindingAwareCrudDispatcher;
import io.gantry.kube.sandbox.KubeSandbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The agent's ClusterRole grants exactly what the agent asks of the API server: the pods of its node (which pod an
 * Allocate call is for, by the scheduler's annotations) and its own Node (labels). {@link #AGENT_REQUESTS} is checked
 * against the requests the agent's own classes send, recorded at a mock API server.
 */
class AgentRbacTest {

    /**
     * One kind of request: the RBAC verb, the resource (core API group), and its scope: "cluster" for a request
     * without a namespace (a cluster-scoped resource, or a list/watch across all namespaces), "namespaced" for one
     * in some namespace.
     */
    record Request(String verb, String resource, String scope) {

        static Request of(Access a) {
            assertThat(a.group()).as("the agent uses the core API group only: %s", a).isEmpty();
            return new Request(a.verb(), a.resource(), a.namespace() == null ? "cluster" : "namespaced");
        }

        /** A request of this kind, as the RBAC authorizer sees it (names are examples). */
        Access access() {
            boolean node = resource.equals("nodes");
            boolean named = verb.equals("get") || verb.equals("patch");
            return new Access("", resource, verb, scope.equals("namespaced") ? "team-a" : null,
                    named ? (node ? "gpu-node-0" : "train-2gpu") : null);
        }
    }

    /** Everything the agent asks of the API server (with agent.labelNode=true). */
    static final List<Request> AGENT_REQUESTS = List.of(
            // the node's pods, at each Allocate: GET /api/v1/pods?fieldSelector=spec.nodeName%3D<node>
            new Request("list", "pods", "cluster"),
            // its own Node annotated (Unhealthy GPUs) and labelled with merge patches, which fabric8 sends after
            // reading the Node: GET, PATCH /api/v1/nodes/<node>
            new Request("get", "nodes", "cluster"),
            new Request("patch", "nodes", "cluster"));

    private static final String USER_AGENT = "gantry-agent-under-test";
    private static final String NODE = "gpu-node-0";

    @Test
    void theClusterRoleGrantsExactlyTheAgentsRequests() {
        List<HasMetadata> agent = AgentObjects.of(Deploy.renderObjects());
        List<PolicyRule> rules = Deploy.one(agent, ClusterRole.class).getRules();

        for (Request r : AGENT_REQUESTS) {
            assertThat(r.access().allowedBy(rules)).as("%s allowed", r).isTrue();
        }
        assertThat(SchedulerObjects.permissions(rules)).as("and nothing more")
                .isEqualTo(grants(AGENT_REQUESTS));
        // requests without a namespace need a ClusterRoleBinding; a RoleBinding would not do
        assertThat(Deploy.one(agent, ClusterRoleBinding.class).getRoleRef().getName())
                .isEqualTo(Deploy.one(agent, ClusterRole.class).getMetadata().getName());
    }

    @Test
    void withoutNodeLabelsTheNodeIsStillPatchedForItsUnhealthyGpus() {
        List<PolicyRule> rules = Deploy.one(AgentObjects.of(Deploy.renderObjects("agent.labelNode", "false")),
                ClusterRole.class).getRules();
        assertThat(SchedulerObjects.permissions(rules)).isEqualTo(grants(AGENT_REQUESTS));
    }

    @Test
    void theRequestsAsAFabric8ClientSendsThemAreTheListedOnesAndAllowed() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new BindingAwareCrudDispatcher(), false);
        server.init();
        try (KubernetesClient admin = server.createClient()) {
            admin.nodes().resource(KubeSandbox.gpuNode(NODE, 4, "A100", 64, 512)).create();
            Pod pod = new PodBuilder().withNewMetadata().withName("train-2gpu").withNamespace("team-a").endMetadata()
                    .withNewSpec().withNodeName(NODE).addNewContainer().withName("main").withImage("cuda")
                    .endContainer().endSpec().build();
            admin.pods().inNamespace("team-a").resource(pod).create();

            // what the agent's own classes send, through a client told apart by its User-Agent
            try (KubernetesClient agent = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                    admin.getConfiguration()).withUserAgent(USER_AGENT).build()).build()) {
                assertThat(new ApiPodSource(agent, NODE).pendingPods()).isNotNull();
                assertThat(NodeLabeler.apply(agent, NODE, Map.of("nvidia.com/gpu.count", "4"))).isTrue();
                HealthTracker health = new HealthTracker(List.of("GPU-0"), Duration.ZERO, Clock.systemUTC());
                try (NodeHealthPublisher p = NodeHealthPublisher.start(agent, NODE,
                        List.of(new GpuDevice(0, "GPU-0", "A100", 81920, "", 0, -1, "", false)), health)) {
                    Awaitility.await("the node's health annotation written").atMost(Duration.ofSeconds(10))
                            .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                            .until(() -> p.published() != null);
                    assertThat(p.published()).isEqualTo("");
                }
            }
            assertThat(admin.nodes().withName(NODE).get().getMetadata().getLabels())
                    .containsEntry("nvidia.com/gpu.count", "4");

            List<PolicyRule> rules = Deploy.one(AgentObjects.of(Deploy.renderObjects()), ClusterRole.class)
                    .getRules();
            Set<Request> seen = new HashSet<>();
            List<String> denied = new ArrayList<>();
            RecordedRequest r;
            while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                if (!USER_AGENT.equals(r.getHeader("User-Agent"))) {
                    continue;
                }
                Access a = Access.of(r.getMethod(), r.getPath());
                assertThat(a).as("resource request: %s %s", r.getMethod(), r.getPath()).isNotNull();
                seen.add(Request.of(a));
                if (!a.allowedBy(rules)) {
                    denied.add(r.getMethod() + " " + r.getPath() + " -> " + a);
                }
            }
            assertThat(denied).as("requests the chart's agent ClusterRole would forbid").isEmpty();
            assertThat(seen).containsExactlyInAnyOrderElementsOf(AGENT_REQUESTS);
        } finally {
            server.destroy();
        }
    }

    /** {@code group|resource|verb} as {@link SchedulerObjects#permissions} writes them. */
    private static TreeSet<String> grants(List<Request> requests) {
        return requests.stream().map(r -> "|" + r.resource() + "|" + r.verb())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
