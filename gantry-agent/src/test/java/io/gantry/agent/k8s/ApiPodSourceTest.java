package io.gantry.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.agent.allocation.PodOnNode;
import io.gantry.contract.ContainerGpuRequest;
import io.gantry.kube.sandbox.KubeSandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiPodSourceTest {

    private static Pod pod(String name, String node, String phase, int gpus, int milli) {
        Pod p = KubeSandbox.gpuPod("team-a", name, "gantry", gpus, milli, 100, 128);
        p.getSpec().setNodeName(node);
        p.getStatus().setPhase(phase);
        p.getMetadata().setUid("uid-" + name);
        p.getMetadata().setCreationTimestamp("2026-11-28T10:0" + name.length() + ":00Z");
        p.getMetadata().setAnnotations(Map.of("gantry.io/gpu-ids", "1"));
        return p;
    }

    @Test
    void onlyThisNodesPodsThatHaveNotStartedAreCandidates() {
        try (KubeSandbox sandbox = KubeSandbox.start()) {
            sandbox.client().pods().inNamespace("team-a").resource(pod("mine", "n1", "Pending", 2, 1000)).create();
            sandbox.client().pods().inNamespace("team-a").resource(pod("running", "n1", "Running", 1, 1000)).create();
            // Admitted (its init container has a status): its devices were allocated at admission.
            Pod admitted = pod("initializing", "n1", "Pending", 1, 1000);
            admitted.getStatus().setInitContainerStatuses(List.of(
                    new ContainerStatusBuilder().withName("init").build()));
            sandbox.client().pods().inNamespace("team-a").resource(admitted).create();
            sandbox.client().pods().inNamespace("team-a").resource(pod("elsewhere", "n2", "Pending", 1, 1000))
                    .create();
            Pod withInit = pod("share", "n1", "Pending", 1, 250);
            withInit.getSpec().getInitContainers().add(new ContainerBuilder().withName("warmup")
                    .withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().build());
            sandbox.client().pods().inNamespace("team-a").resource(withInit).create();

            var pods = new ApiPodSource(sandbox.client(), "n1").pendingPods();

            assertThat(pods).extracting(PodOnNode::name).containsExactlyInAnyOrder("mine", "share");
            PodOnNode mine = pods.stream().filter(p -> p.name().equals("mine")).findFirst().orElseThrow();
            assertThat(mine.uid()).isNotBlank();
            assertThat(mine.annotations()).containsEntry("gantry.io/gpu-ids", "1");
            assertThat(mine.containers()).containsExactly(new ContainerGpuRequest("main", false, 2, 0));
            PodOnNode share = pods.stream().filter(p -> p.name().equals("share")).findFirst().orElseThrow();
            assertThat(share.containers()).containsExactly(new ContainerGpuRequest("warmup", true, 1, 0),
                    new ContainerGpuRequest("main", false, 0, 250));
        }
    }
}
