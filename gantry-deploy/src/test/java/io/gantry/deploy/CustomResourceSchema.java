package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The part of the API server's validation of a custom resource against its CRD's structural OpenAPI schema that the
 * deploy/ files can get wrong: types, int-or-string quantities, required fields, enums, minimum, string lengths and
 * patterns, and fields the schema does not know (the API server would prune them silently). CEL rules and formats
 * other than int32 ranges are not checked; the CRDs here have none that matter.
 */
final class CustomResourceSchema {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();

    private CustomResourceSchema() {
    }

    /** The schema of the CRD's storage version. */
    static JSONSchemaProps of(CustomResourceDefinition crd) {
        CustomResourceDefinitionVersion storage = crd.getSpec().getVersions().stream()
                .filter(CustomResourceDefinitionVersion::getStorage).findFirst().orElseThrow();
        return storage.getSchema().getOpenAPIV3Schema();
    }

    /** Whether {@code object} is an instance of the CRD: its apiVersion and kind. */
    static boolean isInstance(CustomResourceDefinition crd, HasMetadata object) {
        return object.getKind().equals(crd.getSpec().getNames().getKind()) && crd.getSpec().getVersions().stream()
                .anyMatch(v -> object.getApiVersion().equals(crd.getSpec().getGroup() + "/" + v.getName()));
    }

    /** What the API server would reject in {@code object}'s spec and status, or prune from them. */
    static List<String> violations(CustomResourceDefinition crd, HasMetadata object) {
        assertThat(object).as("%s is a custom resource", object.getMetadata().getName())
                .isInstanceOf(GenericKubernetesResource.class);
        assertThat(isInstance(crd, object)).as("%s %s is a %s", object.getApiVersion(), object.getKind(),
                crd.getMetadata().getName()).isTrue();
        JsonNode tree = JSON.readTree(SERIALIZATION.asJson(object));
        JSONSchemaProps root = of(crd);
        List<String> out = new ArrayList<>();
        for (String field : List.of("spec", "status")) {
            if (tree.has(field)) {
                JSONSchemaProps schema = root.getProperties().get(field);
                if (schema == null) {
                    out.add(field + ": not in the schema");
                } else {
                    check(schema, tree.get(field), field, out);
                }
            }
        }
        for (String field : tree.propertyNames()) {
            if (!root.getProperties().containsKey(field)) {
                out.add(field + ": not in the schema");
            }
        }
        return out;
    }

    static void check(JSONSchemaProps schema, JsonNode value, String path, List<String> out) {
        if (value.isNull()) {
            if (!Boolean.TRUE.equals(schema.getNullable())) {
                out.add(path + ": null");
            }
            return;
        }
        if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
            if (value.isIntegralNumber()) {
                return;
            }
            if (!value.isString()) {
                out.add(path + ": " + value + " is neither an integer nor a string");
                return;
            }
            checkString(schema, value.asString(), path, out);
            return;
        }
        String type = schema.getType();
        if (type == null) {
            out.add(path + ": the schema gives no type (not structural)");
            return;
        }
        switch (type) {
            case "object" -> checkObject(schema, value, path, out);
            case "array" -> {
                if (!value.isArray()) {
                    out.add(path + ": " + value + " is not an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(schema.getItems().getSchema(), value.get(i), path + "[" + i + "]", out);
                }
            }
            case "string" -> {
                if (!value.isString()) {
                    out.add(path + ": " + value + " is not a string");
                    return;
                }
                checkString(schema, value.asString(), path, out);
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    out.add(path + ": " + value + " is not an integer");
                    return;
                }
                if ("int32".equals(schema.getFormat()) && !value.canConvertToInt()) {
                    out.add(path + ": " + value + " exceeds int32");
                }
                checkNumber(schema, value.asDouble(), path, out);
            }
            case "number" -> {
                if (!value.isNumber()) {
                    out.add(path + ": " + value + " is not a number");
                    return;
                }
                checkNumber(schema, value.asDouble(), path, out);
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    out.add(path + ": " + value + " is not a boolean");
                }
            }
            default -> out.add(path + ": unknown schema type " + type);
        }
        checkEnum(schema, value, path, out);
    }

    private static void checkObject(JSONSchemaProps schema, JsonNode value, String path, List<String> out) {
        if (!value.isObject()) {
            out.add(path + ": " + value + " is not an object");
            return;
        }
        for (String required : schema.getRequired() == null ? List.<String>of() : schema.getRequired()) {
            if (!value.has(required)) {
                out.add(path + "." + required + ": required");
            }
        }
        Map<String, JSONSchemaProps> properties = schema.getProperties() == null ? Map.of() : schema.getProperties();
        JSONSchemaProps additional = schema.getAdditionalProperties() == null ? null
                : schema.getAdditionalProperties().getSchema();
        for (String field : value.propertyNames()) {
            JSONSchemaProps fieldSchema = properties.get(field);
            if (fieldSchema == null) {
                fieldSchema = additional;
            }
            if (fieldSchema == null) {
                if (!Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields())) {
                    out.add(path + "." + field + ": not in the schema (the API server would drop it)");
                }
                continue;
            }
            check(fieldSchema, value.get(field), path + "." + field, out);
        }
    }

    private static void checkString(JSONSchemaProps schema, String s, String path, List<String> out) {
        if (schema.getMinLength() != null && s.length() < schema.getMinLength()) {
            out.add(path + ": \"" + s + "\" shorter than " + schema.getMinLength());
        }
        if (schema.getMaxLength() != null && s.length() > schema.getMaxLength()) {
            out.add(path + ": longer than " + schema.getMaxLength());
        }
        if (schema.getPattern() != null && !Pattern.compile(schema.getPattern()).matcher(s).find()) {
            out.add(path + ": \"" + s + "\" does not match " + schema.getPattern());
        }
        if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString()) && schema.getPattern() != null) {
            // the quantity pattern: also a quantity to Kubernetes' own parser
            try {
                Quantity.getAmountInBytes(new Quantity(s));
            } catch (IllegalArgumentException e) {
                out.add(path + ": \"" + s + "\" is not a quantity");
            }
        }
    }

    private static void checkNumber(JSONSchemaProps schema, double v, String path, List<String> out) {
        if (schema.getMinimum() != null && (v < schema.getMinimum()
                || Boolean.TRUE.equals(schema.getExclusiveMinimum()) && v == schema.getMinimum())) {
            out.add(path + ": " + v + " below the minimum " + schema.getMinimum());
        }
        if (schema.getMaximum() != null && (v > schema.getMaximum()
                || Boolean.TRUE.equals(schema.getExclusiveMaximum()) && v == schema.getMaximum())) {
            out.add(path + ": " + v + " above the maximum " + schema.getMaximum());
        }
    }

    private static void checkEnum(JSONSchemaProps schema, JsonNode value, String path, List<String> out) {
        if (schema.getEnum() != null && !schema.getEnum().isEmpty() && !schema.getEnum().contains(value)) {
            out.add(path + ": " + value + " not one of " + schema.getEnum());
        }
    }
}
