package io.gantry.kube;

import static io.gantry.kube.KubeTestSupport.NS;
import static io.gantry.kube.KubeTestSupport.await;
import static io.gantry.kube.KubeTestSupport.awaitBound;
import static io.gantry.kube.KubeTestSupport.events;
import static io.gantry.kube.KubeTestSupport.nodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.sandbox.KubeSandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes placement parity against the in-process API server: inter-pod anti-affinity, topology spread, host
 * ports and the node affinity of bound PersistentVolumes. The scheduler runs BestFit, which packs pods onto one
 * node, so every spread seen here comes from the constraint.
 */
class PlacementParityTest extends SandboxTest {

    static final String ZONE = "topology.kubernetes.io/zone";

    private void startBestFit() {
        scheduler = KubeTestSupport.start(client(), SchedulerConfig.parse("""
                policy: bestfit
                server: {port: 0}
                leaderElection: {enabled: false}
                backoff: {initial: 100ms, max: 1s}
                binding: {workers: 4}
                """, "test config"));
    }

    private void zonedNode(String name, String zone) {
        client().nodes().resource(new NodeBuilder(KubeSandbox.gpuNode(name, 4, "T4", 16, 64)).editMetadata()
                .addToLabels(ZONE, zone).endMetadata().build()).create();
    }

    private Pod web(String name) {
        return new PodBuilder(pod(name, 1, 250)).editMetadata().addToLabels("app", "web").endMetadata().build();
    }

    private String failure(String pod) {
        await("FailedScheduling for " + pod, Duration.ofSeconds(10), () -> events(client(), pod).stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason())));
        return events(client(), pod).stream().filter(e -> "FailedScheduling".equals(e.getReason())).findFirst()
                .orElseThrow().getMessage();
    }

    @Test
    void twoPodsWithRequiredHostnameAntiAffinityLandOnTwoNodes() {
        zonedNode("n1", "a");
        zonedNode("n2", "a");
        startBestFit();
        for (String name : List.of("web-1", "web-2", "web-3")) {
            create(new PodBuilder(web(name)).editSpec().withNewAffinity().withNewPodAntiAffinity()
                    .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                    .withNewLabelSelector().addToMatchLabels("app", "web").endLabelSelector()
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec()
                    .build());
            if (!name.equals("web-3")) {
                awaitBound(client(), name);
            }
        }
        assertThat(nodeOf(client(), "web-1")).isNotEqualTo(nodeOf(client(), "web-2"));
        assertThat(failure("web-3")).isEqualTo("0/2 nodes are available: 2 node(s) didn't match pod anti-affinity "
                + "rules." + KubeTestSupport.NO_VICTIMS);
        assertThat(nodeOf(client(), "web-3")).isNull();
    }

    @Test
    void aSpreadConstraintSpreadsAcrossZones() {
        zonedNode("a1", "a");
        zonedNode("b1", "b");
        startBestFit();
        for (int i = 0; i < 4; i++) {
            create(new PodBuilder(web("web-" + i)).editSpec().addNewTopologySpreadConstraint().withMaxSkew(1)
                    .withTopologyKey(ZONE).withWhenUnsatisfiable("DoNotSchedule").withNewLabelSelector()
                    .addToMatchLabels("app", "web").endLabelSelector().endTopologySpreadConstraint().endSpec()
                    .build());
            awaitBound(client(), "web-" + i);
        }
        Map<String, Long> perNode = List.of("web-0", "web-1", "web-2", "web-3").stream()
                .collect(Collectors.groupingBy(p -> nodeOf(client(), p), Collectors.counting()));
        assertThat(perNode).containsEntry("a1", 2L).containsEntry("b1", 2L);
    }

    @Test
    void aHostPortConflictWaitsWithKubeSchedulersMessage() {
        node("only", 4, "T4");
        startBestFit();
        for (String name : List.of("http-1", "http-2")) {
            create(new PodBuilder(pod(name, 1, 250)).editSpec().editFirstContainer().addNewPort()
                    .withContainerPort(80).withHostPort(8080).endPort().endContainer().endSpec().build());
        }
        String first = await2("one of the two bound", "http-1", "http-2");
        String second = first.equals("http-1") ? "http-2" : "http-1";
        assertThat(failure(second)).isEqualTo("0/1 nodes are available: 1 node(s) didn't have free ports for the "
                + "requested pod ports." + KubeTestSupport.NO_VICTIMS);
        client().pods().inNamespace(NS).withName(first).delete();
        assertThat(awaitBound(client(), second).getSpec().getNodeName()).isEqualTo("only");
    }

    private String await2(String what, String a, String b) {
        await(what, Duration.ofSeconds(20), () -> nodeOf(client(), a) != null || nodeOf(client(), b) != null);
        return nodeOf(client(), a) != null ? a : b;
    }

    private void claim(String name, String volumeName, String storageClass) {
        client().persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName(name).withNamespace(NS).endMetadata().withNewSpec().withVolumeName(volumeName)
                .withStorageClassName(storageClass).withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
    }

    private void volumeInZone(String name, String zone) {
        client().persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().addToCapacity("storage", new Quantity("1Gi"))
                .withAccessModes("ReadWriteOnce").withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey(ZONE).withOperator("In").withValues(zone).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().withNewLocal().withPath("/mnt/disk")
                .endLocal().endSpec().build()).create();
    }

    private Pod usingClaim(String name, String claim) {
        return new PodBuilder(pod(name, 1, 250)).editSpec().addNewVolume().withName("data")
                .withNewPersistentVolumeClaim().withClaimName(claim).endPersistentVolumeClaim().endVolume().endSpec()
                .build();
    }

    @Test
    void aBoundVolumesNodeAffinityPicksTheNodeAndAnUnboundClaimWaitsUntilItBinds() {
        zonedNode("a1", "a");
        zonedNode("b1", "b");
        volumeInZone("pv-b", "b");
        claim("data-b", "pv-b", null);
        claim("data-later", null, null);
        startBestFit();
        // BestFit would put the second pod beside the first; the volume's node affinity says b1.
        create(pod("filler", 2, 1000));
        awaitBound(client(), "filler");
        create(usingClaim("uses-b", "data-b"));
        create(usingClaim("waits", "data-later"));
        assertThat(awaitBound(client(), "uses-b").getSpec().getNodeName()).isEqualTo("b1");
        assertThat(failure("waits")).isEqualTo("0/2 nodes are available: pod has unbound immediate "
                + "PersistentVolumeClaims.");
        // The claim binds to a volume in zone a: the pod is retried and goes there.
        volumeInZone("pv-a", "a");
        client().persistentVolumeClaims().inNamespace(NS).withName("data-later").edit(c -> new
                PersistentVolumeClaimBuilder(c).editSpec().withVolumeName("pv-a").endSpec().build());
        assertThat(awaitBound(client(), "waits").getSpec().getNodeName()).isEqualTo("a1");
    }

    @Test
    void claimsGantryCannotPlaceAreReportedNotIgnored() {
        zonedNode("a1", "a");
        client().storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata()
                .withName("local-wait").endMetadata().withProvisioner("kubernetes.io/no-provisioner")
                .withVolumeBindingMode("WaitForFirstConsumer").build()).create();
        claim("late", null, "local-wait");
        startBestFit();
        create(usingClaim("wffc", "late"));
        create(usingClaim("missing", "no-such-claim"));
        assertThat(failure("wffc")).isEqualTo("0/1 nodes are available: claim " + NS + "/late of storage class "
                + "local-wait (volumeBindingMode: WaitForFirstConsumer) is unbound, and Gantry does not bind "
                + "volumes; bind the claim to a PersistentVolume first, use a storage class with volumeBindingMode: "
                + "Immediate, or leave the pod to kube-scheduler.");
        assertThat(failure("missing")).isEqualTo("0/1 nodes are available: persistentvolumeclaim "
                + "\"no-such-claim\" not found.");
        assertThat(nodeOf(client(), "wffc")).isNull();
    }
}
