package io.gantry.loadtest.apiserver;

import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON merge patches (RFC 7386) and the part of Kubernetes' strategic merge patches a scheduler sends: maps merge,
 * {@code null} deletes, and {@code conditions} lists merge by {@code type}. A strategic patch with any other list or
 * a {@code $patch}-style directive is refused (415), so a client falls back to a merge patch instead of having a
 * list silently replaced.
 */
final class Patches {

    private Patches() {
    }

    /** Applies an RFC 6902 JSON patch with zjsonpatch (fabric8's, already on the class path); returns a copy. */
    static ObjectNode jsonPatch(ObjectNode target, JsonNode patch) {
        JsonNode result;
        try {
            result = io.fabric8.zjsonpatch.JsonPatch.apply(patch, target);
        } catch (RuntimeException e) {
            throw ApiException.invalid("the JSON patch does not apply: " + e.getMessage());
        }
        if (!(result instanceof ObjectNode o)) {
            throw ApiException.invalid("the JSON patch does not leave an object");
        }
        return o;
    }

    /** Applies a JSON merge patch to {@code target} in place. */
    static void merge(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject()) {
                JsonNode existing = target.get(e.getKey());
                ObjectNode into = existing instanceof ObjectNode o ? o : target.putObject(e.getKey());
                merge(into, value);
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        }
    }

    /** Applies a strategic merge patch to {@code target} in place; see the class comment for what is supported. */
    static void strategic(ObjectNode target, JsonNode patch, String at) {
        Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            String path = at.isEmpty() ? key : at + "." + key;
            if (key.startsWith("$")) {
                throw ApiException.unsupportedMediaType("strategic merge directive " + path + " is not supported by "
                        + "this API server; send a JSON merge patch (application/merge-patch+json)");
            }
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject()) {
                JsonNode existing = target.get(key);
                ObjectNode into = existing instanceof ObjectNode o ? o : target.putObject(key);
                strategic(into, value, path);
            } else if (value.isArray()) {
                if (!key.equals("conditions")) {
                    throw ApiException.unsupportedMediaType("strategic merge of the list " + path + " is not "
                            + "supported by this API server (only conditions, merged by type); send a JSON merge "
                            + "patch (application/merge-patch+json)");
                }
                JsonNode existing = target.get(key);
                ArrayNode into = existing instanceof ArrayNode a ? a : target.putArray(key);
                for (JsonNode cond : value) {
                    String type = cond.path("type").asString("");
                    boolean replaced = false;
                    for (int i = 0; i < into.size(); i++) {
                        if (into.get(i).path("type").asString("").equals(type)) {
                            ObjectNode merged = (ObjectNode) into.get(i).deepCopy();
                            merge(merged, cond);
                            into.set(i, merged);
                            replaced = true;
                            break;
                        }
                    }
                    if (!replaced) {
                        into.add(cond.deepCopy());
                    }
                }
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }
}
