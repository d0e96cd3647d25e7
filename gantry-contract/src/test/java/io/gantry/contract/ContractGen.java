package io.gantry.contract;

import io.gantry.testkit.Gen;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Generators of contract values for the property tests. */
final class ContractGen {

    private ContractGen() {
    }

    /** A GPU index: mostly those of real nodes (0..63), sometimes any int that is not negative. */
    static int gpuIndex(Gen gen) {
        return gen.chance(0.9) ? gen.intBetween(0, 63) : gen.intBetween(0, Integer.MAX_VALUE);
    }

    /** Distinct GPU indices in random order, min..max of them. */
    static List<Integer> distinctIds(Gen gen, int min, int max) {
        int size = gen.intBetween(min, max);
        Set<Integer> ids = new LinkedHashSet<>();
        while (ids.size() < size) {
            ids.add(gpuIndex(gen));
        }
        return new ArrayList<>(ids);
    }

    static GpuAssignment assignment(Gen gen) {
        return gen.bool() ? GpuAssignment.whole(distinctIds(gen, 1, 16))
                : GpuAssignment.share(gpuIndex(gen), gen.intBetween(1, GpuAnnotations.MILLI_PER_GPU));
    }

    /** A pod as the scheduler would accept it: app containers and init containers of one kind (whole or share). */
    static List<ContainerGpuRequest> containers(Gen gen) {
        boolean share = gen.bool();
        List<ContainerGpuRequest> list = new ArrayList<>();
        int inits = gen.intBetween(0, 3);
        for (int i = 0; i < inits; i++) {
            list.add(ContainerGpuRequest.init("init-" + i, share || gen.chance(0.3) ? 0 : gen.intBetween(0, 8),
                    share && gen.chance(0.7) ? gen.intBetween(1, 1000) : 0));
        }
        int apps = gen.intBetween(1, 4);
        int milliLeft = 1000;
        for (int i = 0; i < apps; i++) {
            long gpus = !share && gen.chance(0.8) ? gen.intBetween(0, 4) : 0;
            long milli = 0;
            if (share && milliLeft > 0 && gen.chance(0.8)) {
                milli = gen.intBetween(1, milliLeft);
                milliLeft -= (int) milli;
            }
            list.add(ContainerGpuRequest.app("app-" + i, gpus, milli));
        }
        if (gen.bool()) {
            // Kubernetes lists init containers apart; their position among the app containers must not matter.
            java.util.Collections.rotate(list, gen.intBetween(0, list.size()));
        }
        return list;
    }

    /** The assignment a scheduler could write for the pod: its demand, on distinct random GPUs. */
    static GpuAssignment assignmentFor(Gen gen, PodGpuDemand demand) {
        return new GpuAssignment(distinctIds(gen, (int) demand.gpus(), (int) demand.gpus()), demand.milliPerGpu());
    }
}
