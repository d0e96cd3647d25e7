package io.gantry.contract;

import static io.gantry.contract.ContainerGpuRequest.app;
import static io.gantry.contract.ContainerGpuRequest.init;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.testkit.Property;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerSlicesTest {

    @Test
    void appContainersTakeConsecutiveSlicesAndInitContainersTheFirstGpus() {
        List<ContainerGpuRequest> pod = List.of(init("fetch", 2, 0), init("warm", 1, 0), app("a", 1, 0),
                app("sidecar", 0, 0), app("b", 2, 0));
        ContainerSlices slices = ContainerSlices.of(pod, GpuAssignment.whole(List.of(3, 0, 7)));

        assertThat(slices.slice("fetch").gpuIds()).containsExactly(3, 0);
        assertThat(slices.slice("warm").gpuIds()).containsExactly(3);
        assertThat(slices.slice("a").gpuIds()).containsExactly(3);
        assertThat(slices.slice("sidecar").gpuIds()).isEmpty();
        assertThat(slices.slice("sidecar").milliPerGpu()).isZero();
        assertThat(slices.slice("b").gpuIds()).containsExactly(0, 7);
        assertThat(slices.slice("b").milliPerGpu()).isEqualTo(1000);
        assertThat(slices.slices()).extracting(ContainerSlice::container)
                .containsExactly("fetch", "warm", "a", "sidecar", "b");
    }

    @Test
    void anInitContainerLargerThanTheAppContainersSetsThePodsCount() {
        List<ContainerGpuRequest> pod = List.of(init("prepare", 4, 0), app("main", 1, 0));
        assertThat(PodGpuDemand.of(pod)).isEqualTo(new PodGpuDemand(4, 1000));
        ContainerSlices slices = ContainerSlices.of(pod, GpuAssignment.whole(List.of(5, 4, 6, 7)));
        assertThat(slices.slice("prepare").gpuIds()).containsExactly(5, 4, 6, 7);
        assertThat(slices.slice("main").gpuIds()).containsExactly(5);
    }

    @Test
    void sharesOfOnePodAreOnItsOneGpuEachWithItsOwnThousandths() {
        List<ContainerGpuRequest> pod = List.of(init("load", 0, 500), app("model", 0, 300), app("tokenizer", 0, 100));
        assertThat(PodGpuDemand.of(pod)).isEqualTo(new PodGpuDemand(1, 500));
        ContainerSlices slices = ContainerSlices.of(pod, GpuAssignment.share(2, 500));
        assertThat(slices.slice("load")).isEqualTo(new ContainerSlice("load", true, List.of(2), 500));
        assertThat(slices.slice("model")).isEqualTo(new ContainerSlice("model", false, List.of(2), 300));
        assertThat(slices.slice("tokenizer")).isEqualTo(new ContainerSlice("tokenizer", false, List.of(2), 100));
    }

    @Test
    void anAssignmentThatIsNotThePodsDemandIsRefused() {
        String notOurs = "the annotation was not written by this pod's scheduling decision";
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("main", 2, 0)), GpuAssignment.whole(List.of(1))))
                .hasMessageContaining("annotation gantry.io/gpu-ids='1' names 1 GPUs, but the pod's containers ask 2")
                .hasMessageContaining(notOurs);
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("main", 1, 0)), GpuAssignment.whole(List.of(1, 2))))
                .hasMessageContaining("names 2 GPUs, but the pod's containers ask 1");
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("a", 0, 500), app("b", 0, 500)),
                GpuAssignment.whole(List.of(1, 2)))).hasMessageContaining("a share is of exactly one GPU");
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("main", 0, 250)), GpuAssignment.share(0, 300)))
                .hasMessageContaining("gantry.io/gpu-milli gives 300 thousandths of each GPU")
                .hasMessageContaining("ask 250");
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("main", 1, 0)), GpuAssignment.share(0, 300)))
                .hasMessageContaining("gives 300").hasMessageContaining("ask 1000");
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("web", 0, 0)), GpuAssignment.whole(List.of(0))))
                .hasMessageContaining("the pod's containers ask no GPU");
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("a", 1, 0), init("a", 1, 0)),
                GpuAssignment.whole(List.of(0)))).hasMessageContaining("two containers named a");
        assertThatThrownBy(() -> ContainerSlices.of(List.of(app("a", 1, 0)), GpuAssignment.whole(List.of(0)))
                .slice("b")).hasMessageContaining("no container named b");
    }

    @Test
    void slicesRoundTripThroughTheAnnotationsForAnyContainerLayout() {
        Property.check("per-container slices round trip", 1000, gen -> {
            List<ContainerGpuRequest> containers = ContractGen.containers(gen);
            PodGpuDemand demand = PodGpuDemand.of(containers);
            return new Layout(containers, demand.asksGpu() ? ContractGen.assignmentFor(gen, demand) : null);
        }, layout -> {
            if (layout.assignment() == null) {
                assertThat(layout.containers()).allMatch(c -> c.gpus() == 0 && c.milli() == 0);
                return;
            }
            ContainerSlices slices = ContainerSlices.of(layout.containers(), layout.assignment());
            GpuAssignment decoded = GpuAssignmentCodec.decode(GpuAssignmentCodec.encode(layout.assignment()))
                    .orElseThrow();
            assertThat(ContainerSlices.of(layout.containers(), decoded)).isEqualTo(slices);
            // The slices determine the annotation again: the longer of the app containers' slices laid end to
            // end and the largest init container's slice is the whole list.
            assertThat(idsOf(slices)).isEqualTo(layout.assignment().gpuIds());
        });
    }

    @Test
    void everyContainerGetsWhatItAsksAndAppContainersShareNoWholeGpu() {
        Property.check("slices fit the containers", 1000, gen -> {
            List<ContainerGpuRequest> containers = ContractGen.containers(gen);
            PodGpuDemand demand = PodGpuDemand.of(containers);
            return new Layout(containers, demand.asksGpu() ? ContractGen.assignmentFor(gen, demand) : null);
        }, layout -> {
            if (layout.assignment() == null) {
                return;
            }
            List<Integer> ids = layout.assignment().gpuIds();
            ContainerSlices slices = ContainerSlices.of(layout.containers(), layout.assignment());
            Set<Integer> takenByApps = new HashSet<>();
            for (ContainerGpuRequest c : layout.containers()) {
                ContainerSlice s = slices.slice(c.name());
                assertThat(s.init()).isEqualTo(c.init());
                if (c.gpus() > 0) {
                    assertThat(s.gpuIds()).hasSize((int) c.gpus());
                    assertThat(s.milliPerGpu()).isEqualTo(1000);
                    if (c.init()) {
                        assertThat(s.gpuIds()).isEqualTo(ids.subList(0, (int) c.gpus()));
                    } else {
                        for (int id : s.gpuIds()) {
                            assertThat(takenByApps.add(id)).as("GPU %d handed to two app containers", id).isTrue();
                        }
                    }
                } else if (c.milli() > 0) {
                    assertThat(s.gpuIds()).isEqualTo(ids);
                    assertThat(s.milliPerGpu()).isEqualTo((int) c.milli());
                } else {
                    assertThat(s.gpuIds()).isEmpty();
                }
                assertThat(ids).containsAll(s.gpuIds());
            }
        });
    }

    private record Layout(List<ContainerGpuRequest> containers, GpuAssignment assignment) {
    }

    private static List<Integer> idsOf(ContainerSlices slices) {
        List<Integer> apps = new ArrayList<>();
        List<Integer> largestInit = List.of();
        for (ContainerSlice s : slices.slices()) {
            if (s.milliPerGpu() < 1000 && !s.gpuIds().isEmpty()) {
                return s.gpuIds(); // a share: the pod's one GPU
            }
            if (s.init()) {
                largestInit = s.gpuIds().size() > largestInit.size() ? s.gpuIds() : largestInit;
            } else {
                apps.addAll(s.gpuIds());
            }
        }
        return apps.size() >= largestInit.size() ? apps : largestInit;
    }
}
