package io.gantry.agent.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.testing.TestGpus;
import io.gantry.contract.ContainerGpuRequest;
import io.gantry.gpu.GpuInventory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocationPlannerTest {

    private static final GpuInventory NODE = TestGpus.inventory(4);
    private final Set<String> sick = new HashSet<>();
    private final AllocationPlanner planner = new AllocationPlanner("gpu-node-1", NODE.devices(), NODE.links(),
            uuid -> !sick.contains(uuid));

    private static String gpu(int i) {
        return TestGpus.uuid(i);
    }

    private static PodOnNode pod(String name, int minute, Map<String, String> annotations, ContainerGpuRequest... containers) {
        return new PodOnNode("ns", name, "uid-" + name, Instant.parse("2026-11-28T10:00:00Z").plusSeconds(60L * minute),
                annotations, List.of(containers));
    }

    private static Map<String, String> ids(String ids) {
        return Map.of("gantry.io/gpu-ids", ids);
    }

    private static Map<String, String> share(String id, String milli) {
        return Map.of("gantry.io/gpu-ids", id, "gantry.io/gpu-milli", milli);
    }

    private static ContainerGpuRequest whole(String name, int n) {
        return new ContainerGpuRequest(name, false, n, 0);
    }

    private static ContainerGpuRequest milli(String name, int m) {
        return new ContainerGpuRequest(name, false, 0, m);
    }

    private static List<String> shareIds(int gpu, int from, int count) {
        List<String> l = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            l.add(ShareDeviceIds.id(gpu(i >= 0 ? gpu : 0), i));
        }
        return l;
    }

    @Test
    void theAnnotatedGpusWinOverTheKubeletsChoice() {
        Handout h = planner.plan(ResourceKind.WHOLE, List.of(gpu(0), gpu(1)),
                List.of(pod("train", 0, ids("2,3"), whole("main", 2))), ContainerHolds.NONE);
        assertThat(h.gpuUuids()).containsExactly(gpu(2), gpu(3));
        assertThat(h.fromAnnotation()).isTrue();
        assertThat(h.pod()).isEqualTo("train");
        assertThat(h.milli()).isEqualTo(1000);
        assertThat(h.deviceIds()).containsExactly(gpu(0), gpu(1));
    }

    @Test
    void theOldestWaitingPodIsTheOwnerInBothCallsOfAnAdmission() {
        List<PodOnNode> pods = List.of(pod("newer", 5, ids("3"), whole("main", 1)),
                pod("older", 0, ids("2"), whole("main", 1)));
        List<String> all = List.of(gpu(0), gpu(1), gpu(2), gpu(3));
        assertThat(planner.prefer(ResourceKind.WHOLE, all, List.of(), 1, pods, ContainerHolds.NONE))
                .containsExactly(gpu(2));
        // Even when the kubelet picked the newer pod's GPU, the older pod is the one being admitted.
        Handout h = planner.plan(ResourceKind.WHOLE, List.of(gpu(3)), pods, ContainerHolds.NONE);
        assertThat(h.pod()).isEqualTo("older");
        assertThat(h.gpuUuids()).containsExactly(gpu(2));
    }

    @Test
    void plainAndAnnotatedPodsTakeTheirTurnByAge() {
        List<PodOnNode> pods = List.of(pod("default-scheduled", 0, Map.of(), whole("main", 1)),
                pod("gantry", 1, ids("3"), whole("main", 1)));
        List<String> all = List.of(gpu(0), gpu(1), gpu(2), gpu(3));
        // The plain pod is first: no annotation to steer to, the topology rule answers, and Allocate hands out the
        // kubelet's pick; the annotated pod's GPU is not given away.
        assertThat(planner.prefer(ResourceKind.WHOLE, all, List.of(), 1, pods, ContainerHolds.NONE)).hasSize(1);
        Handout first = planner.plan(ResourceKind.WHOLE, List.of(gpu(0)), pods, ContainerHolds.NONE);
        assertThat(first.pod()).isEqualTo("default-scheduled");
        assertThat(first.gpuUuids()).containsExactly(gpu(0));
        assertThat(first.fromAnnotation()).isFalse();

        ContainerHolds plainHolds = (p, c, k) -> p.name().equals("default-scheduled");
        Handout second = planner.plan(ResourceKind.WHOLE, List.of(gpu(1)), pods, plainHolds);
        assertThat(second.pod()).isEqualTo("gantry");
        assertThat(second.gpuUuids()).containsExactly(gpu(3));
    }

    @Test
    void podsAskingAnotherSizeOrAlreadyHoldingDevicesAreNotCandidates() {
        List<PodOnNode> pods = List.of(pod("two", 0, ids("0,1"), whole("main", 2)),
                pod("served", 1, ids("2"), whole("main", 1)));
        ContainerHolds holds = (p, c, k) -> p.name().equals("served");
        Handout h = planner.plan(ResourceKind.WHOLE, List.of(gpu(3)), pods, holds);
        assertThat(h.ownerKnown()).isFalse();
        assertThat(h.gpuUuids()).containsExactly(gpu(3));
    }

    @Test
    void containersOfOnePodGetConsecutiveSlicesOfItsGpus() {
        PodOnNode p = pod("multi", 0, ids("3,1,2"), new ContainerGpuRequest("init", true, 1, 0), whole("a", 1),
                whole("b", 2));
        Map<String, Set<String>> held = new HashMap<>();
        ContainerHolds holds = (pod, c, k) -> held.getOrDefault(pod.uid(), Set.of()).contains(c);

        Handout init = planner.plan(ResourceKind.WHOLE, List.of(gpu(0)), List.of(p), holds);
        held.computeIfAbsent(p.uid(), k -> new HashSet<>()).add(init.container());
        Handout a = planner.plan(ResourceKind.WHOLE, List.of(gpu(0)), List.of(p), holds);
        held.get(p.uid()).add(a.container());
        Handout b = planner.plan(ResourceKind.WHOLE, List.of(gpu(0), gpu(1)), List.of(p), holds);

        assertThat(init.container()).isEqualTo("init");
        assertThat(init.gpuUuids()).containsExactly(gpu(3));
        assertThat(a.container()).isEqualTo("a");
        assertThat(a.gpuUuids()).containsExactly(gpu(3));
        assertThat(b.container()).isEqualTo("b");
        assertThat(b.gpuUuids()).containsExactly(gpu(1), gpu(2));
    }

    @Test
    void anInitContainerAskingMoreThanTheAppContainersGetsTheFirstGpusOfTheList() {
        PodOnNode p = pod("warm", 0, ids("2,0,3"), ContainerGpuRequest.init("prepare", 3, 0), whole("main", 1));
        ContainerHolds none = ContainerHolds.NONE;
        Handout prepare = planner.plan(ResourceKind.WHOLE, List.of(gpu(0), gpu(1), gpu(2)), List.of(p), none);
        assertThat(prepare.container()).isEqualTo("prepare");
        assertThat(prepare.gpuUuids()).containsExactly(gpu(2), gpu(0), gpu(3));
        ContainerHolds prepared = (pod, c, k) -> c.equals("prepare");
        Handout main = planner.plan(ResourceKind.WHOLE, List.of(gpu(1)), List.of(p), prepared);
        assertThat(main.container()).isEqualTo("main");
        assertThat(main.gpuUuids()).containsExactly(gpu(2));
    }

    @Test
    void anAnnotationNamingMoreGpusThanThePodAsksIsRefused() {
        assertThatThrownBy(() -> planner.plan(ResourceKind.WHOLE, List.of(gpu(0)),
                List.of(pod("p", 0, ids("0,1"), whole("main", 1))), ContainerHolds.NONE))
                .isInstanceOf(AllocationException.class)
                .hasMessageContaining("pod ns/p, container main")
                .hasMessageContaining("names 2 GPUs, but the pod's containers ask 1")
                .hasMessageContaining("Delete the pod so that it is scheduled again");
    }

    @Test
    void aShareGetsItsAnnotatedGpuAndTheContainersThousandths() {
        Handout h = planner.plan(ResourceKind.SHARE, shareIds(0, 0, 300),
                List.of(pod("nb", 0, share("2", "300"), milli("main", 300))), ContainerHolds.NONE);
        assertThat(h.gpuUuids()).containsExactly(gpu(2));
        assertThat(h.milli()).isEqualTo(300);
        assertThat(h.fromAnnotation()).isTrue();
    }

    @Test
    void aShareWithoutAnnotationGetsTheKubeletsGpus() {
        List<String> ids = new ArrayList<>(shareIds(1, 0, 100));
        Handout h = planner.plan(ResourceKind.SHARE, ids, List.of(), ContainerHolds.NONE);
        assertThat(h.gpuUuids()).containsExactly(gpu(1));
        assertThat(h.milli()).isEqualTo(100);
        assertThat(h.ownerKnown()).isFalse();
    }

    @Test
    void badAnnotationsFailWithTheirReasonAndNeverHandOutAGpu() {
        assertThatThrownBy(() -> planner.plan(ResourceKind.WHOLE, List.of(gpu(0)),
                List.of(pod("p", 0, ids("9"), whole("main", 1))), ContainerHolds.NONE))
                .isInstanceOf(AllocationException.class)
                .hasMessageContaining("pod ns/p, container main")
                .hasMessageContaining("names GPU 9, but node gpu-node-1 has GPUs 0..3");
        assertThatThrownBy(() -> planner.plan(ResourceKind.WHOLE, List.of(gpu(0)),
                List.of(pod("p", 0, ids("x"), whole("main", 1))), ContainerHolds.NONE))
                .hasMessageContaining("'x' is not a GPU index");
        assertThatThrownBy(() -> planner.plan(ResourceKind.WHOLE, List.of(gpu(0), gpu(1)),
                List.of(pod("p", 0, ids("1"), whole("main", 2))), ContainerHolds.NONE))
                .hasMessageContaining("names 1 GPUs, but the pod's containers ask 2");
        assertThatThrownBy(() -> planner.plan(ResourceKind.SHARE, shareIds(0, 0, 10),
                List.of(pod("p", 0, share("0,1", "10"), milli("main", 10))), ContainerHolds.NONE))
                .hasMessageContaining("a share is of exactly one GPU");
        assertThatThrownBy(() -> planner.plan(ResourceKind.SHARE, shareIds(0, 0, 10),
                List.of(pod("p", 0, share("0", "1500"), milli("main", 10))), ContainerHolds.NONE))
                .hasMessageContaining("out of range 1..1000");
    }

    @Test
    void anAnnotatedGpuThatTurnedUnhealthyIsRefused() {
        sick.add(gpu(2));
        assertThatThrownBy(() -> planner.plan(ResourceKind.WHOLE, List.of(gpu(0)),
                List.of(pod("p", 0, ids("2"), whole("main", 1))), ContainerHolds.NONE))
                .hasMessageContaining("GPU 2 (" + gpu(2) + ") chosen by the scheduler is Unhealthy");
    }

    @Test
    void deviceIdsThisAgentNeverAdvertisedAreRefused() {
        assertThatThrownBy(() -> planner.plan(ResourceKind.WHOLE, List.of("GPU-not-here"), List.of(),
                ContainerHolds.NONE)).hasMessageContaining("'GPU-not-here' of nvidia.com/gpu is not one this agent");
        assertThatThrownBy(() -> planner.plan(ResourceKind.SHARE, List.of(gpu(0)), List.of(), ContainerHolds.NONE))
                .hasMessageContaining("of gantry.io/gpu-milli is not one this agent");
    }

    @Test
    void preferenceFollowsTheAnnotationsOfThePodBeingAdmitted() {
        List<String> all = List.of(gpu(0), gpu(1), gpu(2), gpu(3));
        assertThat(planner.prefer(ResourceKind.WHOLE, all, List.of(), 2,
                List.of(pod("p", 0, ids("3,1"), whole("main", 2))), ContainerHolds.NONE))
                .containsExactlyInAnyOrder(gpu(1), gpu(3));
        List<String> shares = new ArrayList<>();
        for (int g = 0; g < 4; g++) {
            for (int n = 0; n < 1000; n++) {
                shares.add(ShareDeviceIds.id(gpu(g), n));
            }
        }
        assertThat(planner.prefer(ResourceKind.SHARE, shares, List.of(), 400,
                List.of(pod("p", 0, share("2", "400"), milli("main", 400))), ContainerHolds.NONE))
                .hasSize(400).allSatisfy(id -> assertThat(ShareDeviceIds.gpuOf(id)).isEqualTo(gpu(2)));
    }

    @Test
    void withoutAnnotationsWholeGpusPreferNvlinkPeersAndSharesTheFullestGpuThatFits() {
        // GPU 0 is taken: for two GPUs the NVLink pair 2-3 beats 1 with anything else.
        assertThat(planner.prefer(ResourceKind.WHOLE, List.of(gpu(1), gpu(2), gpu(3)), List.of(), 2, List.of(),
                ContainerHolds.NONE)).containsExactlyInAnyOrder(gpu(2), gpu(3));
        // With GPU 1 must-included, its NVLink peer 0 comes next.
        assertThat(planner.prefer(ResourceKind.WHOLE, List.of(gpu(0), gpu(1), gpu(2), gpu(3)), List.of(gpu(1)), 2,
                List.of(), ContainerHolds.NONE)).containsExactly(gpu(1), gpu(0));

        List<String> free = new ArrayList<>();
        int[] freeOnGpu = {1000, 300, 600, 250};
        for (int g = 0; g < 4; g++) {
            for (int n = 0; n < freeOnGpu[g]; n++) {
                free.add(ShareDeviceIds.id(gpu(g), 1000 - freeOnGpu[g] + n));
            }
        }
        assertThat(planner.prefer(ResourceKind.SHARE, free, List.of(), 280, List.of(), ContainerHolds.NONE))
                .as("best fit: GPU 1 has 300 free, the least that still fits 280")
                .hasSize(280).allSatisfy(id -> assertThat(ShareDeviceIds.gpuOf(id)).isEqualTo(gpu(1)));
        assertThat(planner.prefer(ResourceKind.SHARE, free, List.of(), 900, List.of(), ContainerHolds.NONE))
                .hasSize(900).allSatisfy(id -> assertThat(ShareDeviceIds.gpuOf(id)).isEqualTo(gpu(0)));
    }
}
