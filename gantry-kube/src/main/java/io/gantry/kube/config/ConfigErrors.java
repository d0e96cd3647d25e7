package io.gantry.kube.config;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Jackson's binding errors in plain words: the file, the line and column, the key's full path, and what it accepts
 * (for an unknown key, the known keys at that level).
 */
final class ConfigErrors {

    private ConfigErrors() {
    }

    static IllegalArgumentException describe(String source, JacksonException e) {
        String where = source + where(e.getLocation());
        if (e instanceof StreamReadException && !(e instanceof MismatchedInputException)) {
            return new IllegalArgumentException(where + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        String key = path(e.getPath());
        if (e instanceof UnrecognizedPropertyException u) {
            String parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : "";
            return new IllegalArgumentException(where + ": unknown key '" + key + "'; known keys"
                    + (parent.isEmpty() ? "" : " under '" + parent + "'") + ": " + known(u.getKnownPropertyIds()), e);
        }
        if (e instanceof ConfigValues.BadValueException bad) {
            return new IllegalArgumentException(where + ": key '" + key + "': '" + bad.value()
                    + "' is not valid; expected " + bad.expected(), e);
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            Class<?> type = m.getTargetType();
            String what = key.isEmpty() ? "the document" : "key '" + key + "'";
            if (type.isRecord()) {
                return new IllegalArgumentException(where + ": " + what + " must be a mapping of keys to values", e);
            }
            String expected = Collection.class.isAssignableFrom(type) ? "a list of strings, e.g. [team-a, team-b]"
                    : type == Boolean.class ? "true or false" : type == String.class ? "a string" : type.getSimpleName();
            return new IllegalArgumentException(where + ": " + what + " is not valid; expected " + expected, e);
        }
        return new IllegalArgumentException(where + ": " + (key.isEmpty() ? "" : "key '" + key + "': ")
                + e.getOriginalMessage(), e);
    }

    private static String where(TokenStreamLocation at) {
        return at == null || at.getLineNr() < 1 ? "" : ", line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    private static String path(List<JacksonException.Reference> refs) {
        StringBuilder b = new StringBuilder();
        for (JacksonException.Reference r : refs) {
            if (r.getPropertyName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String known(Collection<Object> ids) {
        return String.join(", ", ids.stream().map(Objects::toString).sorted().toList());
    }
}
