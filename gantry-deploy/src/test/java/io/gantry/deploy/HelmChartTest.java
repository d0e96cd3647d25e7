package io.gantry.deploy;

import static io.gantry.deploy.Deploy.NAMESPACE;
import static io.gantry.deploy.Deploy.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.gantry.engine.Policy;
import io.gantry.engine.PolicyRegistry;
import io.gantry.engine.ScoringMode;
import io.gantry.kube.config.SchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart, linted and rendered by Helm's own library, and the objects it renders. */
class HelmChartTest {

    private static final String QUEUES = "queues.scheduling.gantry.io";
    private static final String PODGROUPS = "podgroups.scheduling.x-k8s.io";

    @Test
    void theChartOffersExactlyTheEnginesPolicies() throws IOException {
        Path chart = Path.of("..", "deploy", "helm", "gantry");
        tools.jackson.databind.JsonNode schema = new tools.jackson.databind.ObjectMapper()
                .readTree(chart.resolve("values.schema.json").toFile());
        List<String> offered = new java.util.ArrayList<>();
        schema.at("/properties/config/properties/policy/enum").forEach(n -> offered.add(n.asString()));
        assertThat(offered).as("values.schema.json config.policy enum")
                .containsExactlyElementsOf(PolicyRegistry.STANDARD.names());
        assertThat(Files.readString(chart.resolve("values.yaml")))
                .contains("# -- " + String.join(" | ", PolicyRegistry.STANDARD.names()) + "\n  policy:");
        // the scheduler's configuration check accepts every one of them, and nothing else
        for (String name : PolicyRegistry.STANDARD.names()) {
            SchedulerConfig config = SchedulerConfig.parse("policy: " + name + "\n", "values.yaml");
            assertThat(config.policy().name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> SchedulerConfig.parse("policy: tetris\n", "values.yaml"))
                .hasMessageContaining("one of " + PolicyRegistry.STANDARD.namesForHelp());
    }

    @Test
    void lintFindsNothingButTheMissingIcon() {
        LintResult lint = Deploy.helm().lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("only INFO messages").allMatch(m -> m.startsWith("[INFO]"));
        assertThat(String.join("\n", lint.getMessages())).doesNotContain("[ERROR]", "[WARNING]");
    }

    @Test
    void defaultRenderIsTheSchedulerWithTwoReplicasAndLeastPrivilege() {
        List<HasMetadata> objects = SchedulerObjects.of(Deploy.renderObjects());

        assertThat(Deploy.kinds(objects)).containsExactly("ClusterRole", "ClusterRoleBinding", "ConfigMap",
                "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount");
        SchedulerConfig config = SchedulerObjects.check(objects, NAMESPACE, 2, false);
        assertThat(config.schedulerName()).isEqualTo("gantry");
        assertThat(config.policy()).isEqualTo(Policy.FGD);
        assertThat(config.scoring()).isEqualTo(ScoringMode.EXACT);
        assertThat(config.namespaces()).isEmpty();
        assertThat(config.leaderElection().leaseName()).isEqualTo("gantry-scheduler");
        assertThat(config.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.leaderElection().renewDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.leaderElection().retryPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.bindingWorkers()).isEqualTo(16);
        assertThat(config.backoffInitial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.backoffMax()).isEqualTo(Duration.ofSeconds(60));
        // the chart's defaults are the scheduler's own defaults, apart from the lease namespace it pins
        SchedulerConfig defaults = SchedulerConfig.defaults();
        assertThat(config.withLeaderElection(new SchedulerConfig.LeaderElection(true, "gantry-scheduler", "",
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)))).isEqualTo(defaults);

        // the names extender users and NOTES.txt rely on
        assertThat(one(objects, Service.class).getMetadata().getName()).isEqualTo("gantry");
        assertThat(one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("checksum/config");
    }

    @Test
    void extenderModeAndReplicaCount() {
        List<HasMetadata> objects = Deploy.renderObjects("mode", "extender", "replicaCount", "3");
        SchedulerObjects.check(objects, NAMESPACE, 3, true);
    }

    @Test
    void valuesReachTheConfigAndAConfigChangeRollsThePods(@TempDir Path dir) throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(values, """
                config:
                  schedulerName: gpu-sched
                  policy: bestfit
                  scoring: paper
                  namespaces: [team-a, team-b]
                  leaderElection:
                    leaseName: gpu-sched-lease
                    leaseDuration: 30s
                    renewDeadline: 20s
                    retryPeriod: 4s
                  binding:
                    workers: 4
                  backoff:
                    initial: 500ms
                    max: 2m
                """);
        List<HasMetadata> objects = SchedulerObjects.of(Deploy.parse(Deploy.helm().template().withName("sched")
                .withNamespace("gpu-ops").withValuesFile(values).call()));
        SchedulerConfig config = SchedulerObjects.check(objects, "gpu-ops", 2, false);
        assertThat(config.schedulerName()).isEqualTo("gpu-sched");
        assertThat(config.policy()).isEqualTo(Policy.BESTFIT);
        assertThat(config.scoring()).isEqualTo(ScoringMode.PAPER);
        assertThat(config.namespaces()).containsExactly("team-a", "team-b");
        assertThat(config.leaderElection().leaseName()).isEqualTo("gpu-sched-lease");
        assertThat(config.leaderElection().leaseNamespace()).isEqualTo("gpu-ops");
        assertThat(config.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.bindingWorkers()).isEqualTo(4);
        assertThat(config.backoffInitial()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.backoffMax()).isEqualTo(Duration.ofMinutes(2));
        // release "sched" does not contain the chart's name: objects are "<release>-gantry"
        assertThat(one(objects, Service.class).getMetadata().getName()).isEqualTo("sched-gantry");
        assertThat(one(objects, ConfigMap.class).getMetadata().getName()).isEqualTo("sched-gantry-config");

        String defaultChecksum = checksum(Deploy.renderObjects());
        assertThat(checksum(objects)).isNotEqualTo(defaultChecksum);
        assertThat(checksum(Deploy.renderObjects("config.policy", "gpupacking"))).isNotEqualTo(defaultChecksum);
        assertThat(checksum(Deploy.renderObjects("replicaCount", "5"))).as("not a config change")
                .isEqualTo(defaultChecksum);
    }

    @Test
    void withoutLeaderElectionThereIsNoLeaseRole() {
        List<HasMetadata> objects = Deploy.renderObjects("config.leaderElection.enabled", "false");
        assertThat(Deploy.all(objects, Role.class)).isEmpty();
        assertThat(Deploy.kinds(objects)).doesNotContain("RoleBinding");
        assertThat(SchedulerObjects.config(objects).leaderElection().enabled()).isFalse();
        assertThat(SchedulerObjects.permissions(one(SchedulerObjects.of(objects), ClusterRole.class).getRules()))
                .containsExactlyElementsOf(new java.util.TreeSet<>(SchedulerObjects.CLUSTER_PERMISSIONS));
    }

    @Test
    void withoutRbacAndServiceAccountOnlyTheWorkloadIsRendered() {
        List<HasMetadata> all = Deploy.renderObjects("rbac.create", "false", "serviceAccount.create", "false",
                "serviceAccount.name", "existing-sa");
        List<HasMetadata> objects = SchedulerObjects.of(all);
        assertThat(Deploy.kinds(objects)).containsExactly("ConfigMap", "Deployment", "Service");
        assertThat(Deploy.kinds(all)).as("rbac.create=false holds for the agent too")
                .doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
        assertThat(one(objects, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("existing-sa");
    }

    @Test
    void bothCrdsAreRenderedByDefaultAndKeptOnUninstall() {
        List<HasMetadata> crds = Deploy.component(Deploy.renderObjects(), Deploy.CRDS);
        assertThat(crds).allSatisfy(o -> {
            assertThat(o).isInstanceOf(CustomResourceDefinition.class);
            assertThat(o.getMetadata().getNamespace()).isNull();
            // a CRD's deletion deletes every Queue / PodGroup: helm uninstall leaves them
            assertThat(o.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
            assertThat(o.getMetadata().getLabels()).doesNotContainKey("app.kubernetes.io/instance");
        });
        assertThat(crds).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder(QUEUES, PODGROUPS);
        // the release's name appears nowhere in them: a second release renders the same CRDs
        assertThat(Deploy.component(Deploy.parse(Deploy.render("other", "elsewhere")), Deploy.CRDS))
                .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(crds);
    }

    @Test
    void crdValuesLeaveThemOut() {
        // clusters where scheduler-plugins, Kubeflow Trainer or KubeRay already installed the PodGroup CRD
        assertThat(crdNames("crds.podGroup", "false")).containsExactly(QUEUES);
        assertThat(crdNames("crds.queue", "false")).containsExactly(PODGROUPS);
        assertThat(crdNames("crds.queue", "false", "crds.podGroup", "false")).isEmpty();
        assertThat(Deploy.component(Deploy.renderObjects("crds.keep", "false"), Deploy.CRDS)).hasSize(2)
                .allSatisfy(o -> assertThat(o.getMetadata().getAnnotations())
                        .doesNotContainKey("helm.sh/resource-policy"));
        // the RBAC stays: the scheduler reads these kinds whoever installed their CRDs
        assertThat(SchedulerObjects.permissions(one(SchedulerObjects.of(Deploy.renderObjects("crds.queue", "false",
                "crds.podGroup", "false")), ClusterRole.class).getRules()))
                .containsExactlyElementsOf(new java.util.TreeSet<>(SchedulerObjects.CLUSTER_PERMISSIONS));
    }

    private static List<String> crdNames(Object... keyValues) {
        return Deploy.component(Deploy.renderObjects(keyValues), Deploy.CRDS).stream()
                .map(o -> o.getMetadata().getName()).toList();
    }

    @Test
    void badValuesAreRejectedAtInstallTime() {
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "crds.podgroup", "false"))
                .hasMessageContaining("podgroup");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "crds.queue", "yes"))
                .hasMessageContaining("crds.queue");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "mode", "both"))
                .hasMessageContaining("mode");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "config.policy", "tetris"))
                .hasMessageContaining("config.policy");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "config.polcy", "fgd"))
                .hasMessageContaining("polcy");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "config.backoff.max", "one minute"))
                .hasMessageContaining("config.backoff.max");
    }

    private static String checksum(List<HasMetadata> objects) {
        return one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations()
                .get("checksum/config");
    }
}
