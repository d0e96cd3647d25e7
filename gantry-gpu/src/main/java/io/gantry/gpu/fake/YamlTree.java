package io.gantry.gpu.fake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLSchema;

/**
 * A YAML document read with Jackson's YAML parser into maps, lists and scalars that remember their line. Data
 * binding would lose the lines, and a useful error names the line of the offending value.
 */
final class YamlTree {

    // Jackson 3 resolves plain scalars with the YAML 1.2 JSON schema by default, where True, ~ or 0x10 stay
    // strings; the core schema reads them as YAML users write them, as Jackson 2 did.
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder().yamlSchema(YAMLSchema.CORE).build())
            .build();

    private YamlTree() {
    }

    /** A node of the document; {@code line} is 1-based. */
    sealed interface Node permits MapNode, ListNode, ScalarNode {
        int line();
    }

    record Field(String key, int keyLine, Node value) {
    }

    record MapNode(int line, Map<String, Field> fields) implements Node {
    }

    record ListNode(int line, List<Node> items) implements Node {
    }

    /** {@code text} is the scalar as written (so {@code 8.0} stays {@code "8.0"}); {@code token} tells its type. */
    record ScalarNode(int line, JsonToken token, String text) implements Node {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }
    }

    /** A document that is not valid YAML, or not one document. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        private final int line;

        SyntaxError(int line, String message) {
            super(message);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    /** Reads one document; null when the text holds none (empty or only comments). */
    static Node read(String text) throws SyntaxError {
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            Node root = readValue(p);
            JsonToken next = p.nextToken();
            if (next != null) {
                throw new SyntaxError(line(p.currentTokenLocation()),
                        "a second YAML document (after a --- line) starts here; the file must hold exactly one");
            }
            return root;
        } catch (JacksonException e) {
            // Jackson 3 reports read failures unchecked; the text is in memory, so each is a syntax problem.
            TokenStreamLocation where = e.getLocation();
            throw new SyntaxError(where == null ? 0 : line(where), "invalid YAML: " + problem(e.getOriginalMessage())
                    + " (check the indentation and quoting)");
        }
    }

    private static Node readValue(JsonParser p) throws SyntaxError {
        int line = line(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Field> fields = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String key = p.currentName();
                int keyLine = line(p.currentTokenLocation());
                p.nextToken();
                Field previous = fields.put(key, new Field(key, keyLine, readValue(p)));
                if (previous != null) {
                    throw new SyntaxError(keyLine, "key '" + key + "' appears twice (first on line "
                            + previous.keyLine() + "); keep one");
                }
            }
            return new MapNode(line, Collections.unmodifiableMap(fields));
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(readValue(p));
            }
            return new ListNode(line, List.copyOf(items));
        }
        return new ScalarNode(line, t, t == JsonToken.VALUE_NULL ? "" : p.getString());
    }

    private static int line(TokenStreamLocation location) {
        return location.getLineNr();
    }

    /** SnakeYAML's message without its position and source-excerpt lines (the line number is given already). */
    private static String problem(String message) {
        if (message == null) {
            return "unreadable";
        }
        return message.lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::strip)
                .collect(Collectors.joining("; "));
    }
}
