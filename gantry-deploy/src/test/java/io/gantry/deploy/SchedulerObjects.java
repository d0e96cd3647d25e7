package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.gantry.kube.config.SchedulerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What every deployment of the scheduler must be, whether it comes from the chart or the plain manifests: the
 * objects, the least-privilege RBAC, a config the scheduler accepts, and a Deployment wired to all of them.
 */
final class SchedulerObjects {

    /** apiGroup|resource|verb, the ClusterRole grants exactly these and nothing else. */
    static final Set<String> CLUSTER_PERMISSIONS = Set.of(
            "|pods|get", "|pods|list", "|pods|watch",
            "|pods/binding|create",
            "|pods/status|patch", "|pods/status|update",
            // preemption: the Eviction API (PodDisruptionBudgets honoured), never delete
            "|pods/eviction|create",
            // a pod's default queue is its namespace's label
            "|namespaces|get", "|namespaces|list", "|namespaces|watch",
            "scheduling.gantry.io|queues|get", "scheduling.gantry.io|queues|list", "scheduling.gantry.io|queues|watch",
            "scheduling.gantry.io|queues/status|get", "scheduling.gantry.io|queues/status|update",
            "scheduling.gantry.io|queues/status|patch",
            "scheduling.x-k8s.io|podgroups|get", "scheduling.x-k8s.io|podgroups|list",
            "scheduling.x-k8s.io|podgroups|watch",
            "scheduling.x-k8s.io|podgroups/status|get", "scheduling.x-k8s.io|podgroups/status|update",
            "scheduling.x-k8s.io|podgroups/status|patch",
            "scheduling.k8s.io|priorityclasses|get", "scheduling.k8s.io|priorityclasses|list",
            "scheduling.k8s.io|priorityclasses|watch",
            "policy|poddisruptionbudgets|get", "policy|poddisruptionbudgets|list",
            "policy|poddisruptionbudgets|watch",
            "|nodes|get", "|nodes|list", "|nodes|watch",
            "|persistentvolumeclaims|get", "|persistentvolumeclaims|list", "|persistentvolumeclaims|watch",
            "|persistentvolumes|get", "|persistentvolumes|list", "|persistentvolumes|watch",
            "storage.k8s.io|storageclasses|get", "storage.k8s.io|storageclasses|list",
            "storage.k8s.io|storageclasses|watch",
            "|events|create", "|events|patch", "|events|update",
            "events.k8s.io|events|create", "events.k8s.io|events|patch", "events.k8s.io|events|update");

    static final List<String> SCHEDULER_ARGS = List.of("scheduler", "--config", "/etc/gantry/config.yaml");

    private SchedulerObjects() {
    }

    /** The scheduler's objects among the chart's (or a manifest's): those labelled component "scheduler". */
    static List<HasMetadata> of(List<HasMetadata> objects) {
        return Deploy.component(objects, Deploy.SCHEDULER);
    }

    /** The parsed config of the ConfigMap the Deployment mounts. */
    static SchedulerConfig config(List<HasMetadata> objects) {
        ConfigMap cm = one(of(objects), ConfigMap.class);
        assertThat(cm.getData()).containsOnlyKeys("config.yaml");
        return SchedulerConfig.parse(cm.getData().get("config.yaml"), "ConfigMap " + cm.getMetadata().getName());
    }

    /**
     * Checks everything and returns the scheduler's config. {@code all} may hold other objects (the agent's, a
     * Namespace): the scheduler's are those labelled component "scheduler".
     */
    static SchedulerConfig check(List<HasMetadata> all, String namespace, int replicas, boolean extender) {
        List<HasMetadata> objects = of(all);
        SchedulerConfig config = config(objects);
        ConfigMap cm = one(objects, ConfigMap.class);
        ServiceAccount sa = one(objects, ServiceAccount.class);
        Deployment deployment = one(objects, Deployment.class);
        Service service = one(objects, Service.class);

        for (HasMetadata o : all) {
            boolean clusterScoped = o instanceof ClusterRole || o instanceof ClusterRoleBinding
                    || o.getKind().equals("Namespace") || o instanceof CustomResourceDefinition;
            assertThat(o.getMetadata().getNamespace()).as("namespace of %s %s", o.getKind(), o.getMetadata().getName())
                    .isEqualTo(clusterScoped ? null : namespace);
        }

        // RBAC: the ClusterRole, bound to the scheduler's ServiceAccount
        ClusterRole clusterRole = one(objects, ClusterRole.class);
        assertLeastPrivilege(clusterRole.getRules());
        assertThat(permissions(clusterRole.getRules())).isEqualTo(new TreeSet<>(CLUSTER_PERMISSIONS));
        ClusterRoleBinding crb = one(objects, ClusterRoleBinding.class);
        assertThat(crb.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(crb.getRoleRef().getName()).isEqualTo(clusterRole.getMetadata().getName());
        assertThat(crb.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(namespace);
        });

        // RBAC: the lease, by name, in the namespace the config says
        SchedulerConfig.LeaderElection le = config.leaderElection();
        assertThat(le.enabled()).isTrue();
        assertThat(le.leaseNamespace()).isEqualTo(namespace);
        Role role = one(objects, Role.class);
        assertLeastPrivilege(role.getRules());
        // fabric8's LeaseLock (used by GantryScheduler) gets the lease, creates it, and renews it with a merge patch
        assertThat(permissions(role.getRules())).containsExactlyInAnyOrder(
                "coordination.k8s.io|leases|create",
                "coordination.k8s.io|leases|get|" + le.leaseName(),
                "coordination.k8s.io|leases|update|" + le.leaseName(),
                "coordination.k8s.io|leases|patch|" + le.leaseName());
        RoleBinding rb = one(objects, RoleBinding.class);
        assertThat(rb.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(rb.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(rb.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(namespace);
        });

        // the Deployment
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(replicas);
        // extender mode: only the leader is ready, so only Recreate can replace the pods
        if (extender) {
            assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        } else {
            assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
                    .isZero();
        }
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        assertThat(selector).isNotEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(pod.getContainers()).hasSize(1);
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("ghcr.io/gantry-sched/gantry:0.1.0");
        assertThat(c.getCommand()).as("the image's entrypoint (gantry) is kept").isNullOrEmpty();
        List<String> args = new ArrayList<>(SCHEDULER_ARGS);
        if (extender) {
            args.add("--extender");
        }
        assertThat(c.getArgs()).isEqualTo(args);
        Map<String, String> fieldRefs = c.getEnv().stream().filter(e -> e.getValueFrom() != null)
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath()));
        assertThat(fieldRefs).containsEntry("POD_NAME", "metadata.name")
                .containsEntry("POD_NAMESPACE", "metadata.namespace");

        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(config.serverPort()).isEqualTo(8080);
        });
        assertHttpProbe(c.getLivenessProbe(), "/healthz");
        assertHttpProbe(c.getReadinessProbe(), "/readyz");

        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")))
                .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(c.getResources().getRequests().get("memory")));
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

        // the config file is where the args say, from the ConfigMap; /tmp is writable
        VolumeMount configMount = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/etc/gantry"))
                .findFirst().orElseThrow();
        assertThat(configMount.getReadOnly()).isTrue();
        Volume configVolume = volume(pod, configMount.getName());
        assertThat(configVolume.getConfigMap().getName()).isEqualTo(cm.getMetadata().getName());
        VolumeMount tmp = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow();
        assertThat(volume(pod, tmp.getName()).getEmptyDir()).isNotNull();

        // the Service reaches the pods' http port
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector()).isEqualTo(selector);
        assertThat(service.getSpec().getPorts()).singleElement().satisfies((ServicePort p) -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
        });
        return config;
    }

    /** No wildcard anywhere, no secrets, nothing destructive. */
    static void assertLeastPrivilege(List<PolicyRule> rules) {
        assertThat(rules).isNotEmpty();
        for (PolicyRule r : rules) {
            assertThat(r.getApiGroups()).doesNotContain("*");
            assertThat(r.getResources()).isNotEmpty().doesNotContain("*", "secrets", "configmaps", "pods/exec");
            assertThat(r.getVerbs()).isNotEmpty().doesNotContain("*", "delete", "deletecollection", "escalate",
                    "bind", "impersonate");
            assertThat(r.getNonResourceURLs()).isNullOrEmpty();
        }
    }

    /** Every (group, resource, verb[, name]) a set of rules grants, as {@code group|resource|verb[|name]}. */
    static TreeSet<String> permissions(List<PolicyRule> rules) {
        TreeSet<String> out = new TreeSet<>();
        for (PolicyRule r : rules) {
            List<String> names = r.getResourceNames() == null || r.getResourceNames().isEmpty()
                    ? List.of("") : r.getResourceNames();
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    for (String v : r.getVerbs()) {
                        for (String n : names) {
                            out.add(g + "|" + res + "|" + v + (n.isEmpty() ? "" : "|" + n));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        return Deploy.one(objects, type);
    }
}
