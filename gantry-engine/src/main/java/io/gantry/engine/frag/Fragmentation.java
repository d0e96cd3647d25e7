package io.gantry.engine.frag;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import java.util.Arrays;
import java.util.List;

/**
 * A node's GPU fragmentation F(n) under a target workload: the popularity-weighted idle GPU milli that each pod
 * type cannot use there. A type that fits (GPU and CPU) counts only its individually too-small GPUs; a type that
 * does not fit, a CPU-only type, or a type whose GPU model the node lacks counts all idle GPU milli.
 *
 * <p>Sums per category in type order, exactly as the FGD paper's simulator does, so that truncated scores match.
 * Caches F(n) per node version. Not thread-safe.
 */
public final class Fragmentation {

    private static final int Q1_LACK_BOTH = 0;
    private static final int Q2_LACK_GPU = 1;
    private static final int Q4_LACK_CPU = 2;
    private static final int XL_CPU_ONLY_FITS = 3;
    private static final int XR_CPU_ONLY_LACKS_CPU = 4;
    private static final int NO_ACCESS = 5;

    private final TargetWorkload workload;
    private final long[] typeCpu;
    private final int[] typeMilli;
    private final int[] typeCount;
    private final double[] typePopularity;
    private final List<List<String>> typeModels;
    /** typeAccepts[modelId][type], extended as the cluster learns new models. */
    private boolean[][] typeAccepts = new boolean[0][];
    private final double[] sums = new double[6];
    /** The distinct GPU milli per GPU of the types, ascending; each GPU type refers to one by index. */
    private final int[] thresholds;
    private final int[] typeThreshold;
    /** Per threshold, for the node being evaluated: GPUs holding it, and milli on the GPUs too small for it. */
    private final int[] gpusHolding;
    private final long[] milliTooSmall;
    private int[] sortedLeft = new int[16];

    private double[] cachedFrag = new double[0];
    private int[] cachedVersion = new int[0];
    private boolean[] cachedValid = new boolean[0];

    public Fragmentation(TargetWorkload workload) {
        this.workload = requireNonNull(workload, "workload");
        List<WorkloadType> types = workload.types();
        int n = types.size();
        typeCpu = new long[n];
        typeMilli = new int[n];
        typeCount = new int[n];
        typePopularity = new double[n];
        typeModels = types.stream().map(WorkloadType::gpuModels).toList();
        for (int i = 0; i < n; i++) {
            WorkloadType t = types.get(i);
            typeCpu[i] = t.cpuMilli();
            typeMilli[i] = t.gpuCount() == 0 ? 0 : t.gpuMilliPerGpu();
            typeCount[i] = t.gpuCount();
            typePopularity[i] = t.popularity();
        }
        thresholds = Arrays.stream(typeMilli).filter(m -> m > 0).distinct().sorted().toArray();
        typeThreshold = new int[n];
        for (int i = 0; i < n; i++) {
            typeThreshold[i] = Arrays.binarySearch(thresholds, typeMilli[i]);
        }
        gpusHolding = new int[thresholds.length];
        milliTooSmall = new long[thresholds.length];
    }

    public TargetWorkload workload() {
        return workload;
    }

    /** F(n) of the node as it is now. */
    public double nodeFrag(ClusterState state, int node) {
        if (node >= cachedFrag.length) {
            int cap = Math.max(node + 1, state.slotCount());
            cachedFrag = Arrays.copyOf(cachedFrag, cap);
            cachedVersion = Arrays.copyOf(cachedVersion, cap);
            cachedValid = Arrays.copyOf(cachedValid, cap);
        }
        int version = state.version(node);
        if (cachedValid[node] && cachedVersion[node] == version) {
            return cachedFrag[node];
        }
        double f = frag(state, state.modelId(node), state.cpuLeft(node), state.gpuLeftArray(),
                state.gpuOffset(node), state.gpuCount(node));
        cachedFrag[node] = f;
        cachedVersion[node] = version;
        cachedValid[node] = true;
        return f;
    }

    /** F of a node state given explicitly: its GPU model, CPU left and GPU milli left ({@code left[off..off+count)}). */
    public double frag(ClusterState state, int modelId, long cpuLeft, int[] left, int off, int count) {
        boolean[] accepts = accepts(state, modelId);
        long idle = 0;
        for (int i = off; i < off + count; i++) {
            idle += left[i];
        }
        double[] s = sums;
        Arrays.fill(s, 0.0);
        double idleD = idle;
        thresholdStats(left, off, count);
        for (int t = 0; t < typeCpu.length; t++) {
            double p = typePopularity[t];
            boolean cpuFits = cpuLeft >= typeCpu[t];
            if (typeMilli[t] == 0) {
                s[cpuFits ? XL_CPU_ONLY_FITS : XR_CPU_ONLY_LACKS_CPU] += p * idleD;
                continue;
            }
            if (!accepts[t]) {
                s[NO_ACCESS] += p * idleD;
                continue;
            }
            int d = typeThreshold[t];
            if (gpusHolding[d] >= typeCount[t]) {
                if (cpuFits) {
                    s[Q2_LACK_GPU] += p * (double) milliTooSmall[d];
                } else {
                    s[Q4_LACK_CPU] += p * idleD;
                }
            } else {
                s[cpuFits ? Q2_LACK_GPU : Q1_LACK_BOTH] += p * idleD;
            }
        }
        return s[Q1_LACK_BOTH] + s[Q2_LACK_GPU] + s[Q4_LACK_CPU] + s[XL_CPU_ONLY_FITS] + s[XR_CPU_ONLY_LACKS_CPU]
                + s[NO_ACCESS];
    }

    /**
     * One sweep over the node's GPUs sorted by milli left gives, for every threshold, how many GPUs hold it and how
     * much milli sits on GPUs below it; each type then reads its threshold's figures instead of walking the GPUs.
     */
    private void thresholdStats(int[] left, int off, int count) {
        if (sortedLeft.length < count) {
            sortedLeft = new int[count];
        }
        int[] v = sortedLeft;
        for (int i = 0; i < count; i++) {
            int x = left[off + i];
            int j = i - 1;
            while (j >= 0 && v[j] > x) {
                v[j + 1] = v[j];
                j--;
            }
            v[j + 1] = x;
        }
        int i = 0;
        long below = 0;
        for (int d = 0; d < thresholds.length; d++) {
            int threshold = thresholds[d];
            while (i < count && v[i] < threshold) {
                below += v[i++];
            }
            gpusHolding[d] = count - i;
            milliTooSmall[d] = below;
        }
    }

    private boolean[] accepts(ClusterState state, int modelId) {
        if (modelId >= typeAccepts.length) {
            int models = state.modelCount();
            boolean[][] grown = Arrays.copyOf(typeAccepts, models);
            for (int m = typeAccepts.length; m < models; m++) {
                String name = state.modelName(m);
                boolean[] row = new boolean[typeModels.size()];
                for (int t = 0; t < row.length; t++) {
                    row[t] = typeModels.get(t).isEmpty() || typeModels.get(t).contains(name);
                }
                grown[m] = row;
            }
            typeAccepts = grown;
        }
        return typeAccepts[modelId];
    }
}
