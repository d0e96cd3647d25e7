package io.gantry.gpu.fake;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A YAML document read with Jackson's YAML parser into maps, lists and scalars that remember their line. Data
 * binding would lose the lines, and a useful error names the line of the offending value.
 */
final class YamlTree {

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
        try (JsonParser p = new YAMLFactory().createParser(text)) {
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
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw new SyntaxError(where == null ? 0 : line(where), "invalid YAML: " + problem(e.getOriginalMessage())
                    + " (check the indentation and quoting)");
        } catch (IOException e) {
            // The text is in memory, so this cannot be an I/O failure; keep the message anyway.
            throw new SyntaxError(0, "invalid YAML: " + e.getMessage());
        }
    }

    private static Node readValue(JsonParser p) throws IOException, SyntaxError {
        int line = line(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Field> fields = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
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
        return new ScalarNode(line, t, t == JsonToken.VALUE_NULL ? "" : p.getText());
    }

    private static int line(JsonLocation location) {
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
