package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.kube.GantryScheduler;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.sandbox.BindingAwareCrudDispatcher;
import io.gantry.kube.sandbox.KubeSandbox;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chart's least-privilege RBAC is also enough: Gantry's scheduler runs with the chart's config against an
 * in-process API server, schedules the example pods (and fails one that fits nowhere) as leader, and every request
 * it sends is checked against the chart's ClusterRole and Role the way the API server's RBAC authorizer would.
 */
class RbacCoversTheSchedulerTest {

    /** Paths every authenticated user may read (the built-in system:discovery / public-info-viewer roles). */
    private static final Set<String> DISCOVERY = Set.of("/version", "/api", "/apis", "/openapi/v2", "/openapi/v3");

    private static final String USER_AGENT = "gantry-scheduler-under-test";

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void startApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new BindingAwareCrudDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stopApiServer() {
        client.close();
        server.destroy();
    }

    @Test
    void everyRequestOfTheRunningSchedulerIsAllowedByTheChartsRbac() throws Exception {
        List<HasMetadata> chart = SchedulerObjects.of(Deploy.renderObjects());
        SchedulerConfig chartConfig = SchedulerObjects.config(chart);
        SchedulerConfig.LeaderElection le = chartConfig.leaderElection();
        // the chart's config, with a free port and timings short enough to renew the lease during the test
        SchedulerConfig config = chartConfig.withServerPort(0)
                .withLeaderElection(new SchedulerConfig.LeaderElection(true, le.leaseName(), le.leaseNamespace(),
                        Duration.ofMillis(2000), Duration.ofMillis(1500), Duration.ofMillis(200)))
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));

        client.nodes().resource(KubeSandbox.gpuNode("gpu-v100-0", 4, "V100M32", 32, 128)).create();
        client.nodes().resource(KubeSandbox.gpuNode("gpu-a100-0", 8, "A100", 64, 512)).create();
        Pod whole = ExamplesTest.onePod("deploy/examples/pod-whole-gpu.yaml");
        Pod share = ExamplesTest.onePod("deploy/examples/pod-gpu-share.yaml");
        Pod tooBig = Deploy.copy(whole);
        tooBig.getMetadata().setName("train-16gpu");
        tooBig.getSpec().getContainers().get(0).getResources().getLimits()
                .put(GpuAnnotations.GPU_RESOURCE, new Quantity("16"));
        for (Pod p : List.of(whole, share, tooBig)) {
            client.pods().inNamespace("default").resource(p).create();
        }

        // the scheduler gets its own client, whose requests are told apart from the test's by the User-Agent
        try (KubernetesClient schedulerClient = new KubernetesClientBuilder().withConfig(
                new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build()).build();
                GantryScheduler scheduler = GantryScheduler.start(schedulerClient, config,
                        new GantryScheduler.Options(false, "gantry-0", Deploy.NAMESPACE, () -> { }))) {
            await("gantry-0 leads", () -> scheduler.loop().isLeader());
            await("both example pods bound", () -> node("train-2gpu") != null && node("infer-quarter-gpu") != null);
            assertThat(node("infer-quarter-gpu")).as("the model constraint V100M16|V100M32").isEqualTo("gpu-v100-0");
            assertThat(pod("infer-quarter-gpu").getMetadata().getAnnotations())
                    .containsEntry(GpuAnnotations.GPU_MILLI, "250");
            assertThat(GpuAssignmentCodec.decodeIds(pod("train-2gpu").getMetadata().getAnnotations()
                    .get(GpuAnnotations.GPU_IDS))).hasSize(2);
            await("train-16gpu marked unschedulable", () -> unschedulable("train-16gpu"));
            Lease lease = client.leases().inNamespace(Deploy.NAMESPACE).withName(le.leaseName()).get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("gantry-0");
            // the leader renews the lease (its writes are among the requests checked below): twice more
            for (int renewal = 1; renewal <= 2; renewal++) {
                String renewed = renewTime(le.leaseName());
                await("lease renewal " + renewal, () -> !java.util.Objects.equals(renewTime(le.leaseName()), renewed));
            }
        }

        List<PolicyRule> clusterRules = Deploy.one(chart, ClusterRole.class).getRules();
        Role role = Deploy.one(chart, Role.class);
        TreeSet<String> seen = new TreeSet<>();
        List<String> denied = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            if (!USER_AGENT.equals(r.getHeader("User-Agent"))) {
                continue;
            }
            Access a = Access.of(r.getMethod(), r.getPath());
            if (a == null) {
                assertThat(URI.create(r.getPath()).getPath()).as("non-resource request").isIn(DISCOVERY);
                continue;
            }
            seen.add(a.group() + "|" + a.resource() + "|" + a.verb());
            boolean allowed = a.allowedBy(clusterRules)
                    || a.namespace() != null && a.namespace().equals(role.getMetadata().getNamespace())
                    && a.allowedBy(role.getRules());
            if (!allowed) {
                denied.add(r.getMethod() + " " + r.getPath() + " -> " + a);
            }
        }
        assertThat(denied).as("requests the chart's RBAC would forbid").isEmpty();
        // the scheduler did all of its kinds of writes, so the check above covered them
        assertThat(seen).contains("|pods|watch", "|nodes|watch", "|persistentvolumeclaims|watch",
                "|persistentvolumes|watch", "storage.k8s.io|storageclasses|watch", "|pods/binding|create",
                "|pods/status|patch", "|events|create", "coordination.k8s.io|leases|create",
                "coordination.k8s.io|leases|patch");
        // the GPU decision travels on the Binding: the pod itself is never patched
        assertThat(seen).doesNotContain("|pods|patch");
    }

    /**
     * The requests of queues, gangs and preemption (issue 10), as the API server's authorizer sees them: reading
     * Queues, PodGroups, PriorityClasses, PodDisruptionBudgets and namespaces, writing only the status of Queues and
     * PodGroups, evicting victims and nominating the preemptor's node. Everything else on those objects is denied:
     * their specs are their owners' (admins, Trainer, KubeRay), and a victim is evicted, never deleted.
     */
    @Test
    void queueGangAndPreemptionRequestsAreAllowedAndNothingBeyondThem() {
        List<HasMetadata> chart = SchedulerObjects.of(Deploy.renderObjects());
        List<PolicyRule> rules = Deploy.one(chart, ClusterRole.class).getRules();
        String queues = "/apis/scheduling.gantry.io/v1alpha1/queues";
        String podGroups = "/apis/scheduling.x-k8s.io/v1alpha1/namespaces/team-a/podgroups";
        List<String> allowed = List.of(
                "GET " + queues, "GET " + queues + "?watch=true&resourceVersion=1", "GET " + queues + "/team-a",
                "GET " + queues + "/team-a/status", "PATCH " + queues + "/team-a/status",
                "PUT " + queues + "/team-a/status",
                "GET /apis/scheduling.x-k8s.io/v1alpha1/podgroups",
                "GET /apis/scheduling.x-k8s.io/v1alpha1/podgroups?watch=true",
                "GET " + podGroups + "/llama-finetune", "PATCH " + podGroups + "/llama-finetune/status",
                "PUT " + podGroups + "/llama-finetune/status",
                "GET /apis/scheduling.k8s.io/v1/priorityclasses?watch=true",
                "GET /apis/scheduling.k8s.io/v1/priorityclasses/gantry-train-high",
                "GET /apis/policy/v1/poddisruptionbudgets", "GET /apis/policy/v1/poddisruptionbudgets?watch=true",
                "GET /api/v1/namespaces", "GET /api/v1/namespaces?watch=true", "GET /api/v1/namespaces/team-a",
                "POST /api/v1/namespaces/team-a/pods/sweep-low/eviction",
                "PATCH /api/v1/namespaces/team-a/pods/train-high/status");
        List<String> denied = List.of(
                "POST " + queues, "PUT " + queues + "/team-a", "PATCH " + queues + "/team-a",
                "DELETE " + queues + "/team-a",
                "POST " + podGroups, "PATCH " + podGroups + "/llama-finetune",
                "DELETE " + podGroups + "/llama-finetune",
                "DELETE /api/v1/namespaces/team-a/pods/sweep-low",
                "POST /apis/scheduling.k8s.io/v1/priorityclasses",
                "PATCH /apis/policy/v1/namespaces/team-a/poddisruptionbudgets/sweep",
                "PATCH /api/v1/namespaces/team-a");
        for (String request : allowed) {
            String[] r = request.split(" ", 2);
            assertThat(Access.of(r[0], r[1]).allowedBy(rules)).as("allowed: %s", request).isTrue();
        }
        for (String request : denied) {
            String[] r = request.split(" ", 2);
            assertThat(Access.of(r[0], r[1]).allowedBy(rules)).as("denied: %s", request).isFalse();
        }
        assertThat(Access.of("POST", "/api/v1/namespaces/team-a/pods/sweep-low/eviction"))
                .isEqualTo(new Access("", "pods/eviction", "create", "team-a", "sweep-low"));
        assertThat(Access.of("PUT", queues + "/team-a/status"))
                .isEqualTo(new Access("scheduling.gantry.io", "queues/status", "update", null, "team-a"));
    }

    private String renewTime(String leaseName) {
        Lease lease = client.leases().inNamespace(Deploy.NAMESPACE).withName(leaseName).get();
        return lease == null || lease.getSpec().getRenewTime() == null ? null
                : lease.getSpec().getRenewTime().toString();
    }

    private Pod pod(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    private String node(String name) {
        Pod p = pod(name);
        return p == null ? null : p.getSpec().getNodeName();
    }

    private boolean unschedulable(String name) {
        Pod p = pod(name);
        List<PodCondition> conditions = p == null || p.getStatus() == null ? List.of() : p.getStatus().getConditions();
        return conditions != null && conditions.stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()));
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(25)).dontCatchUncaughtExceptions().until(condition::getAsBoolean);
    }

    /** A request as the RBAC authorizer sees it (Kubernetes' RequestInfo, for resource requests). */
    record Access(String group, String resource, String verb, String namespace, String name) {

        /** Null for a non-resource request. */
        static Access of(String method, String pathAndQuery) {
            URI uri = URI.create(pathAndQuery);
            List<String> p = Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
            int start;
            String group;
            if (p.size() >= 3 && p.get(0).equals("api")) {
                group = "";
                start = 2;
            } else if (p.size() >= 4 && p.get(0).equals("apis")) {
                group = p.get(1);
                start = 3;
            } else {
                return null;
            }
            List<String> rest = p.subList(start, p.size());
            String namespace = null;
            if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
                namespace = rest.get(1);
                rest = rest.subList(2, rest.size());
            }
            String resource = rest.get(0);
            String name = rest.size() > 1 ? rest.get(1) : null;
            if (rest.size() > 2) {
                resource = resource + "/" + rest.get(2);
            }
            String query = uri.getQuery() == null ? "" : uri.getQuery();
            boolean watch = Arrays.asList(query.split("&")).contains("watch=true")
                    || Arrays.asList(query.split("&")).contains("watch=1");
            String verb = switch (method) {
                case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> name == null ? "deletecollection" : "delete";
                default -> throw new AssertionError("HTTP method " + method);
            };
            return new Access(group, resource, verb, namespace, name);
        }

        boolean allowedBy(List<PolicyRule> rules) {
            for (PolicyRule rule : rules) {
                boolean names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                        || name != null && !verb.equals("create") && !verb.equals("list")
                        && rule.getResourceNames().contains(name);
                if (rule.getApiGroups().contains(group) && rule.getResources().contains(resource)
                        && rule.getVerbs().contains(verb) && names) {
                    return true;
                }
            }
            return false;
        }
    }
}
