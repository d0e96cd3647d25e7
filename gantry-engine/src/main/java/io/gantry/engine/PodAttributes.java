package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a pod carries for one plugin only, under a key that plugin defines (for example inter-pod affinity terms or a
 * per-node density limit). The engine core never looks inside; a new constraint brings its own key and data, so
 * {@link PodRequest} does not grow a field per plugin. Immutable.
 */
public final class PodAttributes {

    public static final PodAttributes NONE = new PodAttributes(Map.of());

    private final Map<Key<?>, Object> values;

    private PodAttributes(Map<Key<?>, Object> values) {
        this.values = values;
    }

    /** A typed key, compared by identity: each plugin holds its own constant. */
    public static final class Key<T> {
        private final String name;
        private final Class<T> type;

        private Key(String name, Class<T> type) {
            this.name = requireNonNull(name, "name");
            this.type = requireNonNull(type, "type");
        }

        public static <T> Key<T> of(String name, Class<T> type) {
            return new Key<>(name, type);
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public <T> Optional<T> get(Key<T> key) {
        return Optional.ofNullable(key.type.cast(values.get(requireNonNull(key, "key"))));
    }

    /** The value under the key, or null: for plugins on the hot path. */
    public <T> T getOrNull(Key<T> key) {
        return key.type.cast(values.get(key));
    }

    public <T> PodAttributes with(Key<T> key, T value) {
        requireNonNull(key, "key");
        Map<Key<?>, Object> copy = new HashMap<>(values);
        copy.put(key, key.type.cast(requireNonNull(value, "value")));
        return new PodAttributes(Map.copyOf(copy));
    }

    /** The same attributes without this key. */
    public PodAttributes without(Key<?> key) {
        if (!values.containsKey(requireNonNull(key, "key"))) {
            return this;
        }
        Map<Key<?>, Object> copy = new HashMap<>(values);
        copy.remove(key);
        return copy.isEmpty() ? NONE : new PodAttributes(Map.copyOf(copy));
    }

    /** The keys present. */
    public java.util.Set<Key<?>> keys() {
        return values.keySet();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PodAttributes other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
