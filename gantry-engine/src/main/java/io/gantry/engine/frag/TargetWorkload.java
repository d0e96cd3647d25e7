package io.gantry.engine.frag;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod types fragmentation is measured against, with their popularity. Built the way the FGD paper does: group
 * the pods by type, sort by count (ties by the type key, descending), keep the most common types until they cover
 * {@code coveragePercent} of the pods, and renormalize their shares to sum to 1.
 */
public final class TargetWorkload {

    /** The paper keeps the types that cover 95 % of the pods. */
    public static final int DEFAULT_COVERAGE_PERCENT = 95;

    /** Kubernetes counts a CPU request of 0 as 100 m when it compares pods ("non-zero request"). */
    private static final long NON_ZERO_CPU_MILLI = 100;

    private final List<WorkloadType> types;
    private final int distinctTypes;

    private TargetWorkload(List<WorkloadType> types, int distinctTypes) {
        this.types = List.copyOf(types);
        this.distinctTypes = distinctTypes;
    }

    /** A target workload given directly, e.g. from a configuration file. */
    public static TargetWorkload of(List<WorkloadType> types) {
        requireNonNull(types, "types");
        return new TargetWorkload(types, types.size());
    }

    public static TargetWorkload fromPods(Collection<PodRequest> pods) {
        return fromPods(pods, DEFAULT_COVERAGE_PERCENT);
    }

    public static TargetWorkload fromPods(Collection<PodRequest> pods, int coveragePercent) {
        requireNonNull(pods, "pods");
        if (coveragePercent < 1 || coveragePercent > 100) {
            throw new IllegalArgumentException("coverage must be 1..100 %, got " + coveragePercent);
        }
        Map<Key, long[]> counts = new HashMap<>();
        for (PodRequest pod : pods) {
            long cpu = pod.cpuMilli() == 0 ? NON_ZERO_CPU_MILLI : pod.cpuMilli();
            Key key = new Key(cpu, pod.gpuMilliPerGpu(), pod.gpuCount(), pod.gpuModelSpec(), pod.allowedGpuModels());
            counts.computeIfAbsent(key, k -> new long[1])[0]++;
        }
        List<Map.Entry<Key, long[]>> sorted = new ArrayList<>(counts.entrySet());
        Comparator<Map.Entry<Key, long[]>> byCount = Comparator.comparingLong(e -> e.getValue()[0]);
        sorted.sort(byCount.thenComparing(Map.Entry::getKey, Key.ORDER).reversed());

        // Same arithmetic as the paper's simulator, so that popularities match to the last bit.
        double total = pods.size();
        double expected = coveragePercent * total / 100.0;
        double cumulative = 0;
        int kept = 0;
        double[] shares = new double[sorted.size()];
        while (cumulative < expected && kept < sorted.size()) {
            double n = sorted.get(kept).getValue()[0];
            cumulative += n;
            shares[kept] = n / total;
            kept++;
        }
        List<WorkloadType> types = new ArrayList<>(kept);
        for (int i = 0; i < kept; i++) {
            double share = kept < sorted.size() ? shares[i] / (cumulative / total) : shares[i];
            Key key = sorted.get(i).getKey();
            types.add(new WorkloadType(key.cpu, key.milli, key.count, key.models, sorted.get(i).getValue()[0],
                    share));
        }
        return new TargetWorkload(types, sorted.size());
    }

    public List<WorkloadType> types() {
        return types;
    }

    /** How many distinct pod types the source had, before cutting at the coverage. */
    public int distinctTypes() {
        return distinctTypes;
    }

    private record Key(long cpu, int milli, int count, String spec, List<String> models) {
        static final Comparator<Key> ORDER = Comparator.comparingLong(Key::cpu)
                .thenComparingInt(Key::milli)
                .thenComparingInt(Key::count)
                .thenComparing(Key::spec);

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && cpu == k.cpu && milli == k.milli && count == k.count && spec.equals(k.spec);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(cpu) * 31 * 31 * 31 + milli * 31 * 31 + count * 31 + spec.hashCode();
        }
    }
}
