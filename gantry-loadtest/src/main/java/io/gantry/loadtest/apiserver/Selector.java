package io.gantry.loadtest.apiserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A list or watch filter: a field selector and a label selector, each a comma-separated list of terms that must all
 * hold. Field terms are {@code f=v}, {@code f==v} and {@code f!=v} on the type's selectable fields; label terms are
 * {@code k=v}, {@code k==v}, {@code k!=v}, {@code k} and {@code !k}. Set-based label terms ({@code in},
 * {@code notin}) are refused with a message rather than ignored.
 */
public final class Selector {

    /** One term: the field or label, whether it must equal (or differ from) the value, and the value. */
    record Term(String key, boolean equals, String value, boolean existence) {
    }

    private final List<Term> fields;
    private final List<Term> labels;

    private Selector(List<Term> fields, List<Term> labels) {
        this.fields = List.copyOf(fields);
        this.labels = List.copyOf(labels);
    }

    public static final Selector ALL = new Selector(List.of(), List.of());

    /** Parses both selectors; a bad term is an {@link ApiException} with status 400 naming the term. */
    public static Selector parse(ResourceType type, String fieldSelector, String labelSelector) {
        List<Term> f = new ArrayList<>();
        if (fieldSelector != null && !fieldSelector.isBlank()) {
            for (String raw : fieldSelector.split(",")) {
                Term t = equality(raw.trim(), "field selector");
                if (t == null) {
                    throw ApiException.badRequest("invalid field selector term '" + raw + "': expected "
                            + "field=value, field==value or field!=value");
                }
                if (!type.selectableFields().contains(t.key())) {
                    throw ApiException.badRequest("field label not supported: " + t.key() + " (" + type.plural()
                            + " select on " + String.join(", ", type.selectableFields().stream().sorted().toList())
                            + ")");
                }
                f.add(t);
            }
        }
        List<Term> l = new ArrayList<>();
        if (labelSelector != null && !labelSelector.isBlank()) {
            for (String raw : labelSelector.split(",")) {
                String term = raw.trim();
                if (term.contains(" in ") || term.contains(" notin ") || term.contains("(")) {
                    throw ApiException.badRequest("set-based label selector '" + term + "' is not supported by this "
                            + "API server; use key=value, key!=value, key or !key");
                }
                Term t = equality(term, "label selector");
                if (t == null) {
                    boolean negated = term.startsWith("!");
                    String key = negated ? term.substring(1).trim() : term;
                    if (key.isEmpty()) {
                        throw ApiException.badRequest("invalid label selector term '" + raw + "'");
                    }
                    t = new Term(key, !negated, "", true);
                }
                l.add(t);
            }
        }
        return f.isEmpty() && l.isEmpty() ? ALL : new Selector(f, l);
    }

    private static Term equality(String term, String what) {
        int ne = term.indexOf("!=");
        if (ne > 0) {
            return new Term(term.substring(0, ne).trim(), false, term.substring(ne + 2).trim(), false);
        }
        int eq2 = term.indexOf("==");
        if (eq2 > 0) {
            return new Term(term.substring(0, eq2).trim(), true, term.substring(eq2 + 2).trim(), false);
        }
        int eq = term.indexOf('=');
        if (eq > 0) {
            return new Term(term.substring(0, eq).trim(), true, term.substring(eq + 1).trim(), false);
        }
        return null;
    }

    public boolean matchesEverything() {
        return fields.isEmpty() && labels.isEmpty();
    }

    /** The first equality term on an indexed field of the type, which can answer the query from the index. */
    Optional<Term> indexedTerm(ResourceType type) {
        return fields.stream().filter(t -> t.equals() && type.indexedFields().contains(t.key())).findFirst();
    }

    public boolean matches(JsonNode object) {
        for (Term t : fields) {
            if (ObjectFields.text(object, t.key()).equals(t.value()) != t.equals()) {
                return false;
            }
        }
        if (!labels.isEmpty()) {
            JsonNode metaLabels = object.path("metadata").path("labels");
            for (Term t : labels) {
                JsonNode v = metaLabels.get(t.key());
                boolean present = v != null && !v.isNull();
                if (t.existence()) {
                    if (present != t.equals()) {
                        return false;
                    }
                } else if ((present && v.asString().equals(t.value())) != t.equals()) {
                    return false;
                }
            }
        }
        return true;
    }
}
