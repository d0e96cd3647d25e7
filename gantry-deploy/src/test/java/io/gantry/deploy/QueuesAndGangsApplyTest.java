package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The CRDs of deploy/manifests/crds/ go to an API server (fabric8's in-process mock, CRUD mode, which serves the
 * kinds of the CRDs created in it), then the examples of issue 10: Queues, PodGroups, pods, PriorityClasses, a
 * PodDisruptionBudget. The RayCluster's kind is KubeRay's and has no CRD here: it is parsed, and what KubeRay would
 * create from it (its PodGroup and pods) is applied instead.
 */
@EnableKubernetesMockClient(crud = true, https = false)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueuesAndGangsApplyTest {

    static KubernetesClient client;

    @Test
    @Order(1)
    void theCrdsApplyAndReadBack() {
        applyAndReadBack(Deploy.parseFile(CrdsTest.QUEUE_FILE));
        applyAndReadBack(Deploy.parseFile(CrdsTest.POD_GROUP_FILE));
        List<String> names = client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .map(c -> c.getMetadata().getName()).toList();
        assertThat(names).containsExactlyInAnyOrder("queues.scheduling.gantry.io", "podgroups.scheduling.x-k8s.io");
    }

    @Test
    @Order(2)
    void theExamplesApplyAfterThem() {
        List<HasMetadata> objects = new ArrayList<>(Deploy.parseFile(QueueAndGangExamplesTest.QUEUES));
        objects.addAll(Deploy.parseFile(QueueAndGangExamplesTest.TRAINJOB));
        objects.addAll(Deploy.parseFile(QueueAndGangExamplesTest.PREEMPTION));
        HasMetadata rayCluster = QueueAndGangExamplesTest.rayCluster();
        assertThat(knownKind(rayCluster)).as("RayCluster has no CRD in the sandbox").isFalse();
        objects.addAll(QueueAndGangExamplesTest.kubeRayGang(rayCluster));
        assertThat(objects).allSatisfy(o -> assertThat(knownKind(o)).as("%s %s", o.getKind(),
                o.getMetadata().getName()).isTrue());
        applyAndReadBack(objects);

        List<GenericKubernetesResource> queues = client.genericKubernetesResources("scheduling.gantry.io/v1alpha1",
                "Queue").list().getItems();
        assertThat(queues).extracting(q -> q.getMetadata().getName())
                .containsExactlyInAnyOrder("research", "team-a", "team-b");
        assertThat(queues).allSatisfy(q -> assertThat(q.getMetadata().getNamespace()).isNull());
        List<GenericKubernetesResource> groups = client.genericKubernetesResources("scheduling.x-k8s.io/v1alpha1",
                "PodGroup").inAnyNamespace().list().getItems();
        assertThat(groups).extracting(g -> g.getMetadata().getNamespace() + "/" + g.getMetadata().getName())
                .containsExactlyInAnyOrder("team-a/llama-finetune", "team-b/rl-sweep");
        assertThat(client.pods().inNamespace("team-a").withLabel(QueueAndGangExamplesTest.POD_GROUP_LABEL,
                "llama-finetune").list().getItems()).hasSize(4);
        assertThat(client.pods().inNamespace("team-b").withLabel(QueueAndGangExamplesTest.POD_GROUP_LABEL,
                "rl-sweep").list().getItems()).hasSize(5);
        assertThat(client.scheduling().v1().priorityClasses().list().getItems()).hasSize(2);
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace("team-a").withName("sweep").get())
                .isNotNull();
    }

    /** A kind of fabric8's model, or of a CRD in the sandbox. */
    private static boolean knownKind(HasMetadata o) {
        if (!(o instanceof GenericKubernetesResource)) {
            return true;
        }
        return client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .anyMatch((CustomResourceDefinition crd) -> CustomResourceSchema.isInstance(crd, o));
    }

    /** Creates each object (namespaces first) and checks the server returns the same. */
    private static void applyAndReadBack(List<HasMetadata> objects) {
        for (HasMetadata o : objects.stream().sorted((a, b) -> Boolean.compare(!(a instanceof Namespace),
                !(b instanceof Namespace))).toList()) {
            HasMetadata created = client.resource(o).create();
            assertThat(created.getMetadata().getUid()).as("created %s", o.getMetadata().getName()).isNotNull();
            HasMetadata back = client.resource(o).get();
            assertThat(back).as("%s %s read back", o.getKind(), o.getMetadata().getName()).isNotNull();
            assertThat(back.getKind()).isEqualTo(o.getKind());
            assertThat(back.getMetadata().getNamespace()).isEqualTo(o.getMetadata().getNamespace());
            assertThat(back.getMetadata().getLabels()).isEqualTo(o.getMetadata().getLabels());
            assertThat(back).usingRecursiveComparison()
                    .ignoringFields("metadata.uid", "metadata.resourceVersion", "metadata.creationTimestamp",
                            "metadata.generation", "metadata.managedFields", "status")
                    .isEqualTo(o);
        }
    }
}
