package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gantry.engine.PodRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The examples of issue 10: queues of two teams, a Trainer-shaped PodGroup, a KubeRay-shaped gang and a preemption
 * scenario. Custom resources are checked against their CRD's schema, and the files against each other (the pods'
 * queues exist, a gang's minMember counts its pods, a preemptor outranks its victim).
 */
class QueueAndGangExamplesTest {

    static final String QUEUES = "deploy/examples/queues-two-teams.yaml";
    static final String TRAINJOB = "deploy/examples/podgroup-trainjob.yaml";
    static final String RAYCLUSTER = "deploy/examples/raycluster-gang.yaml";
    static final String PREEMPTION = "deploy/examples/preemption.yaml";

    static final String QUEUE_LABEL = "gantry.io/queue";
    static final String POD_GROUP_LABEL = "scheduling.x-k8s.io/pod-group";
    /** The schedulerName KubeRay's scheduler-plugins provider writes on every Ray pod (schedulerInstanceName). */
    static final String KUBERAY_SCHEDULER_NAME = "scheduler-plugins-scheduler";

    private static final String SCHEDULER_NAME = SchedulerObjects.config(Deploy.renderObjects()).schedulerName();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoTeamsQueuesAreValidQueuesUnderOneParent() {
        List<HasMetadata> objects = Deploy.parseFile(QUEUES);
        CustomResourceDefinition crd = CrdsTest.queueCrd();
        Map<String, JsonNode> queues = new LinkedHashMap<>();
        for (HasMetadata o : objects) {
            if (o instanceof Namespace) {
                continue;
            }
            assertThat(CustomResourceSchema.violations(crd, o)).as("Queue %s against the CRD's schema",
                    o.getMetadata().getName()).isEmpty();
            assertThat(o.getMetadata().getNamespace()).as("Queues are cluster-scoped").isNull();
            queues.put(o.getMetadata().getName(), tree(o).path("spec"));
        }
        assertThat(queues).containsOnlyKeys("research", "team-a", "team-b");
        assertThat(queues.get("research").has("parent")).isFalse();
        assertThat(queues.get("team-a").path("parent").asString()).isEqualTo("research");
        assertThat(queues.get("team-b").path("parent").asString()).isEqualTo("research");
        assertThat(queues.get("team-a").path("weight").asInt()).isEqualTo(2);
        assertThat(queues.get("team-b").path("weight").asInt()).isEqualTo(1);

        // the children's guarantees come out of the parent's, resource by resource
        Map<String, BigDecimal> children = new TreeMap<>();
        for (String child : List.of("team-a", "team-b")) {
            guaranteed(queues.get(child)).forEach((r, q) -> children.merge(r, q, BigDecimal::add));
        }
        Map<String, BigDecimal> parent = guaranteed(queues.get("research"));
        assertThat(children.keySet()).isEqualTo(parent.keySet());
        children.forEach((r, q) -> assertThat(q).as("children's guaranteed %s", r).isLessThanOrEqualTo(parent.get(r)));

        // team-a: 16 GPUs of any model, borrows up to 8, lends up to 8; team-b: 7.5 H100s (7500 milli), lends all
        JsonNode aGpu = quota(queues.get("team-a"), "gpu");
        assertThat(aGpu.has("model")).isFalse();
        assertThat(amount(aGpu.get("guaranteed"))).isEqualByComparingTo("16");
        assertThat(amount(aGpu.get("borrowingLimit"))).isEqualByComparingTo("8");
        assertThat(amount(aGpu.get("lendingLimit"))).isEqualByComparingTo("8");
        JsonNode bGpu = quota(queues.get("team-b"), "gpu");
        assertThat(bGpu.path("model").asString()).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(amount(bGpu.get("guaranteed")).movePointRight(3)).as("milli").isEqualByComparingTo("7500");
        assertThat(bGpu.has("lendingLimit")).isFalse();
        assertThat(queues.get("team-b").path("preemption").path("withinQueue").asString()).isEqualTo("Never");

        // each team's namespace defaults its pods to the team's queue
        List<Namespace> namespaces = Deploy.all(objects, Namespace.class);
        assertThat(namespaces).extracting(n -> n.getMetadata().getName()).containsExactly("team-a", "team-b");
        assertThat(namespaces).allSatisfy(n -> assertThat(n.getMetadata().getLabels())
                .containsEntry(QUEUE_LABEL, n.getMetadata().getName()));
    }

    @Test
    void trainJobPodGroupGangsItsFourEightGpuWorkers() {
        List<HasMetadata> objects = Deploy.parseFile(TRAINJOB);
        HasMetadata group = one(objects, "PodGroup");
        assertThat(CustomResourceSchema.violations(CrdsTest.podGroupCrd(), group)).isEmpty();
        String name = group.getMetadata().getName();
        JsonNode spec = tree(group).path("spec");
        List<Pod> pods = Deploy.all(objects, Pod.class);

        // Trainer: the PodGroup is the TrainJob's name, minMember its pod count, the default timeout 60 s
        assertThat(pods).hasSize(4).allSatisfy(p -> {
            assertThat(p.getMetadata().getNamespace()).isEqualTo(group.getMetadata().getNamespace());
            assertThat(p.getMetadata().getLabels()).containsEntry(POD_GROUP_LABEL, name)
                    .containsEntry("jobset.sigs.k8s.io/jobset-name", name);
            assertThat(p.getSpec().getSchedulerName()).isEqualTo(SCHEDULER_NAME);
            PodRequest request = ExamplesTest.request(p);
            assertThat(request.gpuCount()).isEqualTo(8);
        });
        assertThat(spec.path("minMember").asInt()).isEqualTo(pods.size());
        assertThat(spec.path("scheduleTimeoutSeconds").asInt()).isEqualTo(60);
        assertThat(pods).extracting(p -> p.getMetadata().getLabels().get("batch.kubernetes.io/job-completion-index"))
                .containsExactly("0", "1", "2", "3");
        assertThat(pods).extracting(p -> p.getMetadata().getName())
                .allSatisfy(n -> assertThat(n).startsWith(name + "-node-0-"));
        assertThat(group.getMetadata().getOwnerReferences()).as("no owner that does not exist").isEmpty();

        // minResources: the pods' requests summed, as Trainer computes them
        Map<String, BigDecimal> expected = sum(pods.stream().map(Pod::getSpec).map(s -> s.getContainers().get(0)
                .getResources()).toList());
        Map<String, BigDecimal> minResources = new TreeMap<>();
        spec.path("minResources").properties().forEach(e -> minResources.put(e.getKey(), amount(e.getValue())));
        assertThat(minResources).usingComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .isEqualTo(expected);

        assertQueued(pods, "team-a");
    }

    @Test
    void rayClusterIsAKubeRayGangForGantry() {
        HasMetadata cluster = rayCluster();
        assertThat(cluster.getApiVersion()).isEqualTo("ray.io/v1");
        assertThat(cluster.getMetadata().getLabels()).containsEntry("ray.io/gang-scheduling-enabled", "true");

        List<HasMetadata> gang = kubeRayGang(cluster);
        HasMetadata group = one(gang, "PodGroup");
        assertThat(CustomResourceSchema.violations(CrdsTest.podGroupCrd(), group)).isEmpty();
        List<Pod> pods = Deploy.all(gang, Pod.class);
        assertThat(pods).hasSize(5);
        assertThat(tree(group).path("spec").path("minMember").asInt()).as("four workers and the head").isEqualTo(5);
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getSpec().getSchedulerName()).isEqualTo(KUBERAY_SCHEDULER_NAME);
            assertThat(p.getMetadata().getLabels()).containsEntry(POD_GROUP_LABEL, cluster.getMetadata().getName());
        });
        assertThat(pods).filteredOn(p -> p.getMetadata().getName().endsWith("-head"))
                .singleElement().satisfies(p -> assertThat(ExamplesTest.request(p).gpuCount()).isZero());
        assertThat(pods).filteredOn(p -> !p.getMetadata().getName().endsWith("-head")).hasSize(4)
                .allSatisfy(p -> assertThat(ExamplesTest.request(p).gpuCount()).isEqualTo(2));
        assertQueued(pods, "team-b");

        // Gantry runs under the name KubeRay writes, as the example's comment says: the chart takes it
        assertThat(Deploy.read(RAYCLUSTER)).contains("--set config.schedulerName=" + KUBERAY_SCHEDULER_NAME);
        assertThat(SchedulerObjects.config(Deploy.renderObjects("config.schedulerName", KUBERAY_SCHEDULER_NAME))
                .schedulerName()).isEqualTo(KUBERAY_SCHEDULER_NAME);
    }

    @Test
    void preemptionHasAHigherPriorityPreemptorAndABudgetOnTheVictim() {
        List<HasMetadata> objects = Deploy.parseFile(PREEMPTION);
        assertThat(Deploy.kinds(objects)).containsExactly("Pod", "Pod", "PodDisruptionBudget", "PriorityClass",
                "PriorityClass");
        assertThat(objects.subList(0, 2)).as("PriorityClasses first: a pod naming a missing one is refused")
                .allSatisfy(o -> assertThat(o).isInstanceOf(PriorityClass.class));
        Map<String, PriorityClass> classes = Deploy.all(objects, PriorityClass.class).stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
        assertThat(classes.values()).allSatisfy(c -> assertThat(c.getGlobalDefault()).isFalse());
        Pod low = pod(objects, "sweep-low");
        Pod high = pod(objects, "train-high");
        int lowValue = classes.get(low.getSpec().getPriorityClassName()).getValue();
        int highValue = classes.get(high.getSpec().getPriorityClassName()).getValue();
        assertThat(highValue).isGreaterThan(lowValue);
        // the same queue, whose policy lets the higher priority preempt inside it
        assertQueued(List.of(low, high), "team-a");
        JsonNode teamA = queueSpecs().get("team-a");
        assertThat(teamA.path("preemption").path("withinQueue").asString()).isEqualTo("LowerPriority");
        assertThat(ExamplesTest.request(low).gpuCount()).isEqualTo(8);
        assertThat(ExamplesTest.request(high).gpuCount()).isEqualTo(8);
        assertThat(List.of(low, high)).allSatisfy(p -> assertThat(p.getSpec().getSchedulerName())
                .isEqualTo(SCHEDULER_NAME));

        // the budget covers the victim only, and allows its eviction
        PodDisruptionBudget pdb = Deploy.one(objects, PodDisruptionBudget.class);
        assertThat(pdb.getMetadata().getNamespace()).isEqualTo(low.getMetadata().getNamespace());
        Map<String, String> selector = pdb.getSpec().getSelector().getMatchLabels();
        assertThat(low.getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(high.getMetadata().getLabels().entrySet()).doesNotContainAnyElementsOf(selector.entrySet());
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
    }

    /** Every pod's queue label names a queue of the two-teams example, the one its namespace defaults to. */
    private static void assertQueued(List<Pod> pods, String queue) {
        Map<String, String> namespaceQueue = Deploy.all(Deploy.parseFile(QUEUES), Namespace.class).stream()
                .collect(Collectors.toMap(n -> n.getMetadata().getName(),
                        n -> n.getMetadata().getLabels().get(QUEUE_LABEL)));
        assertThat(queueSpecs()).containsKey(queue);
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getMetadata().getLabels()).containsEntry(QUEUE_LABEL, queue);
            assertThat(namespaceQueue).containsEntry(p.getMetadata().getNamespace(), queue);
        });
    }

    static HasMetadata rayCluster() {
        List<HasMetadata> objects = Deploy.parseFile(RAYCLUSTER);
        assertThat(objects).singleElement().isInstanceOf(GenericKubernetesResource.class);
        return objects.get(0);
    }

    /**
     * What KubeRay's scheduler-plugins provider makes of a RayCluster labelled ray.io/gang-scheduling-enabled: a
     * PodGroup of the cluster's name and namespace with minMember = the workers' replicas + 1 and minResources their
     * requests summed, and the pods of the head and every worker labelled with it and given its schedulerName.
     */
    static List<HasMetadata> kubeRayGang(HasMetadata cluster) {
        JsonNode spec = tree(cluster).path("spec");
        String name = cluster.getMetadata().getName();
        String namespace = cluster.getMetadata().getNamespace();
        List<HasMetadata> out = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        pods.add(rayPod(spec.path("headGroupSpec").path("template"), name + "-head", name, namespace));
        for (JsonNode group : spec.path("workerGroupSpecs")) {
            for (int i = 0; i < group.path("replicas").asInt(); i++) {
                pods.add(rayPod(group.path("template"), name + "-" + group.path("groupName").asString() + "-worker-"
                        + i, name, namespace));
            }
        }
        Map<String, Object> minResources = new LinkedHashMap<>();
        sum(pods.stream().map(p -> p.getSpec().getContainers().get(0).getResources()).toList())
                .forEach((r, q) -> minResources.put(r, q.stripTrailingZeros().toPlainString()));
        Map<String, Object> groupSpec = new LinkedHashMap<>();
        groupSpec.put("minMember", pods.size());
        groupSpec.put("minResources", minResources);
        out.add(new GenericKubernetesResourceBuilder().withApiVersion("scheduling.x-k8s.io/v1alpha1")
                .withKind("PodGroup").withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addToAdditionalProperties("spec", groupSpec).build());
        out.addAll(pods);
        return out;
    }

    private static Pod rayPod(JsonNode template, String podName, String cluster, String namespace) {
        PodTemplateSpec t = SERIALIZATION.unmarshal(template.toString(), PodTemplateSpec.class);
        Map<String, String> labels = new HashMap<>(t.getMetadata().getLabels());
        labels.put(POD_GROUP_LABEL, cluster);
        labels.put("ray.io/cluster", cluster);
        Pod pod = new PodBuilder().withNewMetadata().withName(podName).withNamespace(namespace).withLabels(labels)
                .endMetadata().withSpec(t.getSpec()).build();
        pod.getSpec().setSchedulerName(KUBERAY_SCHEDULER_NAME);
        return pod;
    }

    /** The spec of every Queue of the two-teams example, by name. */
    static Map<String, JsonNode> queueSpecs() {
        return Deploy.parseFile(QUEUES).stream().filter(o -> o.getKind().equals("Queue"))
                .collect(Collectors.toMap(o -> o.getMetadata().getName(), o -> tree(o).path("spec")));
    }

    /** Requests summed over the pods, an extended resource's (nvidia.com/gpu) from its limit, as the API sets it. */
    private static Map<String, BigDecimal> sum(List<ResourceRequirements> containers) {
        Map<String, BigDecimal> out = new TreeMap<>();
        for (ResourceRequirements r : containers) {
            Map<String, Quantity> requests = new HashMap<>(r.getRequests() == null ? Map.of() : r.getRequests());
            if (r.getLimits() != null) {
                r.getLimits().forEach(requests::putIfAbsent);
            }
            requests.forEach((k, q) -> out.merge(k, Quantity.getAmountInBytes(q), BigDecimal::add));
        }
        return out;
    }

    private static Map<String, BigDecimal> guaranteed(JsonNode spec) {
        Map<String, BigDecimal> out = new TreeMap<>();
        for (JsonNode entry : spec.path("quota")) {
            out.merge(entry.path("resource").asString(), amount(entry.get("guaranteed")), BigDecimal::add);
        }
        return out;
    }

    private static JsonNode quota(JsonNode spec, String resource) {
        List<JsonNode> found = new ArrayList<>();
        spec.path("quota").forEach(e -> {
            if (e.path("resource").asString().equals(resource)) {
                found.add(e);
            }
        });
        assertThat(found).as("one %s entry", resource).hasSize(1);
        return found.get(0);
    }

    private static BigDecimal amount(JsonNode quantity) {
        // an integer (16) or a quantity string ("7500m", "1Ti")
        return Quantity.getAmountInBytes(new Quantity(quantity.asString()));
    }

    static JsonNode tree(HasMetadata o) {
        return JSON.readTree(SERIALIZATION.asJson(o));
    }

    private static HasMetadata one(List<HasMetadata> objects, String kind) {
        List<HasMetadata> found = objects.stream().filter(o -> o.getKind().equals(kind)).toList();
        assertThat(found).as("one %s", kind).hasSize(1);
        return found.get(0);
    }

    private static Pod pod(List<HasMetadata> objects, String name) {
        return Deploy.all(objects, Pod.class).stream().filter(p -> p.getMetadata().getName().equals(name))
                .findFirst().orElseThrow();
    }
}
