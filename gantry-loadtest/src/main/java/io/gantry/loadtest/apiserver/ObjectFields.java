package io.gantry.loadtest.apiserver;

import tools.jackson.databind.JsonNode;

/** Reads dotted field paths such as {@code spec.nodeName} out of a stored object. */
final class ObjectFields {

    private ObjectFields() {
    }

    /** The field's text, or {@code ""} when it is absent or null (as the API server's field selectors see it). */
    static String text(JsonNode object, String dottedPath) {
        JsonNode n = object;
        int from = 0;
        while (true) {
            int dot = dottedPath.indexOf('.', from);
            String part = dot < 0 ? dottedPath.substring(from) : dottedPath.substring(from, dot);
            n = n.path(part);
            if (dot < 0) {
                break;
            }
            from = dot + 1;
        }
        if (n.isMissingNode() || n.isNull()) {
            return "";
        }
        return n.isValueNode() ? n.asString() : n.toString();
    }
}
