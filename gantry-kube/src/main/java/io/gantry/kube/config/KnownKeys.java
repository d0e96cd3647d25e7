package io.gantry.kube.config;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Finds a key the file's records do not have, with the key's own line and column. Jackson reports unknown keys of a
 * record only after buffering them, where their position is lost; this walk over the document reads the known keys
 * from the record components themselves, so they cannot drift from what is bound.
 */
final class KnownKeys {

    private KnownKeys() {
    }

    /** Throws naming the first unknown key, where it is, and the keys known at its level. */
    static void check(YAMLMapper mapper, String yaml, String source, Class<? extends Record> type) {
        try (JsonParser p = mapper.createParser(yaml)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                walk(p, type, "", source);
            }
        }
    }

    private static void walk(JsonParser p, Class<?> type, String path, String source) {
        Map<String, Class<?>> known = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            known.put(c.getName(), c.getType());
        }
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            TokenStreamLocation at = p.currentTokenLocation();
            String key = path.isEmpty() ? name : path + "." + name;
            Class<?> child = known.get(name);
            if (child == null) {
                throw new IllegalArgumentException(source + ", line " + at.getLineNr() + ", column "
                        + at.getColumnNr() + ": unknown key '" + key + "'; known keys"
                        + (path.isEmpty() ? "" : " under '" + path + "'") + ": "
                        + String.join(", ", Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
                                .sorted().toList()));
            }
            if (p.nextToken() == JsonToken.START_OBJECT && child.isRecord()) {
                walk(p, child, key, source);
            } else {
                p.skipChildren();
            }
        }
    }
}
