package io.gantry.loadtest.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gantry.kube.scheduling.KubeApi;
import io.gantry.loadtest.Workload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The standalone API server's Kubernetes semantics, through fabric8's client as Gantry uses it. */
class ApiServerTest {

    private static final String NS = "team";

    private ApiServer server;
    private KubernetesClient client;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = ApiServer.start("127.0.0.1", 0, 2, 1000);
        client = client(false);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private KubernetesClient client(boolean onlyHttpWatches) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withNamespace(NS)
                .withOnlyHttpWatches(onlyHttpWatches).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static Pod pod(String name, String scheduler) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withSchedulerName(scheduler).addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec().build();
    }

    private HttpResponse<String> bind(String pod, String node, Map<String, String> annotations, String uid)
            throws Exception {
        StringBuilder meta = new StringBuilder("{\"name\":\"" + pod + "\"");
        if (uid != null) {
            meta.append(",\"uid\":\"").append(uid).append('"');
        }
        if (!annotations.isEmpty()) {
            meta.append(",\"annotations\":{");
            meta.append(String.join(",", annotations.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"").toList()));
            meta.append('}');
        }
        meta.append('}');
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":" + meta
                + ",\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"" + node + "\"}}";
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces/" + NS + "/pods/" + pod
                + "/binding")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void createsGetsListsAndAnswersMissingAndDuplicateObjectsAsTheApiServerDoes() {
        Pod created = client.pods().inNamespace(NS).resource(pod("p1", "gantry")).create();
        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(created.getMetadata().getCreationTimestamp()).endsWith("Z");
        assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
        client.pods().inNamespace("other").resource(pod("p2", "gantry").edit().editMetadata().withNamespace("other")
                .endMetadata().build()).create();
        client.nodes().resource(Workload.node(new Workload.NodeShape("n1", 8, "A100"))).create();

        assertThat(client.pods().inNamespace(NS).withName("p1").get().getMetadata().getUid())
                .isEqualTo(created.getMetadata().getUid());
        assertThat(client.pods().inNamespace(NS).withName("missing").get()).isNull();
        assertThat(client.pods().inNamespace(NS).list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactly("p1");
        assertThat(client.pods().inAnyNamespace().list().getItems()).hasSize(2);
        assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName()).containsExactly("n1");
        assertThatThrownBy(() -> client.pods().inNamespace(NS).resource(pod("p1", "gantry")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(client.pods().inNamespace(NS).withName("p1").delete()).hasSize(1);
        assertThat(client.pods().inNamespace(NS).withName("p1").get()).isNull();
    }

    @Test
    void bindSetsTheNodeCopiesTheBindingsAnnotationsSetsPodScheduledAndRefusesASecondBind() throws Exception {
        Pod p = client.pods().inNamespace(NS).resource(pod("p1", "gantry")).create();

        HttpResponse<String> first = bind("p1", "n1", Map.of("gantry.io/gpu-ids", "0,1", "gantry.io/gpu-milli",
                "1000"), p.getMetadata().getUid());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        Pod bound = client.pods().inNamespace(NS).withName("p1").get();
        assertThat(bound.getSpec().getNodeName()).isEqualTo("n1");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-ids", "0,1")
                .containsEntry("gantry.io/gpu-milli", "1000");
        assertThat(bound.getStatus().getConditions()).extracting(PodCondition::getType, PodCondition::getStatus)
                .contains(org.assertj.core.groups.Tuple.tuple("PodScheduled", "True"));
        assertThat(Long.parseLong(bound.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(p.getMetadata().getResourceVersion()));

        HttpResponse<String> second = bind("p1", "n2", Map.of(), null);
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body()).contains("already assigned to node \\\"n1\\\"", "\"reason\":\"Conflict\"");
        assertThat(client.pods().inNamespace(NS).withName("p1").get().getSpec().getNodeName()).isEqualTo("n1");

        assertThat(bind("missing", "n1", Map.of(), null).statusCode()).isEqualTo(404);
        client.pods().inNamespace(NS).resource(pod("p2", "gantry")).create();
        HttpResponse<String> wrongUid = bind("p2", "n1", Map.of(), "not-the-uid");
        assertThat(wrongUid.statusCode()).isEqualTo(409);
        assertThat(wrongUid.body()).contains("Precondition failed");
        assertThat(client.pods().inNamespace(NS).withName("p2").get().getSpec().getNodeName()).isNull();

        client.pods().inNamespace(NS).resource(pod("gated", "gantry").edit().editSpec().addNewSchedulingGate()
                .withName("example.com/quota").endSchedulingGate().endSpec().build()).create();
        HttpResponse<String> gated = bind("gated", "n1", Map.of(), null);
        assertThat(gated.statusCode()).isEqualTo(409);
        assertThat(gated.body()).contains("has non-empty .spec.schedulingGates");
        assertThat(client.pods().inNamespace(NS).withName("gated").get().getSpec().getNodeName()).isNull();

        int[] binds = server.store().locked(l -> new int[] {l.pods().get(NS + "/p1").binds(), l.conflicts(),
            l.bound()});
        assertThat(binds).containsExactly(1, 2, 1);
    }

    @Test
    void theBindingsCollectionBindsToo() {
        client.pods().inNamespace(NS).resource(pod("p1", "gantry")).create();
        Binding binding = new BindingBuilder().withNewMetadata().withName("p1").withNamespace(NS).endMetadata()
                .withNewTarget().withKind("Node").withName("n3").endTarget().build();
        client.bindings().inNamespace(NS).resource(binding).create();
        assertThat(client.pods().inNamespace(NS).withName("p1").get().getSpec().getNodeName()).isEqualTo("n3");
    }

    @Test
    void fieldSelectorsOnNodeNameSchedulerNameAndPhaseAnswerFromTheIndexAndRefuseUnknownFields() throws Exception {
        client.pods().inNamespace(NS).resource(pod("a", "gantry")).create();
        client.pods().inNamespace(NS).resource(pod("b", "gantry")).create();
        client.pods().inNamespace(NS).resource(pod("c", "default-scheduler")).create();
        assertThat(bind("a", "n1", Map.of(), null).statusCode()).isEqualTo(201);

        assertThat(names(client.pods().inAnyNamespace().withField("spec.nodeName", "n1").list().getItems()))
                .containsExactly("a");
        assertThat(names(client.pods().inNamespace(NS).withField("spec.nodeName", "").list().getItems()))
                .containsExactlyInAnyOrder("b", "c");
        assertThat(names(client.pods().inNamespace(NS).withField("spec.schedulerName", "gantry").list().getItems()))
                .containsExactlyInAnyOrder("a", "b");
        assertThat(names(client.pods().inNamespace(NS).withoutField("spec.schedulerName", "gantry").list()
                .getItems())).containsExactly("c");
        assertThat(names(client.pods().inNamespace(NS).withField("spec.schedulerName", "gantry")
                .withField("spec.nodeName", "").list().getItems())).containsExactly("b");
        assertThat(names(client.pods().inNamespace(NS).withField("status.phase", "Pending").list().getItems()))
                .hasSize(3);
        assertThatThrownBy(() -> client.pods().inNamespace(NS).withField("spec.hostname", "x").list())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("field label not supported: spec.hostname");
                });
        assertThatThrownBy(() -> client.pods().inNamespace(NS).withLabelIn("app", "x", "y").list())
                .isInstanceOfSatisfying(KubernetesClientException.class,
                        e -> assertThat(e.getMessage()).contains("set-based label selector"));
    }

    private static List<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void informersListThenWatchAndSeeBindsOverWebSocketsAndOverHttp() throws Exception {
        for (boolean onlyHttp : new boolean[] {false, true}) {
            String ns = onlyHttp ? "http" : "ws";
            try (KubernetesClient watching = client(onlyHttp)) {
                client.pods().inNamespace(ns).resource(pod("before", "gantry").edit().editMetadata().withNamespace(ns)
                        .endMetadata().build()).create();
                Map<String, String> nodeOf = new ConcurrentHashMap<>();
                SharedIndexInformer<Pod> informer = watching.pods().inNamespace(ns).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        nodeOf.put(pod.getMetadata().getName(), String.valueOf(pod.getSpec().getNodeName()));
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod newPod) {
                        onAdd(newPod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean unknown) {
                        nodeOf.remove(pod.getMetadata().getName());
                    }
                }, 0);
                try {
                    await("the initial list", () -> nodeOf.containsKey("before"));
                    client.pods().inNamespace(ns).resource(pod("after", "gantry").edit().editMetadata()
                            .withNamespace(ns).endMetadata().build()).create();
                    await("the watched ADDED", () -> nodeOf.containsKey("after"));
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url()
                            + "/api/v1/namespaces/" + ns + "/pods/after/binding"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"target\":{\"name\":\"n9\"}}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(201);
                    await("the watched bind", () -> "n9".equals(nodeOf.get("after")));
                    client.pods().inNamespace(ns).withName("before").delete();
                    await("the watched DELETED", () -> !nodeOf.containsKey("before"));
                } finally {
                    informer.close();
                }
            }
        }
        assertThat(server.requestCounts()).containsKeys("WATCH pods (websocket)", "WATCH pods", "LIST pods");
    }

    @Test
    void aWatchOnANodesPodsSeesAPodArriveWhenItIsBoundAndTheUnscheduledWatchSeesItLeave() throws Exception {
        client.pods().inNamespace(NS).resource(pod("p", "gantry")).create();
        List<String> onNode = new CopyOnWriteArrayList<>();
        List<String> unscheduled = new CopyOnWriteArrayList<>();
        Watch w1 = client.pods().inAnyNamespace().withField("spec.nodeName", "n1").watch(recorder(onNode));
        Watch w2 = client.pods().inAnyNamespace().withField("spec.nodeName", "").watch(recorder(unscheduled));
        try {
            await("the unscheduled pod", () -> unscheduled.contains("ADDED p"));
            assertThat(bind("p", "n1", Map.of(), null).statusCode()).isEqualTo(201);
            await("the pod on n1", () -> onNode.contains("ADDED p"));
            await("the pod leaving the unscheduled watch", () -> unscheduled.contains("DELETED p"));
            client.pods().inNamespace(NS).withName("p").edit(x -> new PodBuilder(x).editMetadata()
                    .addToLabels("k", "v").endMetadata().build());
            await("the update on n1", () -> onNode.contains("MODIFIED p"));
            assertThat(onNode).containsExactly("ADDED p", "MODIFIED p");
            assertThat(unscheduled).containsExactly("ADDED p", "DELETED p");
        } finally {
            w1.close();
            w2.close();
        }
    }

    private static Watcher<Pod> recorder(List<String> into) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                into.add(action + " " + pod.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    @Test
    void aWatchResumesFromAResourceVersionAndOneOlderThanTheHistoryIsGone() throws Exception {
        Pod first = client.pods().inNamespace(NS).resource(pod("p0", "gantry")).create();
        client.pods().inNamespace(NS).resource(pod("p1", "gantry")).create();
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch w = client.pods().inNamespace(NS).withResourceVersion(first.getMetadata().getResourceVersion())
                .watch(recorder(seen));
        try {
            await("the change after the version", () -> seen.contains("ADDED p1"));
            assertThat(seen).doesNotContain("ADDED p0");
        } finally {
            w.close();
        }
        for (int i = 2; i < 1_100; i++) { // the history keeps 1,000 changes
            server.store().create(ResourceType.PODS, NS, (tools.jackson.databind.node.ObjectNode)
                    new tools.jackson.databind.ObjectMapper().readTree("{\"metadata\":{\"name\":\"p" + i
                            + "\"}}"));
        }
        HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces/"
                + NS + "/pods?watch=true&resourceVersion=" + first.getMetadata().getResourceVersion())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(gone.body()).contains("\"type\":\"ERROR\"", "\"code\":410", "too old resource version");
    }

    @Test
    void mergeAndStrategicPatchesApplyAndUnsupportedListsAreRefusedNotReplaced() {
        client.pods().inNamespace(NS).resource(pod("p", "gantry")).create();
        var pods = client.pods().inNamespace(NS).withName("p");
        pods.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}}");
        pods.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"b\":null}}}");
        assertThat(pods.get().getMetadata().getAnnotations()).containsExactly(Map.entry("a", "1"));

        var status = pods.subresource("status");
        status.patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"status\":{\"conditions\":[{\"type\":\"X\","
                + "\"status\":\"True\"}]}}");
        status.patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"status\":{\"conditions\":[{\"type\":"
                + "\"PodScheduled\",\"status\":\"False\",\"reason\":\"Unschedulable\"}]}}");
        status.patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"status\":{\"conditions\":[{\"type\":\"X\","
                + "\"status\":\"False\"}]}}");
        assertThat(pods.get().getStatus().getConditions()).extracting(PodCondition::getType, PodCondition::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("X", "False"),
                        org.assertj.core.groups.Tuple.tuple("PodScheduled", "False"));
        assertThatThrownBy(() -> pods.patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"j\"}]}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(415);
                    assertThat(e.getMessage()).contains("spec.containers");
                });
        assertThat(pods.get().getSpec().getContainers()).extracting(c -> c.getImage()).containsExactly("i");
        pods.patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/metadata/labels\","
                + "\"value\":{\"k\":\"v\"}}]");
        assertThat(pods.get().getMetadata().getLabels()).containsExactly(Map.entry("k", "v"));
        assertThatThrownBy(() -> pods.patch(PatchContext.of(PatchType.SERVER_SIDE_APPLY), "{\"metadata\":{}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(415);
                    assertThat(e.getMessage()).contains("application/apply-patch+yaml");
                });
    }

    @Test
    void leaderElectionOnALeaseWorks() throws Exception {
        AtomicBoolean leading = new AtomicBoolean();
        Future<?> election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder().withName("t")
                .withLock(new LeaseLock("gantry-system", "gantry-scheduler", "me"))
                .withLeaseDuration(Duration.ofSeconds(15)).withRenewDeadline(Duration.ofSeconds(10))
                .withRetryPeriod(Duration.ofSeconds(1)).withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> leading.set(true), () -> leading.set(false), l -> { }))
                .build()).build().start();
        try {
            await("leadership", leading::get);
            assertThat(client.resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class)
                    .inNamespace("gantry-system").withName("gantry-scheduler").get().getSpec().getHolderIdentity())
                    .isEqualTo("me");
        } finally {
            election.cancel(true);
        }
    }

    @Test
    void queuesAndPodGroupsAreServedAsGenericResourcesListedWatchedAndStatusPatched() throws Exception {
        GenericKubernetesResource queue = new GenericKubernetesResourceBuilder()
                .withApiVersion("scheduling.gantry.io/v1alpha1").withKind("Queue")
                .withNewMetadata().withName("team-a").endMetadata()
                .addToAdditionalProperties("spec", Map.of("quota", List.of(Map.of("resource", "gpu",
                        "guaranteed", "16"))))
                .build();
        GenericKubernetesResource group = new GenericKubernetesResourceBuilder()
                .withApiVersion("scheduling.x-k8s.io/v1alpha1").withKind("PodGroup")
                .withNewMetadata().withName("llama").withNamespace(NS).endMetadata()
                .addToAdditionalProperties("spec", Map.of("minMember", 4))
                .build();
        // the scheduler's own resource contexts and informers, as TenantObjects is fed
        List<String> seen = new CopyOnWriteArrayList<>();
        SharedIndexInformer<GenericKubernetesResource> queues = client.genericKubernetesResources(KubeApi.QUEUES)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource obj) {
                        seen.add("add " + obj.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                        seen.add("update " + newObj.getMetadata().getName());
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                        seen.add("delete " + obj.getMetadata().getName());
                    }
                }, 0);
        try {
            client.genericKubernetesResources(KubeApi.QUEUES).resource(queue).create();
            client.genericKubernetesResources(KubeApi.POD_GROUPS).inNamespace(NS).resource(group).create();

            assertThat(client.genericKubernetesResources(KubeApi.QUEUES).list().getItems())
                    .extracting(q -> q.getMetadata().getName()).containsExactly("team-a");
            assertThat(client.genericKubernetesResources(KubeApi.POD_GROUPS).inAnyNamespace().list().getItems())
                    .extracting(g -> g.getMetadata().getNamespace() + "/" + g.getMetadata().getName())
                    .containsExactly(NS + "/llama");
            GenericKubernetesResource got = client.genericKubernetesResources(KubeApi.POD_GROUPS).inNamespace(NS)
                    .withName("llama").get();
            assertThat(got.getAdditionalProperties().get("spec")).isEqualTo(Map.of("minMember", 4));

            // the status writers' merge patch of the status subresource changes the status only
            client.genericKubernetesResources(KubeApi.QUEUES).withName("team-a").subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"pendingPods\":3},"
                            + "\"spec\":{\"weight\":9}}");
            GenericKubernetesResource patched = client.genericKubernetesResources(KubeApi.QUEUES)
                    .withName("team-a").get();
            assertThat(patched.getAdditionalProperties().get("status")).isEqualTo(Map.of("pendingPods", 3));
            assertThat(patched.getAdditionalProperties().get("spec")).isEqualTo(queue.getAdditionalProperties()
                    .get("spec"));
            await("the queue's watch events", () -> seen.containsAll(List.of("add team-a", "update team-a")));

            client.genericKubernetesResources(KubeApi.QUEUES).withName("team-a").delete();
            await("the queue's deletion", () -> seen.contains("delete team-a"));
            HttpResponse<String> namespaced = http.send(HttpRequest.newBuilder(URI.create(server.url()
                    + "/apis/scheduling.gantry.io/v1alpha1/namespaces/" + NS + "/queues"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"kind\":\"Queue\",\"metadata\":{\"name\":\"q\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(namespaced.statusCode()).isEqualTo(400);
            assertThat(namespaced.body()).contains("queues are cluster-scoped");
        } finally {
            queues.close();
        }
    }

    @Test
    void evictionDeletesThePodAtOnceAndHonoursTheUidPreconditionAndDryRun() throws Exception {
        Pod p = client.pods().inNamespace(NS).resource(pod("victim", "gantry")).create();
        assertThat(bind("victim", "n1", Map.of(), null).statusCode()).isEqualTo(201);

        HttpResponse<String> dry = evict("victim", p.getMetadata().getUid(), "?dryRun=All");
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(201);
        assertThat(client.pods().inNamespace(NS).withName("victim").get()).isNotNull();

        HttpResponse<String> wrongUid = evict("victim", "not-the-uid", "");
        assertThat(wrongUid.statusCode()).isEqualTo(409);
        assertThat(wrongUid.body()).contains("Precondition failed", "\"reason\":\"Conflict\"");
        assertThat(client.pods().inNamespace(NS).withName("victim").get()).isNotNull();

        assertThat(evict("missing", null, "").statusCode()).isEqualTo(404);

        HttpResponse<String> granted = evict("victim", p.getMetadata().getUid(), "");
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
        assertThat(client.pods().inNamespace(NS).withName("victim").get()).isNull();
        // fabric8's own eviction (policy/v1) is answered the same way
        client.pods().inNamespace(NS).resource(pod("other", "gantry")).create();
        assertThat(client.pods().inNamespace(NS).withName("other").evict()).isTrue();
        assertThat(client.pods().inNamespace(NS).withName("other").get()).isNull();

        boolean[] evicted = server.store().locked(l -> new boolean[] {l.pods().get(NS + "/victim").evicted(),
            l.pods().get(NS + "/other").evicted(), l.evictions() == 2});
        assertThat(evicted).containsExactly(true, true, true);
    }

    private HttpResponse<String> evict(String pod, String uid, String query) throws Exception {
        String body = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + pod
                + "\",\"namespace\":\"" + NS + "\"},\"deleteOptions\":{" + (uid == null ? ""
                : "\"preconditions\":{\"uid\":\"" + uid + "\"}") + "}}";
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces/" + NS + "/pods/" + pod
                + "/eviction" + query)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anUnknownResourceAndAWatchListAreRefusedNamingWhatIsServed() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url()
                + "/apis/apps/v1/namespaces/x/deployments")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("does not serve apps/v1/deployments", "v1/pods");
        HttpResponse<String> watchList = http.send(HttpRequest.newBuilder(URI.create(server.url()
                + "/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(watchList.statusCode()).isEqualTo(400);
        assertThat(watchList.body()).contains("sendInitialEvents", "not supported");
    }
}
