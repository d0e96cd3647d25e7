package io.gantry.engine.plugins;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;

/** GPU choices that several selectors share. */
final class GpuPicks {

    private static final int[] NONE = new int[0];

    private GpuPicks() {
    }

    static int[] none() {
        return NONE;
    }

    /** The {@code k} lowest-index GPUs with all their milli free. */
    static int[] lowestFullyFree(ClusterState state, int node, int k) {
        int[] out = new int[k];
        int found = 0;
        for (int g = 0; g < state.gpuCount(node) && found < k; g++) {
            if (state.gpuLeft(node, g) == NodeSpec.MILLI_PER_GPU) {
                out[found++] = g;
            }
        }
        if (found < k) {
            throw new IllegalStateException(state.nodeName(node) + " has " + found + " free GPUs, " + k + " needed");
        }
        return out;
    }

    /** The GPU with the least milli left that still holds {@code milli}; the lowest index among equals. */
    static int tightest(ClusterState state, int node, int milli) {
        int best = -1;
        int bestLeft = Integer.MAX_VALUE;
        for (int g = 0; g < state.gpuCount(node); g++) {
            int left = state.gpuLeft(node, g);
            if (left >= milli && left < bestLeft) {
                best = g;
                bestLeft = left;
            }
        }
        if (best < 0) {
            throw new IllegalStateException(state.nodeName(node) + " has no GPU with " + milli + " milli left");
        }
        return best;
    }

    /**
     * For pods that are not shares: the GPUs taken by packing, as Kubernetes GPU-share schedulers model it (walk
     * GPUs in ascending milli left, stable by index, take each that holds {@code milli}). With {@code milli = 1000}
     * these are fully free GPUs. Writes the indices into {@code out}; returns how many were found.
     */
    static int packing(int[] left, int off, int count, int k, int milli, int[] out) {
        int found = 0;
        // Selection by ascending (left, index) without sorting: at most 8 or 16 GPUs per node.
        long taken = 0L;
        while (found < k) {
            int best = -1;
            for (int g = 0; g < count; g++) {
                if ((taken & (1L << g)) == 0 && left[off + g] >= milli
                        && (best < 0 || left[off + g] < left[off + best])) {
                    best = g;
                }
            }
            if (best < 0) {
                break;
            }
            taken |= 1L << best;
            out[found++] = best;
        }
        return found;
    }
}
