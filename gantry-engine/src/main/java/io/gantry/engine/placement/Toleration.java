package io.gantry.engine.placement;

import static java.util.Objects.requireNonNull;

/**
 * A pod's toleration, with Kubernetes' matching rules: an empty key with {@code Exists} tolerates every taint; a null
 * effect matches every effect; {@code Equal} compares values, {@code Exists} ignores them.
 */
public record Toleration(String key, Operator operator, String value, Taint.Effect effect) {

    public enum Operator { EQUAL, EXISTS }

    public Toleration {
        key = key == null ? "" : key;
        requireNonNull(operator, "operator");
        value = value == null ? "" : value;
        if (key.isEmpty() && operator != Operator.EXISTS) {
            throw new IllegalArgumentException("a toleration with an empty key must use operator Exists");
        }
        if (operator == Operator.EXISTS && !value.isEmpty()) {
            throw new IllegalArgumentException("toleration " + key + ": operator Exists takes no value, got '" + value
                    + "'");
        }
    }

    public boolean tolerates(Taint taint) {
        if (effect != null && effect != taint.effect()) {
            return false;
        }
        if (key.isEmpty()) {
            return true;
        }
        if (!key.equals(taint.key())) {
            return false;
        }
        return operator == Operator.EXISTS || value.equals(taint.value());
    }
}
