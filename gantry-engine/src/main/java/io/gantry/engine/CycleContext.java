package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cycle state: what one scheduling cycle knows about its pod and what plugins hand each other within the cycle.
 * The scheduler works out which of the cluster's GPU models the pod accepts (by model id, so filters compare no
 * strings per node); plugins write and read their own data under typed {@link Key}s (a pre-filter's result for its
 * filter, a pre-score's for its score), never reaching into another plugin. Lives for one cycle only.
 */
public final class CycleContext {

    private final PodRequest pod;
    private final boolean[] modelAllowed;
    private final FrameworkHandle framework;
    private Map<Key<?>, Object> data;

    CycleContext(PodRequest pod, ClusterState state, FrameworkHandle framework) {
        this.pod = requireNonNull(pod, "pod");
        this.modelAllowed = modelMask(pod.allowedGpuModels(), state);
        this.framework = framework;
    }

    /** For plugin tests: a cycle without a framework behind it. */
    public static CycleContext of(PodRequest pod, ClusterState state) {
        return new CycleContext(pod, state, null);
    }

    /** For plugin tests that need a framework (a scheduler, or a fake of its handle). */
    public static CycleContext of(PodRequest pod, ClusterState state, FrameworkHandle framework) {
        return new CycleContext(pod, state, requireNonNull(framework, "framework"));
    }

    /** The framework running this cycle: waiting pods, "fits without" for preemption, the clock. */
    public FrameworkHandle framework() {
        if (framework == null) {
            throw new IllegalStateException("this cycle context was made for a plugin test without a framework;"
                    + " use CycleContext.of(pod, state, framework)");
        }
        return framework;
    }

    /** A key of the cycle state, compared by identity: the plugin that writes it holds the constant. */
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

        @Override
        public String toString() {
            return name;
        }
    }

    public PodRequest pod() {
        return pod;
    }

    /** Whether the pod accepts GPUs of the model with this id (see {@link ClusterState#modelIdOf}). */
    public boolean modelAllowed(int modelId) {
        return modelAllowed == null || (modelId >= 0 && modelId < modelAllowed.length && modelAllowed[modelId]);
    }

    public <T> void write(Key<T> key, T value) {
        requireNonNull(key, "key");
        if (data == null) {
            data = new IdentityHashMap<>(4);
        }
        data.put(key, key.type.cast(requireNonNull(value, "value")));
    }

    /** The value a plugin wrote under the key in this cycle, or null. */
    public <T> T read(Key<T> key) {
        return data == null ? null : key.type.cast(data.get(requireNonNull(key, "key")));
    }

    /** Null means "every model". */
    static boolean[] modelMask(List<String> allowed, ClusterState state) {
        if (allowed.isEmpty()) {
            return null;
        }
        boolean[] mask = new boolean[state.modelCount()];
        for (String model : allowed) {
            int id = state.modelIdOf(model);
            if (id >= 0) {
                mask[id] = true;
            }
        }
        return mask;
    }
}
