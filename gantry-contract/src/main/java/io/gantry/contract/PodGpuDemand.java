package io.gantry.contract;

import static io.gantry.contract.GpuAnnotations.GPU_MILLI_RESOURCE;
import static io.gantry.contract.GpuAnnotations.GPU_RESOURCE;
import static io.gantry.contract.GpuAnnotations.MILLI_PER_GPU;
import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a whole pod asks of the GPUs, in the shape of a {@link GpuAssignment}: {@code gpus} GPUs with
 * {@code milliPerGpu} thousandths of each. Counted as kube-scheduler counts extended resources: the sum over the app
 * containers, or the largest init container when that is more (init containers run one at a time, before the app
 * containers, and their devices are reused). A pod asks either whole GPUs ({@code (k, 1000)}) or a share of one GPU
 * ({@code (1, m)}, m ≤ 1000), never both; no GPU is {@code (0, 0)}.
 *
 * @param gpus how many GPUs the assignment names
 * @param milliPerGpu thousandths of each: 1000 for whole GPUs, the share otherwise, 0 without GPUs
 */
public record PodGpuDemand(long gpus, int milliPerGpu) {

    public static final PodGpuDemand NONE = new PodGpuDemand(0, 0);

    public PodGpuDemand {
        if (gpus < 0 || milliPerGpu < 0 || milliPerGpu > MILLI_PER_GPU || (gpus == 0) != (milliPerGpu == 0)
                || (milliPerGpu < MILLI_PER_GPU && gpus > 1)) {
            throw new IllegalArgumentException("not a GPU demand: " + gpus + " GPUs with " + milliPerGpu
                    + " thousandths each (expected k GPUs with 1000, one GPU with 1..1000, or none)");
        }
    }

    /**
     * The demand of a pod's containers; throws {@link IllegalArgumentException} saying what to change when the pod
     * asks whole GPUs together with a share, or a share of more than one GPU.
     */
    public static PodGpuDemand of(List<ContainerGpuRequest> containers) {
        requireNonNull(containers, "containers");
        long gpus = 0;
        long milli = 0;
        long initGpus = 0;
        long initMilli = 0;
        for (ContainerGpuRequest c : containers) {
            if (c.init()) {
                initGpus = Math.max(initGpus, c.gpus());
                initMilli = Math.max(initMilli, c.milli());
            } else {
                gpus = sum(gpus, c.gpus(), GPU_RESOURCE);
                milli = sum(milli, c.milli(), GPU_MILLI_RESOURCE);
            }
        }
        gpus = Math.max(gpus, initGpus);
        milli = Math.max(milli, initMilli);
        if (milli > 0 && gpus > 0) {
            throw new IllegalArgumentException("pod asks " + GPU_MILLI_RESOURCE + ": " + milli + " together with "
                    + GPU_RESOURCE + ": " + gpus + "; ask either whole GPUs (" + GPU_RESOURCE
                    + ") or a share of one GPU (" + GPU_MILLI_RESOURCE + " 1..1000), not both");
        }
        if (milli > MILLI_PER_GPU) {
            throw new IllegalArgumentException(GPU_MILLI_RESOURCE + " is " + milli
                    + ", but a share must be 1..1000 thousandths of one GPU; for more than one GPU ask "
                    + GPU_RESOURCE + ": N instead");
        }
        if (gpus > 0) {
            return new PodGpuDemand(gpus, MILLI_PER_GPU);
        }
        return milli > 0 ? new PodGpuDemand(1, (int) milli) : NONE;
    }

    public boolean asksGpu() {
        return gpus > 0;
    }

    private static long sum(long a, long b, String resource) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("pod asks more " + resource + " than can be counted");
        }
    }
}
