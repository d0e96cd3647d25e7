package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What every deployment of the node agent must be, from the chart (any values) or the plain manifests: a DaemonSet
 * that mounts the kubelet's directories (never its sockets), knows its node, serves its metrics where the Service
 * looks, runs as root with no capability beyond the one the NVIDIA Container Toolkit may need, and is bound to its
 * own least-privilege ClusterRole.
 */
final class AgentObjects {

    static final String DEVICE_PLUGINS_DIR = "/var/lib/kubelet/device-plugins";
    static final String POD_RESOURCES_DIR = "/var/lib/kubelet/pod-resources";
    static final String IMAGE = "ghcr.io/gantry-sched/gantry:0.1.0";

    private AgentObjects() {
    }

    /** The agent's objects among the chart's (or a manifest's): those labelled component "agent". */
    static List<HasMetadata> of(List<HasMetadata> objects) {
        return Deploy.component(objects, Deploy.AGENT);
    }

    static DaemonSet daemonSet(List<HasMetadata> objects) {
        return Deploy.one(of(objects), DaemonSet.class);
    }

    static Container container(DaemonSet ds) {
        List<Container> containers = ds.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    static List<String> args(DaemonSet ds) {
        return container(ds).getArgs();
    }

    /** The value after {@code flag} in the args; the flag must be there exactly once. */
    static String arg(List<String> args, String flag) {
        assertThat(args).as("args %s", args).containsOnlyOnce(flag);
        int i = args.indexOf(flag);
        assertThat(i + 1).as("a value after %s in %s", flag, args).isLessThan(args.size());
        return args.get(i + 1);
    }

    static Map<String, String> plainEnv(Container c) {
        return c.getEnv().stream().filter(e -> e.getValueFrom() == null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path + ": " + c.getVolumeMounts()));
    }

    /** The capabilities the container adds (empty when none). */
    static List<String> addedCapabilities(Container c) {
        Capabilities caps = c.getSecurityContext().getCapabilities();
        return caps == null || caps.getAdd() == null ? List.of() : caps.getAdd();
    }

    /** Checks everything and returns the DaemonSet; {@code all} may hold the scheduler's objects too. */
    static DaemonSet check(List<HasMetadata> all, String namespace) {
        List<HasMetadata> objects = of(all);
        DaemonSet ds = Deploy.one(objects, DaemonSet.class);
        Service service = Deploy.one(objects, Service.class);

        for (HasMetadata o : objects) {
            boolean clusterScoped = o instanceof ClusterRole || o instanceof ClusterRoleBinding;
            assertThat(o.getMetadata().getNamespace()).as("namespace of %s %s", o.getKind(), o.getMetadata().getName())
                    .isEqualTo(clusterScoped ? null : namespace);
        }

        // the DaemonSet selects its own pods, and only those: not the scheduler's, whose selectors skip the agent's
        Map<String, String> selector = ds.getSpec().getSelector().getMatchLabels();
        Map<String, String> podLabels = ds.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(selector).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(selector);
        for (Deployment scheduler : Deploy.all(all, Deployment.class)) {
            Map<String, String> schedulerPod = scheduler.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(selects(selector, schedulerPod)).as("the agent's selector picks a scheduler pod").isFalse();
            assertThat(selects(scheduler.getSpec().getSelector().getMatchLabels(), podLabels))
                    .as("the scheduler's Deployment selector picks agent pods").isFalse();
        }
        for (Service s : Deploy.all(SchedulerObjects.of(all), Service.class)) {
            assertThat(selects(s.getSpec().getSelector(), podLabels)).as("Service %s picks agent pods",
                    s.getMetadata().getName()).isFalse();
        }

        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Optional<ServiceAccount> sa = Deploy.all(objects, ServiceAccount.class).stream().findFirst();
        sa.ifPresent(a -> assertThat(pod.getServiceAccountName()).isEqualTo(a.getMetadata().getName()));
        assertThat(pod.getHostNetwork()).as("hostNetwork").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).as("hostPID").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostIPC()).as("hostIPC").isNotEqualTo(Boolean.TRUE);

        Container c = container(ds);
        assertThat(c.getImage()).isEqualTo(IMAGE);
        assertThat(c.getCommand()).as("the image's entrypoint (java -jar gantry.jar) is kept").isNullOrEmpty();
        List<String> args = c.getArgs();
        assertThat(args.get(0)).isEqualTo("agent");
        assertThat(args).as("the node comes from NODE_NAME").doesNotContain("--node-name");

        // NODE_NAME from the downward API
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("NODE_NAME")).singleElement().satisfies(e -> {
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });

        // the kubelet's directories, mounted as directories where the args point
        assertThat(c.getVolumeMounts()).as("a subPath mount (of a socket, say) goes stale when the kubelet restarts")
                .allSatisfy(m -> assertThat(m.getSubPath()).isNullOrEmpty());
        for (Volume v : pod.getVolumes()) {
            if (v.getHostPath() != null) {
                assertThat(v.getHostPath().getPath()).as("hostPath %s", v.getName()).doesNotEndWith(".sock")
                        .startsWith("/").doesNotEndWith("/");
                assertThat(v.getHostPath().getType()).as("hostPath %s type", v.getName())
                        .isIn("Directory", "DirectoryOrCreate");
            }
        }
        assertThat(pod.getVolumes()).filteredOn(v -> v.getHostPath() != null).hasSize(2);

        VolumeMount devicePlugins = mountAt(c, DEVICE_PLUGINS_DIR);
        assertThat(devicePlugins.getReadOnly()).as("the agent creates its sockets there").isNotEqualTo(Boolean.TRUE);
        Volume dp = volume(pod, devicePlugins.getName());
        assertThat(dp.getHostPath().getPath()).endsWith("/device-plugins");
        assertThat(dp.getHostPath().getType()).as("the kubelet makes it; without it there is no kubelet to serve")
                .isEqualTo("Directory");
        assertThat(arg(args, "--device-plugin-dir")).isEqualTo(DEVICE_PLUGINS_DIR);

        VolumeMount podResources = mountAt(c, POD_RESOURCES_DIR);
        Volume pr = volume(pod, podResources.getName());
        assertThat(pr.getHostPath().getPath()).endsWith("/pod-resources");
        assertThat(pr.getHostPath().getPath().replace("/pod-resources", ""))
                .as("both directories of the same kubelet").isEqualTo(dp.getHostPath().getPath()
                        .replace("/device-plugins", ""));
        assertThat(arg(args, "--pod-resources-socket")).isEqualTo(POD_RESOURCES_DIR + "/kubelet.sock");

        // metrics: the args' port is the container's port "metrics", the probes' and the Service's
        ContainerPort metrics = c.getPorts().stream().filter(p -> "metrics".equals(p.getName())).findFirst()
                .orElseThrow();
        assertThat(c.getPorts()).hasSize(1);
        assertThat(arg(args, "--metrics-addr")).isEqualTo("0.0.0.0:" + metrics.getContainerPort());
        assertHealthz(c.getLivenessProbe());
        assertHealthz(c.getStartupProbe());
        assertThat(service.getSpec().getClusterIP()).as("headless").isEqualTo("None");
        assertThat(service.getSpec().getSelector()).isEqualTo(selector);
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getPort()).isEqualTo(metrics.getContainerPort());
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("metrics");
        });

        // root (the kubelet's directories are root's; the image runs as 65532), nothing else
        SecurityContext sc = c.getSecurityContext();
        assertThat(sc.getRunAsUser()).as("explicit: the image's user is 65532").isZero();
        assertThat(sc.getPrivileged()).as("privileged").isNotEqualTo(Boolean.TRUE);
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(addedCapabilities(c)).isSubsetOf("SYS_ADMIN");
        if (addedCapabilities(c).isEmpty()) {
            assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        } else {
            // the API server refuses allowPrivilegeEscalation=false beside CAP_SYS_ADMIN
            assertThat(sc.getAllowPrivilegeEscalation()).isNotEqualTo(Boolean.FALSE);
        }
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        VolumeMount tmp = mountAt(c, "/tmp");
        assertThat(volume(pod, tmp.getName()).getEmptyDir()).isNotNull();
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");

        // RBAC, when rendered: the ClusterRole bound to the agent's ServiceAccount, nothing broad
        List<ClusterRole> roles = Deploy.all(objects, ClusterRole.class);
        if (!roles.isEmpty()) {
            ClusterRole role = Deploy.one(objects, ClusterRole.class);
            SchedulerObjects.assertLeastPrivilege(role.getRules());
            ClusterRoleBinding crb = Deploy.one(objects, ClusterRoleBinding.class);
            assertThat(crb.getRoleRef().getKind()).isEqualTo("ClusterRole");
            assertThat(crb.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
            assertThat(crb.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo(pod.getServiceAccountName());
                assertThat(s.getNamespace()).isEqualTo(namespace);
            });
        }
        return ds;
    }

    /** Whether a label selector (matchLabels) picks an object with these labels. */
    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    private static void assertHealthz(Probe probe) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    }
}
