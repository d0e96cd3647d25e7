package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.Fragmentation;

/**
 * Policy "FGD" (fragmentation gradient descent, Weng et al., USENIX ATC '23): place the pod where the node's
 * fragmentation under the target workload grows least. Score = 100·σ(ΔF/1000) with ΔF = F(before) − F(after);
 * for a share, the best GPU of the node decides, and that GPU is the one {@link FgdGpuSelector} picks.
 */
public final class FgdScore implements ScorePlugin {

    private final Fragmentation fragmentation;
    private final ScoringMode mode;
    private int[] scratch = new int[16];
    private final int[] picked = new int[64];
    /** GPU that gave the last {@link #score}'s value, for a share; -1 otherwise. */
    private int lastGpu = -1;

    public FgdScore(Fragmentation fragmentation, ScoringMode mode) {
        this.fragmentation = requireNonNull(fragmentation, "fragmentation");
        this.mode = requireNonNull(mode, "mode");
    }

    @Override
    public String name() {
        return "FGD";
    }

    public Fragmentation fragmentation() {
        return fragmentation;
    }

    public ScoringMode mode() {
        return mode;
    }

    @Override
    public boolean cacheable() {
        return true;
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        PodRequest pod = cycle.pod();
        double before = fragmentation.nodeFrag(state, node);
        int count = state.gpuCount(node);
        int[] left = state.gpuLeftArray();
        int off = state.gpuOffset(node);
        if (scratch.length < count) {
            scratch = new int[count];
        }
        System.arraycopy(left, off, scratch, 0, count);
        long cpuAfter = state.cpuLeft(node) - pod.cpuMilli();
        int modelId = state.modelId(node);
        lastGpu = -1;
        if (pod.isGpuShare()) {
            int milli = pod.gpuMilliPerGpu();
            double best = 0;
            for (int g = 0; g < count; g++) {
                int value = left[off + g];
                if (value < milli || seenEarlier(left, off, g, value)) {
                    continue; // equal milli left on an earlier GPU gives the same score, and the first index wins
                }
                scratch[g] = value - milli;
                double after = fragmentation.frag(state, modelId, cpuAfter, scratch, 0, count);
                scratch[g] = value;
                double s = mode.round(sigmoid((before - after) / 1000) * 100);
                if (lastGpu < 0 || s > best) {
                    best = s;
                    lastGpu = g;
                }
            }
            return best;
        }
        int found = GpuPicks.packing(scratch, 0, count, pod.gpuCount(), pod.gpuMilliPerGpu(), picked);
        for (int i = 0; i < found; i++) {
            scratch[picked[i]] -= pod.gpuMilliPerGpu();
        }
        double after = fragmentation.frag(state, modelId, cpuAfter, scratch, 0, count);
        return mode.round(sigmoid((before - after) / 1000) * 100);
    }

    /** The GPU the last share scoring chose on the node: recomputed, as the reserve step of the paper does. */
    int shareGpu(ClusterState state, CycleContext cycle, int node) {
        score(state, cycle, node);
        if (lastGpu < 0) {
            throw new IllegalStateException(state.nodeName(node) + " has no GPU for " + cycle.pod().name());
        }
        return lastGpu;
    }

    private static boolean seenEarlier(int[] left, int off, int g, int value) {
        for (int i = 0; i < g; i++) {
            if (left[off + i] == value) {
                return true;
            }
        }
        return false;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + StrictMath.exp(-x));
    }
}
