package io.gantry.kube.scheduling;

import io.gantry.engine.PodRequest;
import io.gantry.engine.frag.TargetWorkload;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * FGD's target workload, learnt from the GPU pods Gantry sees (pending and placed): FGD measures fragmentation
 * against it. While fewer than {@link #MIN_OBSERVED} are known, a broad default mix is blended in; the target is
 * re-learnt at most every {@link #REFRESH_NANOS}, and only a changed mix counts as a change. Owned by the FGD
 * profile ({@link PolicyProfile}); no other policy learns anything.
 */
final class FgdTargetLearner {

    /** Below this many observed GPU pods, the default mix is blended in. */
    static final int MIN_OBSERVED = 20;
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Map<String, PodRequest> observed = new LinkedHashMap<>();
    private TargetWorkload target = targetFrom(List.of());
    private long lastRefresh;

    FgdTargetLearner(long now) {
        this.lastRefresh = now;
    }

    void observe(PodRequest request) {
        if (request.needsGpu()) {
            observed.put(request.name(), request);
        }
    }

    void unobserve(String key) {
        observed.remove(key);
    }

    TargetWorkload target() {
        return target;
    }

    /** Re-learns the target when due; true when the mix changed (the engine must then be rebuilt). */
    boolean refresh(long now) {
        if (now - lastRefresh <= REFRESH_NANOS) {
            return false;
        }
        lastRefresh = now;
        TargetWorkload fresh = targetFrom(observed.values());
        if (sameTypes(fresh, target)) {
            return false;
        }
        target = fresh;
        return true;
    }

    private static boolean sameTypes(TargetWorkload a, TargetWorkload b) {
        if (a.types().size() != b.types().size()) {
            return false;
        }
        Set<String> ka = new HashSet<>();
        for (var t : a.types()) {
            ka.add(typeKey(t));
        }
        for (var t : b.types()) {
            if (!ka.contains(typeKey(t))) {
                return false;
            }
        }
        return true;
    }

    private static String typeKey(io.gantry.engine.frag.WorkloadType t) {
        return t.cpuMilli() + "/" + t.gpuMilliPerGpu() + "/" + t.gpuCount() + "/" + t.gpuModelSpec() + "/"
                + Math.round(t.popularity() * 20);
    }

    /**
     * The observed GPU pods; while there are few, blended with a broad default mix of quarter, half and whole GPUs
     * and 2-, 4- and 8-GPU jobs, so FGD has something sensible to measure against from the first pod.
     */
    static TargetWorkload targetFrom(Collection<PodRequest> observedPods) {
        List<PodRequest> pods = new ArrayList<>(observedPods);
        if (pods.size() < MIN_OBSERVED) {
            int[][] mix = {{1, 250}, {1, 500}, {1, 1000}, {1, 1000}, {2, 1000}, {4, 1000}, {8, 1000}};
            int i = 0;
            for (int[] m : mix) {
                pods.add(PodRequest.of("default-mix-" + i++, 4000L * m[0], 16384L * m[0], m[0], m[1]));
            }
        }
        return TargetWorkload.fromPods(pods);
    }
}
