package io.gantry.sim.report;

import java.util.Arrays;

/**
 * Cluster figures sampled at fixed simulated intervals: GPU and CPU allocation (% of capacity), GPU fragmentation
 * (FGD's Σ F(n), as % of GPU capacity and as % of idle GPU), pods running and pods waiting. A sample at time t
 * shows the cluster after every event up to and including t, and stands for the time until the next sample. Grows
 * as samples are added.
 */
public final class TimeSeries {

    private long[] timeMillis = new long[64];
    private double[] gpuAllocated = new double[64];
    private double[] cpuAllocated = new double[64];
    private double[] fragmentation = new double[64];
    private double[] fragmentationRatio = new double[64];
    private int[] running = new int[64];
    private int[] waiting = new int[64];
    private int size;

    public void add(long time, double gpuAllocatedPercent, double cpuAllocatedPercent, double fragPercent,
            double fragRatioPercent, int podsRunning, int podsWaiting) {
        if (size == timeMillis.length) {
            int n = size * 2;
            timeMillis = Arrays.copyOf(timeMillis, n);
            gpuAllocated = Arrays.copyOf(gpuAllocated, n);
            cpuAllocated = Arrays.copyOf(cpuAllocated, n);
            fragmentation = Arrays.copyOf(fragmentation, n);
            fragmentationRatio = Arrays.copyOf(fragmentationRatio, n);
            running = Arrays.copyOf(running, n);
            waiting = Arrays.copyOf(waiting, n);
        }
        timeMillis[size] = time;
        gpuAllocated[size] = gpuAllocatedPercent;
        cpuAllocated[size] = cpuAllocatedPercent;
        fragmentation[size] = fragPercent;
        fragmentationRatio[size] = fragRatioPercent;
        running[size] = podsRunning;
        waiting[size] = podsWaiting;
        size++;
    }

    public int size() {
        return size;
    }

    public long timeMillis(int i) {
        return timeMillis[i];
    }

    public double gpuAllocatedPercent(int i) {
        return gpuAllocated[i];
    }

    public double cpuAllocatedPercent(int i) {
        return cpuAllocated[i];
    }

    public double fragmentationPercent(int i) {
        return fragmentation[i];
    }

    public double fragmentationRatioPercent(int i) {
        return fragmentationRatio[i];
    }

    public int running(int i) {
        return running[i];
    }

    public int waiting(int i) {
        return waiting[i];
    }

    /** The time average of the GPU allocation over [from, to): each sample holds until the next one. */
    public double meanGpuAllocatedPercent(long from, long to) {
        return timeAverage(gpuAllocated, from, to);
    }

    public double meanFragmentationPercent(long from, long to) {
        return timeAverage(fragmentation, from, to);
    }

    public double peakGpuAllocatedPercent() {
        double max = Double.NaN;
        for (int i = 0; i < size; i++) {
            max = Double.isNaN(max) ? gpuAllocated[i] : Math.max(max, gpuAllocated[i]);
        }
        return max;
    }

    public int peakWaiting() {
        int max = 0;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, waiting[i]);
        }
        return max;
    }

    private double timeAverage(double[] column, long from, long to) {
        if (to <= from) {
            // an instant: the value then
            for (int i = size - 1; i >= 0; i--) {
                if (timeMillis[i] <= from) {
                    return column[i];
                }
            }
            return Double.NaN;
        }
        double weighted = 0;
        long covered = 0;
        for (int i = 0; i < size; i++) {
            long start = Math.max(timeMillis[i], from);
            long end = Math.min(i + 1 < size ? timeMillis[i + 1] : to, to);
            if (end > start) {
                weighted += column[i] * (end - start);
                covered += end - start;
            }
        }
        return covered == 0 ? Double.NaN : weighted / covered;
    }
}
