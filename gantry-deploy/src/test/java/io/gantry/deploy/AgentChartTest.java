package io.gantry.deploy;

import static io.gantry.deploy.AgentObjects.arg;
import static io.gantry.deploy.Deploy.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart's node agent (agent.*): the DaemonSet, its RBAC, metrics Service and fake inventory, per values. */
class AgentChartTest {

    static final String FAKE_INVENTORY = "deploy/examples/fake-inventory.yaml";

    @Test
    void defaultRenderHasTheAgentBesideTheScheduler() {
        List<HasMetadata> all = Deploy.renderObjects();
        List<HasMetadata> agent = AgentObjects.of(all);

        assertThat(Deploy.kinds(agent)).containsExactly("ClusterRole", "ClusterRoleBinding", "DaemonSet", "Service",
                "ServiceAccount");
        assertThat(agent).allSatisfy(o -> assertThat(o.getMetadata().getName()).isEqualTo("gantry-agent"));
        assertThat(agent.size() + SchedulerObjects.of(all).size() + Deploy.component(all, Deploy.CRDS).size())
                .as("every object is the scheduler's, the agent's or a CRD").isEqualTo(all.size());
        DaemonSet ds = AgentObjects.check(all, NAMESPACE);

        assertThat(AgentObjects.args(ds)).containsExactly("agent",
                "--backend", "auto",
                "--device-plugin-dir", "/var/lib/kubelet/device-plugins",
                "--pod-resources-socket", "/var/lib/kubelet/pod-resources/kubelet.sock",
                "--metrics-addr", "0.0.0.0:9400",
                "--device-list-strategy", "envvar",
                "--health-recovery", "5m",
                "--label-node", "true",
                "--fail-on-init-error", "false");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container c = AgentObjects.container(ds);
        // the NVIDIA container runtime gives the agent every GPU, NVML and nvidia-smi
        assertThat(AgentObjects.plainEnv(c)).containsOnly(Map.entry("NVIDIA_VISIBLE_DEVICES", "all"),
                Map.entry("NVIDIA_DRIVER_CAPABILITIES", "utility"));
        assertThat(AgentObjects.addedCapabilities(c)).isEmpty();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getHostPath() != null)
                .extracting(v -> v.getHostPath().getPath(), v -> v.getHostPath().getType())
                .containsExactlyInAnyOrder(
                        tuple("/var/lib/kubelet/device-plugins", "Directory"),
                        tuple("/var/lib/kubelet/pod-resources", "DirectoryOrCreate"));
        assertThat(AgentObjects.mountAt(c, AgentObjects.POD_RESOURCES_DIR).getReadOnly()).isTrue();

        // on every node that lets it: GPU-tainted ones and critical-add-ons-only ones, at node-critical priority
        assertThat(pod.getNodeSelector()).isNullOrEmpty();
        assertThat(pod.getRuntimeClassName()).isNull();
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getTolerations()).containsExactlyInAnyOrder(
                new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule")
                        .build(),
                new TolerationBuilder().withKey("CriticalAddonsOnly").withOperator("Exists").build());
        assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(Deploy.all(agent, ConfigMap.class)).as("no inventory without the fake backend").isEmpty();
    }

    @Test
    void fakeBackendMountsTheInventoryFromAConfigMapAndPassesIt() {
        String inventory = Deploy.read(FAKE_INVENTORY);
        List<HasMetadata> all = renderFake("demo", inventory);
        DaemonSet ds = AgentObjects.check(all, "demo");
        List<String> args = AgentObjects.args(ds);
        assertThat(arg(args, "--backend")).isEqualTo("fake");

        ConfigMap cm = Deploy.one(AgentObjects.of(all), ConfigMap.class);
        assertThat(cm.getMetadata().getName()).isEqualTo("demo-gantry-agent-inventory");
        assertThat(cm.getData()).containsOnlyKeys("inventory.yaml");
        assertThat(cm.getData().get("inventory.yaml").strip()).isEqualTo(inventory.strip());

        // --inventory names the ConfigMap's key, where the ConfigMap is mounted
        String file = arg(args, "--inventory");
        Container c = AgentObjects.container(ds);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(file + " is on no mounted volume"));
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(AgentObjects.volume(pod, mount.getName()).getConfigMap().getName())
                .isEqualTo(cm.getMetadata().getName());
        assertThat(file.substring(mount.getMountPath().length() + 1)).isEqualTo("inventory.yaml");

        // no driver to ask the NVIDIA runtime for
        assertThat(AgentObjects.plainEnv(c)).doesNotContainKeys("NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES");
        // a changed inventory restarts the agents
        String checksum = inventoryChecksum(ds);
        assertThat(checksum).hasSize(64);
        String changed = inventory.replace("temperatureC: 34", "temperatureC: 80");
        assertThat(changed).isNotEqualTo(inventory);
        assertThat(inventoryChecksum(AgentObjects.daemonSet(renderFake("demo", changed)))).isNotEqualTo(checksum);
    }

    @Test
    void fakeBackendWithoutAnInventoryIsRefused() {
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "agent.backend", "fake"))
                .hasMessageContaining("agent.fakeInventory");
    }

    @Test
    void volumeMountsStrategyGivesTheAgentSysAdminForTheToolkit() {
        List<HasMetadata> all = Deploy.renderWithValues("gantry", NAMESPACE, """
                agent:
                  deviceListStrategy: [volume-mounts, envvar]
                """);
        DaemonSet ds = AgentObjects.check(all, NAMESPACE);
        Container c = AgentObjects.container(ds);
        assertThat(arg(AgentObjects.args(ds), "--device-list-strategy")).isEqualTo("volume-mounts,envvar");
        assertThat(AgentObjects.addedCapabilities(c)).containsExactly("SYS_ADMIN");
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isTrue();
        assertThat(c.getSecurityContext().getPrivileged()).isNull();

        // the fake backend reads no driver: no capability, whatever the strategy
        List<HasMetadata> fake = Deploy.renderWithValues("gantry", NAMESPACE, """
                agent:
                  backend: fake
                  fakeInventory: |
                    gpus: [{uuid: GPU-0, name: T4, memoryMiB: 15360}]
                  deviceListStrategy: [volume-mounts]
                """);
        Container fakeContainer = AgentObjects.container(AgentObjects.check(fake, NAMESPACE));
        assertThat(AgentObjects.addedCapabilities(fakeContainer)).isEmpty();
        assertThat(fakeContainer.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();

        // CDI strategies need no capability either
        Container cdi = AgentObjects.container(AgentObjects.check(Deploy.renderWithValues("gantry", NAMESPACE, """
                agent:
                  deviceListStrategy: [cdi-annotations, cdi-cri]
                """), NAMESPACE));
        assertThat(AgentObjects.addedCapabilities(cdi)).isEmpty();
    }

    @Test
    void valuesReachTheArgsAndThePod() {
        List<HasMetadata> all = Deploy.renderWithValues("sched", "gpu-ops", """
                agent:
                  backend: nvidia-smi
                  healthRecovery: 0
                  labelNode: false
                  failOnInitError: true
                  kubeletDir: /var/snap/microk8s/common/var/lib/kubelet
                  metrics:
                    port: 9500
                  runtimeClassName: nvidia
                  nodeSelector:
                    nvidia.com/gpu.present: "true"
                  priorityClassName: ""
                  javaToolOptions: -Xss512k
                  extraArgs: [--kubeconfig, /etc/kubernetes/agent.conf]
                  serviceAccount:
                    create: false
                    name: gpu-agent
                """);
        DaemonSet ds = AgentObjects.check(all, "gpu-ops");
        assertThat(ds.getMetadata().getName()).isEqualTo("sched-gantry-agent");
        assertThat(AgentObjects.args(ds)).containsExactly("agent",
                "--backend", "nvidia-smi",
                "--device-plugin-dir", "/var/lib/kubelet/device-plugins",
                "--pod-resources-socket", "/var/lib/kubelet/pod-resources/kubelet.sock",
                "--metrics-addr", "0.0.0.0:9500",
                "--device-list-strategy", "envvar",
                "--health-recovery", "0",
                "--label-node", "false",
                "--fail-on-init-error", "true",
                "--kubeconfig", "/etc/kubernetes/agent.conf");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getNodeSelector()).containsOnly(Map.entry("nvidia.com/gpu.present", "true"));
        assertThat(pod.getPriorityClassName()).isNull();
        assertThat(pod.getServiceAccountName()).isEqualTo("gpu-agent");
        assertThat(AgentObjects.plainEnv(AgentObjects.container(ds))).containsEntry("JAVA_TOOL_OPTIONS", "-Xss512k");
        // the kubelet's directories move on the host only
        assertThat(pod.getVolumes()).filteredOn(v -> v.getHostPath() != null).extracting(v -> v.getHostPath().getPath())
                .containsExactlyInAnyOrder("/var/snap/microk8s/common/var/lib/kubelet/device-plugins",
                        "/var/snap/microk8s/common/var/lib/kubelet/pod-resources");
        assertThat(Deploy.one(AgentObjects.of(all), Service.class).getSpec().getPorts().get(0).getPort())
                .isEqualTo(9500);
        assertThat(Deploy.all(AgentObjects.of(all), ServiceAccount.class)).isEmpty();
        assertThat(Deploy.one(AgentObjects.of(all), ClusterRoleBinding.class).getSubjects().get(0).getName())
                .isEqualTo("gpu-agent");
    }

    @Test
    void tolerationsCanBeReplaced() {
        List<HasMetadata> all = Deploy.renderWithValues("gantry", NAMESPACE, """
                agent:
                  tolerations:
                    - operator: Exists
                """);
        List<Toleration> tolerations = AgentObjects.daemonSet(all).getSpec().getTemplate().getSpec().getTolerations();
        assertThat(tolerations).containsExactly(new TolerationBuilder().withOperator("Exists").build());
    }

    @Test
    void disabledAgentRendersNoneOfItsObjectsAndTheSameScheduler() {
        List<HasMetadata> without = Deploy.renderObjects("agent.enabled", "false");
        assertThat(AgentObjects.of(without)).isEmpty();
        assertThat(without).noneSatisfy(o -> assertThat(o.getMetadata().getName()).contains("agent"));
        List<HasMetadata> withAgent = Deploy.renderObjects();
        List<HasMetadata> schedulerAndCrds = new java.util.ArrayList<>(SchedulerObjects.of(withAgent));
        schedulerAndCrds.addAll(Deploy.component(withAgent, Deploy.CRDS));
        assertThat(without).usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(schedulerAndCrds);
        // nor with a fake backend that has no inventory: nothing of the agent is rendered at all
        assertThat(AgentObjects.of(Deploy.renderObjects("agent.enabled", "false", "agent.backend", "fake")))
                .isEmpty();
    }

    @Test
    void withoutNodeLabellingTheAgentStillPatchesItsNodeForTheUnhealthyGpuAnnotation() {
        ClusterRole role = Deploy.one(AgentObjects.of(Deploy.renderObjects("agent.labelNode", "false")),
                ClusterRole.class);
        assertThat(role.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("nodes");
            assertThat(r.getVerbs()).containsExactly("get", "patch");
        });
        DaemonSet ds = AgentObjects.check(Deploy.renderObjects("agent.labelNode", "false"), NAMESPACE);
        assertThat(AgentObjects.arg(AgentObjects.args(ds), "--label-node")).isEqualTo("false");
    }

    @Test
    void badAgentValuesAreRejectedAtInstallTime() {
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "agent.backend", "cuda"))
                .hasMessageContaining("agent.backend");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "agent.healthRecovery", "five minutes"))
                .hasMessageContaining("agent.healthRecovery");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "agent.metrics.port", 0))
                .hasMessageContaining("agent.metrics.port");
        assertThatThrownBy(() -> Deploy.render("gantry", NAMESPACE, "agent.labelNodes", "true"))
                .hasMessageContaining("labelNodes");
        assertThatThrownBy(() -> Deploy.renderWithValues("gantry", NAMESPACE, """
                agent:
                  deviceListStrategy: [env]
                """)).hasMessageContaining("agent.deviceListStrategy");
        assertThatThrownBy(() -> Deploy.renderWithValues("gantry", NAMESPACE, """
                agent:
                  deviceListStrategy: []
                """)).hasMessageContaining("agent.deviceListStrategy");
    }

    static List<HasMetadata> renderFake(String release, String inventory) {
        StringBuilder values = new StringBuilder("agent:\n  backend: fake\n  fakeInventory: |\n");
        inventory.lines().forEach(l -> values.append("    ").append(l).append('\n'));
        return Deploy.renderWithValues(release, release, values.toString());
    }

    private static String inventoryChecksum(DaemonSet ds) {
        return ds.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/inventory");
    }
}
