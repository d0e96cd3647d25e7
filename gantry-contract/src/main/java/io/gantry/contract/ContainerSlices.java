package io.gantry.contract;

import static io.gantry.contract.GpuAnnotations.GPU_IDS;
import static io.gantry.contract.GpuAnnotations.GPU_MILLI;
import static io.gantry.contract.GpuAnnotations.MILLI_PER_GPU;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which container of a pod gets which of the GPUs its {@link GpuAssignment} names: the one rule the scheduler's
 * count ({@link PodGpuDemand}) and the agent's handout rest on.
 * <ul>
 *   <li>App containers, in spec order, each take the next GPUs of {@code gantry.io/gpu-ids}: with {@code 3,0,7}, a
 *       first container asking 1 GPU gets {@code 3}, a second asking 2 gets {@code 0,7}. Their slices are disjoint.
 *   </li>
 *   <li>Init containers run one at a time before the app containers and release their devices when they finish,
 *       so each init container takes the first GPUs of the list, as many as it asks: an init container asking 2
 *       gets {@code 3,0}. This is why the pod's count is the largest init container when that exceeds the app
 *       containers' sum.</li>
 *   <li>A container asking a share ({@code gantry.io/gpu-milli}) gets the pod's one GPU with its own thousandths;
 *       app containers' shares of one pod add up on that GPU.</li>
 *   <li>A container asking no GPU gets none.</li>
 * </ul>
 * The assignment must be exactly the pod's demand (as many GPUs, the same thousandths): anything else was not
 * written for this pod, and is refused rather than handed out in part.
 *
 * @param slices one per container, in the order given
 */
public record ContainerSlices(List<ContainerSlice> slices) {

    public ContainerSlices {
        slices = List.copyOf(requireNonNull(slices, "slices"));
    }

    /**
     * Cuts the assignment into the containers' slices; throws {@link IllegalArgumentException} when the pod's
     * containers ask something invalid or the assignment is not their demand.
     */
    public static ContainerSlices of(List<ContainerGpuRequest> containers, GpuAssignment assignment) {
        requireNonNull(containers, "containers");
        requireNonNull(assignment, "assignment");
        Set<String> names = new HashSet<>();
        boolean share = false;
        for (ContainerGpuRequest c : containers) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("the pod has two containers named " + c.name());
            }
            share |= c.milli() > 0;
        }
        PodGpuDemand demand = PodGpuDemand.of(containers);
        List<Integer> ids = assignment.gpuIds();
        String idsText = "annotation " + GPU_IDS + "='" + GpuAssignmentCodec.encodeIds(ids) + "' names " + ids.size()
                + " GPUs, but ";
        String notOurs = "; the annotation was not written by this pod's scheduling decision. Delete the pod so that "
                + "it is scheduled again";
        if (!demand.asksGpu()) {
            throw new IllegalArgumentException(idsText + "the pod's containers ask no GPU" + notOurs);
        }
        if (share && ids.size() != 1) {
            throw new IllegalArgumentException(idsText + "a share is of exactly one GPU" + notOurs);
        }
        if (ids.size() != demand.gpus()) {
            throw new IllegalArgumentException(idsText + "the pod's containers ask " + demand.gpus() + notOurs);
        }
        if (assignment.milliPerGpu() != demand.milliPerGpu()) {
            throw new IllegalArgumentException("annotation " + GPU_MILLI + " gives " + assignment.milliPerGpu()
                    + " thousandths of each GPU (1000 when absent), but the pod's containers ask "
                    + demand.milliPerGpu() + notOurs);
        }
        List<ContainerSlice> slices = new ArrayList<>(containers.size());
        int next = 0;
        for (ContainerGpuRequest c : containers) {
            List<Integer> mine;
            int milli;
            if (c.gpus() > 0) {
                int from = c.init() ? 0 : next;
                mine = ids.subList(from, from + (int) c.gpus());
                milli = MILLI_PER_GPU;
                if (!c.init()) {
                    next += (int) c.gpus();
                }
            } else if (c.milli() > 0) {
                mine = ids;
                milli = (int) c.milli();
            } else {
                mine = List.of();
                milli = 0;
            }
            slices.add(new ContainerSlice(c.name(), c.init(), mine, milli));
        }
        return new ContainerSlices(slices);
    }

    /** The slice of the named container. */
    public ContainerSlice slice(String container) {
        requireNonNull(container, "container");
        for (ContainerSlice s : slices) {
            if (s.container().equals(container)) {
                return s;
            }
        }
        throw new IllegalArgumentException("the pod has no container named " + container);
    }
}
