package io.gantry.sim.report;

import java.util.Arrays;

/**
 * Cluster figures sampled at fixed simulated intervals: GPU and CPU allocation (% of capacity), GPU fragmentation
 * (FGD's Σ F(n), as % of GPU capacity and as % of idle GPU), pods running and pods waiting. A sample at time t
 * shows the cluster after every event up to and including t. Grows as samples are added.
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

    /** The mean over the samples: at fixed intervals, the time average. */
    public double meanGpuAllocatedPercent() {
        return mean(gpuAllocated);
    }

    public double meanFragmentationPercent() {
        return mean(fragmentation);
    }

    private double mean(double[] column) {
        if (size == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = 0; i < size; i++) {
            s += column[i];
        }
        return s / size;
    }
}
