package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.gantry.kube.config.SchedulerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every object of the chart, the plain manifests and the examples goes to an API server (fabric8's in-process mock,
 * CRUD mode) and comes back as written.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ApplyToApiServerTest {

    static KubernetesClient client;

    @Test
    void plainManifestsApplyAndReadBack() {
        List<HasMetadata> objects = Deploy.parseFile(PlainManifestsTest.FILE);
        applyAndReadBack(objects);

        assertThat(client.namespaces().withName(Deploy.NAMESPACE).get()).isNotNull();
        Deployment d = client.apps().deployments().inNamespace(Deploy.NAMESPACE).withName("gantry").get();
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .isEqualTo(SchedulerObjects.SCHEDULER_ARGS);
        ConfigMap cm = client.configMaps().inNamespace(Deploy.NAMESPACE).withName("gantry-config").get();
        SchedulerConfig config = SchedulerConfig.parse(cm.getData().get("config.yaml"), "applied ConfigMap");
        Role role = client.rbac().roles().inNamespace(Deploy.NAMESPACE).withName("gantry-leader-election").get();
        assertThat(SchedulerObjects.permissions(role.getRules()))
                .contains("coordination.k8s.io|leases|update|" + config.leaderElection().leaseName());
        ClusterRole clusterRole = client.rbac().clusterRoles().withName("gantry").get();
        SchedulerObjects.assertLeastPrivilege(clusterRole.getRules());
    }

    @Test
    void chartRenderInExtenderModeAppliesAndReadsBack() {
        String namespace = "gantry-ext";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).create();
        // release "gantry-ext" keeps its cluster-scoped names apart from the plain manifests' "gantry"
        List<HasMetadata> objects = Deploy.parse(Deploy.render("gantry-ext", namespace, "mode", "extender",
                "replicaCount", "3"));
        applyAndReadBack(objects);

        Deployment d = client.apps().deployments().inNamespace(namespace).withName("gantry-ext").get();
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).endsWith("--extender");
        assertThat(client.rbac().clusterRoleBindings().withName("gantry-ext").get().getSubjects().get(0)
                .getNamespace()).isEqualTo(namespace);
        // the chart's CRDs (the only render here that keeps them: their names are cluster-wide and fixed)
        assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
                .extracting(c -> c.getMetadata().getName())
                .contains("queues.scheduling.gantry.io", "podgroups.scheduling.x-k8s.io");
    }

    @Test
    void agentPlainManifestsApplyAndReadBack() {
        applyAndReadBack(Deploy.parseFile(PlainManifestsTest.AGENT_FILE));

        Namespace ns = client.namespaces().withName(Deploy.AGENT_NAMESPACE).get();
        assertThat(ns.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "privileged");
        DaemonSet ds = client.apps().daemonSets().inNamespace(Deploy.AGENT_NAMESPACE).withName("gantry-agent").get();
        assertThat(AgentObjects.args(ds).get(0)).isEqualTo("agent");
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getHostPath() != null)
                .extracting(v -> v.getHostPath().getPath())
                .containsExactlyInAnyOrder(AgentObjects.DEVICE_PLUGINS_DIR, AgentObjects.POD_RESOURCES_DIR);
        assertThat(client.rbac().clusterRoleBindings().withName("gantry-agent").get().getSubjects().get(0)
                .getNamespace()).isEqualTo(Deploy.AGENT_NAMESPACE);
    }

    @Test
    void chartRenderWithTheFakeAgentAppliesAndReadsBack() {
        String namespace = "gantry-demo";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).create();
        List<HasMetadata> rendered = AgentChartTest.renderFake(namespace, Deploy.read(AgentChartTest.FAKE_INVENTORY));
        // the CRDs are the extender render's: a second create of the same cluster-wide names would conflict
        List<HasMetadata> objects = rendered.stream().filter(o -> !Deploy.component(List.of(o), Deploy.CRDS)
                .contains(o)).toList();
        assertThat(objects).hasSize(rendered.size() - 2);
        assertThat(AgentObjects.of(objects)).isNotEmpty();
        applyAndReadBack(objects);

        DaemonSet ds = client.apps().daemonSets().inNamespace(namespace).withName("gantry-demo-agent").get();
        assertThat(AgentObjects.arg(AgentObjects.args(ds), "--backend")).isEqualTo("fake");
        ConfigMap inventory = client.configMaps().inNamespace(namespace).withName("gantry-demo-agent-inventory").get();
        assertThat(inventory.getData().get("inventory.yaml")).contains("GPU-");
        assertThat(client.apps().deployments().inNamespace(namespace).withName("gantry-demo").get())
                .as("the scheduler beside it").isNotNull();
    }

    @Test
    void examplePodsApplyAndKeepTheirSchedulerName() {
        for (String file : List.of("deploy/examples/pod-whole-gpu.yaml", "deploy/examples/pod-gpu-share.yaml",
                "deploy/examples/deployment-gpu-share.yaml")) {
            applyAndReadBack(Deploy.parseFile(file));
        }
        List<Pod> pods = client.pods().inNamespace("default").list().getItems();
        assertThat(pods).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("train-2gpu", "infer-quarter-gpu");
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getSpec().getSchedulerName()).isEqualTo("gantry");
            assertThat(p.getSpec().getNodeName()).as("nothing bound it").isNull();
            ExamplesTest.request(p);
        });
        assertThat(client.apps().deployments().inNamespace("default").withName("infer-half-gpu").get().getSpec()
                .getTemplate().getSpec().getSchedulerName()).isEqualTo("gantry");
    }

    /** Creates each object (namespaces first) and checks the server returns the same spec. */
    private static void applyAndReadBack(List<HasMetadata> objects) {
        for (HasMetadata o : objects.stream().sorted((a, b) -> Boolean.compare(!(a instanceof Namespace),
                !(b instanceof Namespace))).toList()) {
            HasMetadata created = client.resource(o).create();
            assertThat(created.getMetadata().getUid()).as("created %s", o.getMetadata().getName()).isNotNull();
            HasMetadata back = client.resource(o).get();
            assertThat(back).as("%s %s read back", o.getKind(), o.getMetadata().getName()).isNotNull();
            assertThat(back.getKind()).isEqualTo(o.getKind());
            assertThat(back.getMetadata().getNamespace()).isEqualTo(o.getMetadata().getNamespace());
            assertThat(back.getMetadata().getLabels()).isEqualTo(o.getMetadata().getLabels());
            assertThat(back).usingRecursiveComparison()
                    .ignoringFields("metadata.uid", "metadata.resourceVersion", "metadata.creationTimestamp",
                            "metadata.generation", "metadata.managedFields", "status")
                    .isEqualTo(o);
        }
    }
}
