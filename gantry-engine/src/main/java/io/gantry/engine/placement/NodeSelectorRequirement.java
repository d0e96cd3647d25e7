package io.gantry.engine.placement;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/** One match expression of a node selector term: {@code key operator values}, Kubernetes' semantics. */
public record NodeSelectorRequirement(String key, Operator operator, List<String> values) {

    public enum Operator {
        IN("In"), NOT_IN("NotIn"), EXISTS("Exists"), DOES_NOT_EXIST("DoesNotExist"), GT("Gt"), LT("Lt");

        private final String apiName;

        Operator(String apiName) {
            this.apiName = apiName;
        }

        public String apiName() {
            return apiName;
        }

        public static Operator parse(String name) {
            for (Operator o : values()) {
                if (o.apiName.equals(name)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown node selector operator '" + name
                    + "'; expected In, NotIn, Exists, DoesNotExist, Gt or Lt");
        }
    }

    public NodeSelectorRequirement {
        requireNonNull(key, "key");
        requireNonNull(operator, "operator");
        values = List.copyOf(requireNonNull(values, "values"));
        switch (operator) {
            case IN, NOT_IN -> {
                if (values.isEmpty()) {
                    throw new IllegalArgumentException("node selector " + key + " " + operator.apiName()
                            + " needs at least one value");
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!values.isEmpty()) {
                    throw new IllegalArgumentException("node selector " + key + " " + operator.apiName()
                            + " takes no values, got " + values);
                }
            }
            case GT, LT -> {
                if (values.size() != 1) {
                    throw new IllegalArgumentException("node selector " + key + " " + operator.apiName()
                            + " needs exactly one integer value, got " + values);
                }
                try {
                    Long.parseLong(values.get(0));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("node selector " + key + " " + operator.apiName()
                            + " needs an integer value, got '" + values.get(0) + "'", e);
                }
            }
        }
    }

    /** Whether the labels (or fields) satisfy this requirement. */
    public boolean matches(Map<String, String> labels) {
        String actual = labels.get(key);
        return switch (operator) {
            case IN -> actual != null && values.contains(actual);
            case NOT_IN -> actual == null || !values.contains(actual);
            case EXISTS -> actual != null;
            case DOES_NOT_EXIST -> actual == null;
            case GT -> compare(actual) > 0;
            case LT -> compare(actual) < 0;
        };
    }

    /** Sign of label minus value; a missing or non-integer label matches neither Gt nor Lt. */
    private int compare(String actual) {
        if (actual == null) {
            return 0;
        }
        try {
            return Long.compare(Long.parseLong(actual), Long.parseLong(values.get(0)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
