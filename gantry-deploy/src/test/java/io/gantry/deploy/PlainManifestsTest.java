package io.gantry.deploy;

import static io.gantry.deploy.Deploy.AGENT_NAMESPACE;
import static io.gantry.deploy.Deploy.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.gantry.kube.config.SchedulerConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/manifests/: gantry-scheduler.yaml and gantry-agent.yaml, each complete on its own (with its Namespace), and
 * the same objects as the chart's defaults.
 */
class PlainManifestsTest {

    static final String FILE = "deploy/manifests/gantry-scheduler.yaml";
    static final String AGENT_FILE = "deploy/manifests/gantry-agent.yaml";

    static List<HasMetadata> manifests;
    static List<HasMetadata> agentManifests;

    @BeforeAll
    static void parse() {
        manifests = Deploy.parseFile(FILE);
        agentManifests = Deploy.parseFile(AGENT_FILE);
    }

    @Test
    void theNamespaceAndEverythingTheSchedulerNeeds() {
        assertThat(Deploy.kinds(manifests)).containsExactly("ClusterRole", "ClusterRoleBinding", "ConfigMap",
                "Deployment", "Namespace", "Role", "RoleBinding", "Service", "ServiceAccount");
        assertThat(manifests.get(0)).as("the Namespace comes first, so kubectl apply creates it first")
                .isInstanceOf(Namespace.class);
        assertThat(manifests.get(0).getMetadata().getName()).isEqualTo(NAMESPACE);
        SchedulerConfig config = SchedulerObjects.check(manifests, NAMESPACE, 2, false);
        assertThat(config.schedulerName()).isEqualTo("gantry");
    }

    @Test
    void theSameObjectsAsTheChartsDefaultRender() {
        assertSameObjects(FILE, manifests, SchedulerObjects.of(Deploy.renderObjects()));
        assertThat(SchedulerObjects.config(manifests)).isEqualTo(SchedulerObjects.config(Deploy.renderObjects()));
    }

    @Test
    void theAgentsNamespaceAdmitsItAndEverythingTheAgentNeedsIsThere() {
        assertThat(Deploy.kinds(agentManifests)).containsExactly("ClusterRole", "ClusterRoleBinding", "DaemonSet",
                "Namespace", "Service", "ServiceAccount");
        assertThat(agentManifests.get(0)).as("the Namespace comes first").isInstanceOf(Namespace.class);
        Namespace ns = (Namespace) agentManifests.get(0);
        assertThat(ns.getMetadata().getName()).isEqualTo(AGENT_NAMESPACE).isNotEqualTo(NAMESPACE);
        // hostPath volumes and root: below "privileged" the API server would refuse the agent's pods
        assertThat(ns.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "privileged");
        assertThat(manifests.get(0).getMetadata().getLabels())
                .as("the scheduler's namespace stays restricted, which is why the agent has its own")
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        DaemonSet ds = AgentObjects.check(agentManifests, AGENT_NAMESPACE);
        assertThat(AgentObjects.arg(AgentObjects.args(ds), "--backend")).isEqualTo("auto");
    }

    @Test
    void theAgentsObjectsAreTheChartsDefaultRenderInItsNamespace() {
        List<HasMetadata> chart = AgentObjects.of(Deploy.parse(Deploy.render(Deploy.RELEASE, AGENT_NAMESPACE)));
        assertSameObjects(AGENT_FILE, agentManifests, chart);
    }

    @Test
    void theCrdsAreTheChartsDefaultRenderOneFileEach() {
        List<HasMetadata> plain = new java.util.ArrayList<>(Deploy.parseFile(CrdsTest.QUEUE_FILE));
        assertThat(plain).singleElement().isInstanceOf(CustomResourceDefinition.class);
        List<HasMetadata> podGroup = Deploy.parseFile(CrdsTest.POD_GROUP_FILE);
        assertThat(podGroup).as("a file of its own: skipped where the PodGroup CRD is already installed")
                .singleElement().isInstanceOf(CustomResourceDefinition.class);
        plain.addAll(podGroup);
        List<HasMetadata> chart = Deploy.component(Deploy.renderObjects(), Deploy.CRDS).stream().map(o -> {
            HasMetadata c = Deploy.copy(o);
            strip(c.getMetadata());
            Map<String, String> annotations = c.getMetadata().getAnnotations();
            assertThat(annotations.remove("helm.sh/resource-policy")).isEqualTo("keep");
            return c;
        }).toList();
        assertThat(chart).hasSize(2);
        List<HasMetadata> expected = sorted(chart);
        List<HasMetadata> actual = sorted(plain);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("%s (regenerate it from `helm template`)", id(actual.get(i)))
                    .usingRecursiveComparison().isEqualTo(expected.get(i));
        }
        // the scheduler's plain manifests grant what the chart grants, CRDs or not
        assertThat(Deploy.kinds(manifests)).doesNotContain("CustomResourceDefinition");
    }

    /** {@code plain} (less its Namespace) holds the same objects as {@code chart}, less what only Helm needs. */
    private static void assertSameObjects(String file, List<HasMetadata> plain, List<HasMetadata> chart) {
        List<HasMetadata> expected = sorted(chart.stream().map(PlainManifestsTest::withoutHelm).toList());
        List<HasMetadata> actual = sorted(plain.stream().filter(o -> !(o instanceof Namespace)).toList());

        assertThat(actual.stream().map(PlainManifestsTest::id).toList())
                .isEqualTo(expected.stream().map(PlainManifestsTest::id).toList());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("%s in %s (regenerate it from `helm template`)", id(actual.get(i)), file)
                    .usingRecursiveComparison().isEqualTo(expected.get(i));
        }
    }

    /** The chart's object without what only Helm needs: its labels and the checksum annotations. */
    private static HasMetadata withoutHelm(HasMetadata object) {
        HasMetadata o = Deploy.copy(object);
        strip(o.getMetadata());
        if (o instanceof Deployment d) {
            ObjectMeta template = d.getSpec().getTemplate().getMetadata();
            strip(template);
            Map<String, String> annotations = template.getAnnotations();
            assertThat(annotations).containsKey("checksum/config");
            annotations.remove("checksum/config");
        }
        if (o instanceof DaemonSet ds) {
            ObjectMeta template = ds.getSpec().getTemplate().getMetadata();
            strip(template);
            if (template.getAnnotations() != null) {
                template.getAnnotations().remove("checksum/inventory");
            }
        }
        return o;
    }

    private static void strip(ObjectMeta meta) {
        Map<String, String> labels = meta.getLabels();
        assertThat(labels).containsEntry("app.kubernetes.io/managed-by", "Helm").containsKey("helm.sh/chart");
        labels.remove("app.kubernetes.io/managed-by");
        labels.remove("helm.sh/chart");
    }

    private static List<HasMetadata> sorted(List<HasMetadata> objects) {
        return objects.stream().sorted(Comparator.comparing(PlainManifestsTest::id)).toList();
    }

    private static String id(HasMetadata o) {
        return o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }
}
