package io.gantry.deploy;

import static io.gantry.deploy.Deploy.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.gantry.kube.config.SchedulerConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** deploy/manifests/gantry-scheduler.yaml: complete on its own, and the same objects as the chart's defaults. */
class PlainManifestsTest {

    static final String FILE = "deploy/manifests/gantry-scheduler.yaml";

    static List<HasMetadata> manifests;

    @BeforeAll
    static void parse() {
        manifests = Deploy.parseFile(FILE);
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
        List<HasMetadata> chart = sorted(Deploy.renderObjects().stream().map(PlainManifestsTest::withoutHelm).toList());
        List<HasMetadata> plain = sorted(manifests.stream().filter(o -> !(o instanceof Namespace)).toList());

        assertThat(plain.stream().map(PlainManifestsTest::id).toList())
                .isEqualTo(chart.stream().map(PlainManifestsTest::id).toList());
        for (int i = 0; i < chart.size(); i++) {
            assertThat(plain.get(i)).as("%s in %s (regenerate it from `helm template`)", id(plain.get(i)), FILE)
                    .usingRecursiveComparison().isEqualTo(chart.get(i));
        }
        assertThat(SchedulerObjects.config(manifests)).isEqualTo(SchedulerObjects.config(Deploy.renderObjects()));
    }

    /** The chart's object without what only Helm needs: its labels and the config checksum annotation. */
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
