package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the scheduler works out about a pod once per cycle and every plugin reads: the pod, and which of the
 * cluster's GPU models it accepts (looked up by model id, so filters compare no strings per node).
 */
public final class CycleContext {

    private final PodRequest pod;
    private final boolean[] modelAllowed;

    CycleContext(PodRequest pod, ClusterState state) {
        this.pod = requireNonNull(pod, "pod");
        this.modelAllowed = modelMask(pod.allowedGpuModels(), state);
    }

    /** For plugin tests. */
    public static CycleContext of(PodRequest pod, ClusterState state) {
        return new CycleContext(pod, state);
    }

    public PodRequest pod() {
        return pod;
    }

    /** Whether the pod accepts GPUs of the model with this id (see {@link ClusterState#modelIdOf}). */
    public boolean modelAllowed(int modelId) {
        return modelAllowed == null || (modelId >= 0 && modelId < modelAllowed.length && modelAllowed[modelId]);
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
