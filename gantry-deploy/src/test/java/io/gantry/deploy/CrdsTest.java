package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * deploy/manifests/crds/: the Queue CRD as issue 10 defines it, and the PodGroup CRD with the schema that
 * kubernetes-sigs/scheduler-plugins ships (manifests/coscheduling/crd.yaml), which Kubeflow Trainer and KubeRay write.
 */
class CrdsTest {

    static final String QUEUE_FILE = "deploy/manifests/crds/queues.scheduling.gantry.io.yaml";
    static final String POD_GROUP_FILE = "deploy/manifests/crds/podgroups.scheduling.x-k8s.io.yaml";

    static CustomResourceDefinition queueCrd() {
        return Deploy.one(Deploy.parseFile(QUEUE_FILE), CustomResourceDefinition.class);
    }

    static CustomResourceDefinition podGroupCrd() {
        return Deploy.one(Deploy.parseFile(POD_GROUP_FILE), CustomResourceDefinition.class);
    }

    @Test
    void queueIsAClusterScopedV1alpha1WithAStatusSubresource() {
        CustomResourceDefinition crd = queueCrd();
        assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
        assertThat(crd.getMetadata().getName()).isEqualTo("queues.scheduling.gantry.io");
        assertThat(crd.getSpec().getGroup()).isEqualTo("scheduling.gantry.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        var names = crd.getSpec().getNames();
        assertThat(names.getKind()).isEqualTo("Queue");
        assertThat(names.getListKind()).isEqualTo("QueueList");
        assertThat(names.getPlural()).isEqualTo("queues");
        assertThat(names.getSingular()).isEqualTo("queue");
        assertThat(names.getShortNames()).containsExactly("gq");
        CustomResourceDefinitionVersion v = onlyVersion(crd);
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getServed()).isTrue();
        assertThat(v.getStorage()).isTrue();
        assertThat(v.getSubresources().getStatus()).as("status written apart from spec").isNotNull();
        assertThat(v.getSubresources().getScale()).isNull();
        assertStructural(CustomResourceSchema.of(crd), "openAPIV3Schema");
    }

    @Test
    void queueSpecHasTheIssuesFieldsEnumsAndDefaults() {
        JSONSchemaProps spec = CustomResourceSchema.of(queueCrd()).getProperties().get("spec");
        assertThat(spec.getProperties()).containsOnlyKeys("parent", "weight", "quota", "preemption");
        assertThat(spec.getRequired()).as("a Queue with an empty spec is a top-level queue of weight 1").isNullOrEmpty();

        assertThat(spec.getProperties().get("parent").getType()).isEqualTo("string");
        JSONSchemaProps weight = spec.getProperties().get("weight");
        assertThat(weight.getType()).isEqualTo("integer");
        assertThat(weight.getMinimum()).isEqualTo(1.0);
        assertThat(weight.getDefault().asInt()).isEqualTo(1);

        JSONSchemaProps quota = spec.getProperties().get("quota");
        assertThat(quota.getType()).isEqualTo("array");
        JSONSchemaProps entry = quota.getItems().getSchema();
        assertThat(entry.getProperties()).containsOnlyKeys("resource", "model", "guaranteed", "borrowingLimit",
                "lendingLimit");
        assertThat(entry.getRequired()).containsExactlyInAnyOrder("resource", "guaranteed");
        assertThat(strings(entry.getProperties().get("resource").getEnum())).containsExactly("gpu", "cpu", "memory");
        assertThat(entry.getProperties().get("model").getType()).isEqualTo("string");
        for (String quantity : List.of("guaranteed", "borrowingLimit", "lendingLimit")) {
            assertQuantity(entry.getProperties().get(quantity), quantity);
        }

        JSONSchemaProps preemption = spec.getProperties().get("preemption");
        assertThat(preemption.getProperties()).containsOnlyKeys("reclaim", "withinQueue");
        JSONSchemaProps reclaim = preemption.getProperties().get("reclaim");
        assertThat(strings(reclaim.getEnum())).containsExactly("LowerOrEqualPriority", "LowerPriority", "Never");
        assertThat(reclaim.getDefault().asString()).isEqualTo("LowerOrEqualPriority");
        JSONSchemaProps within = preemption.getProperties().get("withinQueue");
        assertThat(strings(within.getEnum())).containsExactly("LowerPriority", "Never");
        assertThat(within.getDefault().asString()).isEqualTo("LowerPriority");
    }

    @Test
    void queueStatusHoldsUsageAndStandardConditions() {
        JSONSchemaProps status = CustomResourceSchema.of(queueCrd()).getProperties().get("status");
        assertThat(status.getProperties()).containsOnlyKeys("gpu", "resources", "pendingPods", "admittedPods",
                "conditions");
        JSONSchemaProps gpu = status.getProperties().get("gpu");
        assertThat(gpu.getProperties()).containsOnlyKeys("guaranteed", "allocated", "borrowed", "pending",
                "fairShare");
        assertThat(gpu.getProperties().values()).allSatisfy(p -> assertThat(p.getType()).isEqualTo("string"));
        JSONSchemaProps resource = status.getProperties().get("resources").getItems().getSchema();
        assertThat(resource.getProperties()).containsOnlyKeys("resource", "model", "guaranteed", "allocated",
                "borrowed");
        assertThat(status.getProperties().get("pendingPods").getType()).isEqualTo("integer");
        assertThat(status.getProperties().get("admittedPods").getType()).isEqualTo("integer");

        JSONSchemaProps conditions = status.getProperties().get("conditions");
        assertThat(conditions.getXKubernetesListType()).isEqualTo("map");
        assertThat(conditions.getXKubernetesListMapKeys()).containsExactly("type");
        JSONSchemaProps condition = conditions.getItems().getSchema();
        // metav1.Condition: observedGeneration is its only optional field
        assertThat(condition.getProperties()).containsOnlyKeys("type", "status", "reason", "message",
                "lastTransitionTime", "observedGeneration");
        assertThat(condition.getRequired()).containsExactlyInAnyOrder("type", "status", "reason", "message",
                "lastTransitionTime");
        assertThat(strings(condition.getProperties().get("status").getEnum())).containsExactly("True", "False",
                "Unknown");
        assertThat(condition.getProperties().get("lastTransitionTime").getFormat()).isEqualTo("date-time");
    }

    @Test
    void kubectlGetQueuesShowsQuotaUsageBorrowedPendingAndAdmitted() {
        CustomResourceDefinition crd = queueCrd();
        assertThat(columns(onlyVersion(crd))).containsExactly(
                "PARENT string .spec.parent",
                "WEIGHT integer .spec.weight",
                "GPU-QUOTA string .status.gpu.guaranteed",
                "GPU-USED string .status.gpu.allocated",
                "BORROWED string .status.gpu.borrowed",
                "PENDING integer .status.pendingPods",
                "ADMITTED integer .status.admittedPods",
                "AGE date .metadata.creationTimestamp");
        assertColumnsNameSchemaFields(crd, true);
    }

    @Test
    void podGroupIsTheSchedulerPluginsApi() {
        CustomResourceDefinition crd = podGroupCrd();
        assertThat(crd.getMetadata().getName()).isEqualTo("podgroups.scheduling.x-k8s.io");
        assertThat(crd.getMetadata().getAnnotations()).containsEntry("api-approved.kubernetes.io",
                "https://github.com/kubernetes-sigs/scheduler-plugins/pull/50");
        assertThat(crd.getSpec().getGroup()).isEqualTo("scheduling.x-k8s.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        var names = crd.getSpec().getNames();
        assertThat(names.getKind()).isEqualTo("PodGroup");
        assertThat(names.getListKind()).isEqualTo("PodGroupList");
        assertThat(names.getPlural()).isEqualTo("podgroups");
        assertThat(names.getSingular()).isEqualTo("podgroup");
        assertThat(names.getShortNames()).containsExactly("pg", "pgs");
        CustomResourceDefinitionVersion v = onlyVersion(crd);
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getServed()).isTrue();
        assertThat(v.getStorage()).isTrue();
        assertThat(v.getSubresources().getStatus()).isNotNull();
        assertThat(columns(v)).containsExactly("Phase string .status.phase", "MinMember integer .spec.minMember",
                "Running string .status.running", "Succeeded string .status.succeeded",
                "Failed string .status.failed", "Age date .metadata.creationTimestamp");
        // upstream types the integer counts' columns "string"; kept, so that the two CRDs are the same object
        assertColumnsNameSchemaFields(crd, false);

        JSONSchemaProps schema = CustomResourceSchema.of(crd);
        assertStructural(schema, "openAPIV3Schema");
        JSONSchemaProps spec = schema.getProperties().get("spec");
        assertThat(spec.getProperties()).containsOnlyKeys("minMember", "minResources", "scheduleTimeoutSeconds");
        assertInt32(spec.getProperties().get("minMember"));
        assertInt32(spec.getProperties().get("scheduleTimeoutSeconds"));
        JSONSchemaProps minResources = spec.getProperties().get("minResources");
        assertThat(minResources.getType()).isEqualTo("object");
        assertQuantity(minResources.getAdditionalProperties().getSchema(), "minResources[*]");

        JSONSchemaProps status = schema.getProperties().get("status");
        assertThat(status.getProperties()).containsOnlyKeys("phase", "occupiedBy", "running", "succeeded", "failed",
                "scheduleStartTime");
        assertThat(status.getProperties().get("phase").getType()).isEqualTo("string");
        assertThat(status.getProperties().get("occupiedBy").getType()).isEqualTo("string");
        for (String count : List.of("running", "succeeded", "failed")) {
            assertInt32(status.getProperties().get(count));
        }
        assertThat(status.getProperties().get("scheduleStartTime").getFormat()).isEqualTo("date-time");
    }

    @Test
    void theSchemaCheckRejectsWhatTheApiServerWould() {
        JSONSchemaProps quota = CustomResourceSchema.of(queueCrd()).getProperties().get("spec");
        assertThat(violations(quota, "{\"weight\": 0}")).singleElement().asString().contains("minimum");
        assertThat(violations(quota, "{\"weight\": \"2\"}")).singleElement().asString().contains("not an integer");
        assertThat(violations(quota, "{\"quota\": [{\"resource\": \"tpu\", \"guaranteed\": 1}]}"))
                .singleElement().asString().contains("not one of");
        assertThat(violations(quota, "{\"quota\": [{\"resource\": \"gpu\"}]}")).singleElement().asString()
                .contains("guaranteed: required");
        assertThat(violations(quota, "{\"quota\": [{\"resource\": \"gpu\", \"guaranteed\": \"two\"}]}"))
                .isNotEmpty();
        assertThat(violations(quota, "{\"quota\": [{\"resource\": \"gpu\", \"guaranteed\": 2.5}]}"))
                .as("a fraction is written 2500m").isNotEmpty();
        assertThat(violations(quota, "{\"preemption\": {\"reclaim\": \"Always\"}}")).singleElement().asString()
                .contains("not one of");
        assertThat(violations(quota, "{\"parnet\": \"research\"}")).singleElement().asString()
                .contains("not in the schema");
        assertThat(violations(quota, "{\"parent\": \"research\", \"weight\": 3, \"quota\": [{\"resource\": \"gpu\","
                + " \"model\": \"A100\", \"guaranteed\": \"2500m\", \"borrowingLimit\": 4}]}")).isEmpty();
    }

    private static List<String> violations(JSONSchemaProps schema, String json) {
        List<String> out = new ArrayList<>();
        CustomResourceSchema.check(schema, new tools.jackson.databind.ObjectMapper().readTree(json), "spec", out);
        return out;
    }

    static CustomResourceDefinitionVersion onlyVersion(CustomResourceDefinition crd) {
        assertThat(crd.getSpec().getVersions()).hasSize(1);
        return crd.getSpec().getVersions().get(0);
    }

    private static List<String> columns(CustomResourceDefinitionVersion v) {
        return v.getAdditionalPrinterColumns().stream().map((CustomResourceColumnDefinition c) ->
                c.getName() + " " + c.getType() + " " + c.getJsonPath()).toList();
    }

    /** Every column but AGE shows a field of the schema (else kubectl shows blanks), of the column's type. */
    private static void assertColumnsNameSchemaFields(CustomResourceDefinition crd, boolean sameType) {
        JSONSchemaProps root = CustomResourceSchema.of(crd);
        for (CustomResourceColumnDefinition c : onlyVersion(crd).getAdditionalPrinterColumns()) {
            if (c.getJsonPath().startsWith(".metadata.")) {
                continue;
            }
            JSONSchemaProps field = root;
            for (String step : c.getJsonPath().substring(1).split("\\.")) {
                assertThat(field.getProperties()).as("column %s: %s", c.getName(), c.getJsonPath()).containsKey(step);
                field = field.getProperties().get(step);
            }
            if (sameType) {
                assertThat(field.getType()).as("column %s", c.getName()).isEqualTo(c.getType());
            }
        }
    }

    /** Structural: every node has a type, apart from int-or-string, whose anyOf is integer | string. */
    private static void assertStructural(JSONSchemaProps schema, String path) {
        if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
            assertThat(schema.getType()).as(path).isNull();
            assertThat(schema.getAnyOf()).as(path).extracting(JSONSchemaProps::getType)
                    .containsExactly("integer", "string");
            return;
        }
        assertThat(schema.getType()).as("type of %s", path).isNotNull();
        assertThat(schema.getAnyOf()).as(path).isNullOrEmpty();
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((k, v) -> assertStructural(v, path + "." + k));
        }
        if (schema.getItems() != null) {
            assertStructural(schema.getItems().getSchema(), path + "[]");
        }
        if (schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null) {
            assertStructural(schema.getAdditionalProperties().getSchema(), path + "[*]");
        }
    }

    private static void assertQuantity(JSONSchemaProps p, String what) {
        assertThat(p.getXKubernetesIntOrString()).as("%s is int-or-string", what).isTrue();
        assertThat(p.getAnyOf()).extracting(JSONSchemaProps::getType).containsExactly("integer", "string");
        assertThat(p.getPattern()).as("Kubernetes' quantity pattern").isEqualTo(
                "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)"
                + "|(\\.[0-9]+))))?$");
    }

    private static void assertInt32(JSONSchemaProps p) {
        assertThat(p.getType()).isEqualTo("integer");
        assertThat(p.getFormat()).isEqualTo("int32");
    }

    private static List<String> strings(List<JsonNode> nodes) {
        return nodes.stream().map(JsonNode::asString).toList();
    }
}
