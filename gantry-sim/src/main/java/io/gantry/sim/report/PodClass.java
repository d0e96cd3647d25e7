package io.gantry.sim.report;

import io.gantry.engine.PodRequest;

/** The pod classes that queueing delays are reported by: what the pod asks of GPUs. */
public enum PodClass {
    CPU_ONLY("cpu-only"),
    SHARE("share"),
    GPU_1("1-gpu"),
    GPU_2("2-gpu"),
    GPU_4("4-gpu"),
    GPU_8("8-gpu"),
    /** 3, 5, 6, 7 or more than 8 GPUs: not in openb, kept apart rather than folded into a neighbour. */
    GPU_OTHER("other-gpu");

    private final String label;

    PodClass(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static PodClass of(PodRequest pod) {
        if (pod.gpuCount() == 0) {
            return CPU_ONLY;
        }
        if (pod.isGpuShare()) {
            return SHARE;
        }
        return switch (pod.gpuCount()) {
            case 1 -> GPU_1;
            case 2 -> GPU_2;
            case 4 -> GPU_4;
            case 8 -> GPU_8;
            default -> GPU_OTHER;
        };
    }
}
