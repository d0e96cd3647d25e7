package io.gantry.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kube.scheduling.KubeApi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Queues, PodGroups and their CRDs in the sandbox, as deploy/ ships them. */
final class Tenants {

    /** The CRDs exactly as deploy/manifests/crds/ ships them. */
    static final Path CRDS = Path.of("..", "deploy", "manifests", "crds");

    private Tenants() {
    }

    static void installCrds(KubernetesClient client) {
        for (String file : List.of("queues.scheduling.gantry.io.yaml", "podgroups.scheduling.x-k8s.io.yaml")) {
            try (InputStream in = Files.newInputStream(CRDS.resolve(file))) {
                create(client, in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Creates every object of a YAML stream. */
    static void apply(KubernetesClient client, String yaml) {
        create(client, new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private static void create(KubernetesClient client, InputStream in) {
        for (HasMetadata o : client.load(in).items()) {
            client.resource(o).create();
        }
    }

    /**
     * The CRDs, and a parent queue research of 8 GPUs with children team-a and team-b (GPU guarantees as given;
     * team-a's borrowing limit, null for none).
     */
    static void twoTeams(KubernetesClient client, String teamA, String teamABorrowing, String teamB) {
        installCrds(client);
        apply(client, queue("research", null, "8", null) + queue("team-a", "research", teamA, teamABorrowing)
                + queue("team-b", "research", teamB, null));
    }

    /** A leaf or parent queue with a GPU quota (GPUs; borrowing null: unlimited). */
    static String queue(String name, String parent, String guaranteed, String borrowingLimit) {
        return "apiVersion: scheduling.gantry.io/v1alpha1\nkind: Queue\nmetadata: {name: " + name + "}\nspec:\n"
                + (parent == null ? "" : "  parent: " + parent + "\n")
                + "  quota:\n    - resource: gpu\n      guaranteed: " + guaranteed + "\n"
                + (borrowingLimit == null ? "" : "      borrowingLimit: " + borrowingLimit + "\n") + "---\n";
    }

    static String podGroup(String ns, String name, int minMember, int timeoutSeconds) {
        return "apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: " + name
                + ", namespace: " + ns + "}\nspec:\n  minMember: " + minMember + "\n  scheduleTimeoutSeconds: "
                + timeoutSeconds + "\n---\n";
    }

    static GenericKubernetesResource queueObject(KubernetesClient client, String name) {
        return client.genericKubernetesResources(KubeApi.QUEUES).withName(name).get();
    }

    /** The pod in a queue (label), of a gang (label), with a priority. */
    static Pod member(Pod pod, String queue, String group, int priority) {
        PodBuilder b = new PodBuilder(pod);
        if (queue != null) {
            b.editMetadata().addToLabels("gantry.io/queue", queue).endMetadata();
        }
        if (group != null) {
            b.editMetadata().addToLabels("scheduling.x-k8s.io/pod-group", group).endMetadata();
        }
        return b.editSpec().withPriority(priority).endSpec().build();
    }
}
