package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.agent.allocation.ShareDeviceIds;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import io.gantry.agent.proto.deviceplugin.Device;
import io.gantry.agent.proto.deviceplugin.RegisterRequest;
import io.gantry.agent.testing.FakeKubelet;
import io.gantry.agent.testing.TestGpus;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDevice;
import io.gantry.kube.sandbox.KubeSandbox;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a kubelet played by the test over the real v1beta1 protocol and real Unix sockets, with pods in
 * an in-process API server. Runs on the fake four-GPU node by default and on a machine's real GPUs with
 * {@code -Dgantry.agent.test.backend=nvml} (scripts/gpu-check.sh).
 */
class KubeletFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String NODE = "gpu-node-1";
    private static KubeSandbox sandbox;

    @TempDir
    Path dir;
    private GpuBackend backend;
    private FakeKubelet kubelet;
    private GantryAgent agent;
    private List<GpuDevice> gpus;

    @BeforeAll
    static void startApi() {
        sandbox = KubeSandbox.start();
    }

    @AfterAll
    static void stopApi() {
        sandbox.close();
    }

    @BeforeEach
    void start() throws Exception {
        sandbox.client().pods().inAnyNamespace().delete();
        backend = TestGpus.backend();
        gpus = backend.inventory().devices();
        assertThat(gpus).as("the flow needs at least one GPU").isNotEmpty();
        kubelet = FakeKubelet.start(dir.resolve("device-plugins"));
        agent = startAgent(sandbox.client());
        kubelet.awaitRegisterCalls(GpuAnnotations.GPU_RESOURCE, 1, WAIT);
        kubelet.awaitRegisterCalls(GpuAnnotations.GPU_MILLI_RESOURCE, 1, WAIT);
        FakeKubelet.awaitCount(agent::registrations, 1, WAIT);
    }

    private GantryAgent startAgent(io.fabric8.kubernetes.client.KubernetesClient client) throws Exception {
        AgentConfig config = AgentConfig.defaults(NODE)
                .withPluginDir(dir.resolve("device-plugins"))
                .withPodResourcesSocket(dir.resolve("pod-resources/kubelet.sock"))
                .withMetricsAddress(null)
                .withLabelNode(false)
                .withRegisterRetry(Duration.ofMillis(200));
        return GantryAgent.start(config, backend, client, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        kubelet.close();
        backend.close();
    }

    @Test
    void registersBothResourcesWithTheKubeletAndListsEveryGpu() throws Exception {
        List<RegisterRequest> calls = kubelet.registerCalls();
        assertThat(calls).extracting(RegisterRequest::getVersion).containsOnly("v1beta1");
        assertThat(calls).extracting(RegisterRequest::getResourceName, RegisterRequest::getEndpoint)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("nvidia.com/gpu", "gantry-gpu.sock"),
                        org.assertj.core.groups.Tuple.tuple("gantry.io/gpu-milli", "gantry-gpu-milli.sock"));
        assertThat(calls).allSatisfy(r -> {
            assertThat(r.getOptions().getGetPreferredAllocationAvailable()).isTrue();
            assertThat(r.getOptions().getPreStartRequired()).isFalse();
        });

        FakeKubelet.Plugin whole = kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == gpus.size(), WAIT);
        assertThat(whole.devices()).extracting(Device::getID)
                .containsExactlyElementsOf(gpus.stream().map(GpuDevice::uuid).toList());
        assertThat(whole.devices()).extracting(Device::getHealth).containsOnly("Healthy");
        for (int i = 0; i < gpus.size(); i++) {
            GpuDevice g = gpus.get(i);
            Device d = whole.devices().get(i);
            if (g.numaNode() >= 0) {
                assertThat(d.getTopology().getNodesList()).extracting(n -> n.getID()).containsExactly((long) g.numaNode());
            } else {
                assertThat(d.hasTopology()).isFalse();
            }
        }

        FakeKubelet.Plugin share = kubelet.awaitDevices("gantry.io/gpu-milli",
                d -> d.size() == gpus.size() * 1000, WAIT);
        assertThat(share.devices().get(0).getID()).isEqualTo(gpus.get(0).uuid() + "::0");
        assertThat(share.devices().get(999).getID()).isEqualTo(gpus.get(0).uuid() + "::999");
        assertThat(share.devices()).extracting(d -> ShareDeviceIds.gpuOf(d.getID())).containsOnlyElementsOf(
                gpus.stream().map(GpuDevice::uuid).toList());
    }

    @Test
    void wholeGpuPodGetsExactlyTheGpusTheSchedulerRecorded() throws Exception {
        kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == gpus.size(), WAIT);
        // The last GPUs of the node: the kubelet, left alone, would pick the first ones.
        int want = Math.min(2, gpus.size());
        List<GpuDevice> chosen = gpus.subList(gpus.size() - want, gpus.size());
        createPod("team-a", "train", want, 1000,
                GpuAssignmentCodec.encodeIds(chosen.stream().map(GpuDevice::index).toList()), null);

        ContainerAllocateResponse r = kubelet.admit("nvidia.com/gpu", want);

        String expected = String.join(",", chosen.stream().map(GpuDevice::uuid).toList());
        assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", expected);
        assertThat(r.getEnvsMap()).doesNotContainKey("GANTRY_GPU_MILLI");
        if (gpus.size() > want) {
            assertThat(kubelet.preferredAnswers()).as("GetPreferredAllocation steered the kubelet")
                    .containsExactly(chosen.stream().map(GpuDevice::uuid).toList());
        }
        assertThat(agent.ledger().all()).singleElement().satisfies(h -> {
            assertThat(h.pod()).isEqualTo("train");
            assertThat(h.fromAnnotation()).isTrue();
        });
    }

    @Test
    void sharePodGetsItsGpuAndItsLimits() throws Exception {
        kubelet.awaitDevices("gantry.io/gpu-milli", d -> d.size() == gpus.size() * 1000, WAIT);
        GpuDevice target = gpus.get(gpus.size() - 1);
        createPod("team-b", "notebook", 1, 250, String.valueOf(target.index()), "250");

        ContainerAllocateResponse r = kubelet.admit("gantry.io/gpu-milli", 250);

        long limit = target.memoryMiB() * 250 / 1000;
        assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", target.uuid())
                .containsEntry("GANTRY_GPU_MILLI", "250")
                .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "25")
                .containsEntry("GANTRY_GPU_MEMORY_LIMIT_MIB", String.valueOf(limit))
                .containsEntry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=" + limit + "M");
        assertThat(kubelet.preferredAnswers()).singleElement().satisfies(ids ->
                assertThat(ids).hasSize(250).allSatisfy(id -> assertThat(id).startsWith(target.uuid() + "::")));
    }

    @Test
    void annotationNamingAGpuThisNodeLacksFailsAllocateAndHandsOutNothing() throws Exception {
        kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == gpus.size(), WAIT);
        createPod("team-a", "stale", 1, 1000, String.valueOf(gpus.size() + 3), null);

        assertThatThrownBy(() -> kubelet.admit("nvidia.com/gpu", 1))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription())
                            .contains("pod team-a/stale")
                            .contains("names GPU " + (gpus.size() + 3))
                            .contains("has GPUs 0.." + (gpus.size() - 1))
                            .contains("Delete the pod");
                });
        assertThat(agent.ledger().all()).isEmpty();
    }

    @Test
    void aPreferenceQuestionWithIdsThisNodeNeverHadStillGetsAnAnswer() throws Exception {
        kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == gpus.size(), WAIT);
        // A stale kubelet checkpoint may name a GPU that was swapped out; the call is advice and must not fail.
        var channel = io.gantry.agent.kubelet.UnixSockets.channel(dir.resolve("device-plugins/gantry-gpu.sock"));
        io.gantry.agent.proto.deviceplugin.PreferredAllocationResponse answer;
        try {
            answer = io.gantry.agent.proto.deviceplugin.DevicePluginGrpc.newBlockingStub(channel)
                    .getPreferredAllocation(io.gantry.agent.proto.deviceplugin.PreferredAllocationRequest.newBuilder()
                            .addContainerRequests(io.gantry.agent.proto.deviceplugin
                                    .ContainerPreferredAllocationRequest.newBuilder()
                                    .addAvailableDeviceIDs(gpus.get(0).uuid()).addAvailableDeviceIDs("GPU-swapped-out")
                                    .addMustIncludeDeviceIDs("GPU-swapped-out").setAllocationSize(2))
                            .build());
        } finally {
            io.gantry.agent.kubelet.UnixSockets.close(channel);
        }
        assertThat(answer.getContainerResponses(0).getDeviceIDsList()).contains("GPU-swapped-out");
    }

    @Test
    void reRegistersWithinSecondsWhenTheKubeletRestarts() throws Exception {
        kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == gpus.size(), WAIT);
        int before = agent.registrations();

        kubelet.restart();

        kubelet.awaitRegisterCalls("nvidia.com/gpu", 2, WAIT);
        kubelet.awaitRegisterCalls("gantry.io/gpu-milli", 2, WAIT);
        kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == gpus.size(), WAIT);
        FakeKubelet.awaitCount(agent::registrations, before + 1, WAIT);
        assertThat(dir.resolve("device-plugins/gantry-gpu.sock")).exists();
        // The new kubelet can allocate through the new connection.
        assertThat(kubelet.admit("nvidia.com/gpu", 1).getEnvsMap()).containsKey("NVIDIA_VISIBLE_DEVICES");
    }

    @Test
    void closingRemovesThePluginSockets() throws Exception {
        Path socket = dir.resolve("device-plugins/gantry-gpu.sock");
        assertThat(socket).exists();

        agent.close();
        agent = null;

        assertThat(socket).doesNotExist();
        assertThat(dir.resolve("device-plugins/gantry-gpu-milli.sock")).doesNotExist();
        assertThat(dir.resolve("device-plugins/kubelet.sock")).exists();
        assertThat(Files.exists(dir.resolve("device-plugins/" + FakeKubelet.CHECKPOINT))).isTrue();
    }

    @Test
    void withoutApiAccessTheKubeletsChoiceIsHandedOut() throws Exception {
        agent.close();
        agent = startAgent(null);
        kubelet.awaitRegisterCalls("nvidia.com/gpu", 2, WAIT);
        kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == gpus.size(), WAIT);
        // Even an annotated pod cannot be seen without the API: the kubelet's pick stands.
        createPod("team-a", "train", 1, 1000, String.valueOf(gpus.size() - 1), null);

        ContainerAllocateResponse r = kubelet.allocate("nvidia.com/gpu", List.of(gpus.get(0).uuid()));

        assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", gpus.get(0).uuid());
        assertThat(agent.health().all()).as("a second agent on the same backend watches a fresh event stream")
                .allMatch(io.gantry.agent.health.GpuHealth::healthy);
    }

    private void createPod(String ns, String name, int gpus, int milli, String ids, String milliAnnotation) {
        Pod pod = KubeSandbox.gpuPod(ns, name, "gantry", gpus, milli, 100, 256);
        pod.getSpec().setNodeName(NODE);
        pod.getMetadata().setUid("uid-" + name);
        pod.getMetadata().setCreationTimestamp(Instant.parse("2026-11-28T10:00:00Z").toString());
        Map<String, String> annotations = new java.util.HashMap<>();
        annotations.put(GpuAnnotations.GPU_IDS, ids);
        if (milliAnnotation != null) {
            annotations.put(GpuAnnotations.GPU_MILLI, milliAnnotation);
        }
        pod.getMetadata().setAnnotations(annotations);
        sandbox.client().pods().inNamespace(ns).resource(pod).create();
    }
}
