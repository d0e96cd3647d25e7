package io.gantry.contract;

import static io.gantry.contract.ContainerGpuRequest.app;
import static io.gantry.contract.ContainerGpuRequest.init;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.testkit.Property;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodGpuDemandTest {

    @Test
    void appContainersAddUpAndTheLargestInitContainerIsAFloor() {
        assertThat(PodGpuDemand.of(List.of(app("a", 1, 0), app("b", 2, 0), init("i", 2, 0))))
                .isEqualTo(new PodGpuDemand(3, 1000));
        assertThat(PodGpuDemand.of(List.of(app("a", 1, 0), init("i", 3, 0), init("j", 2, 0))))
                .isEqualTo(new PodGpuDemand(3, 1000));
        assertThat(PodGpuDemand.of(List.of(app("a", 0, 200), app("b", 0, 300), init("i", 0, 400))))
                .isEqualTo(new PodGpuDemand(1, 500));
        assertThat(PodGpuDemand.of(List.of(app("web", 0, 0)))).isEqualTo(PodGpuDemand.NONE);
        assertThat(PodGpuDemand.of(List.of())).isEqualTo(PodGpuDemand.NONE);
    }

    @Test
    void wholeGpusWithAShareOrAShareOfMoreThanOneGpuAreRefusedWithTheFix() {
        assertThatThrownBy(() -> PodGpuDemand.of(List.of(app("a", 2, 0), app("b", 0, 250))))
                .hasMessage("pod asks gantry.io/gpu-milli: 250 together with nvidia.com/gpu: 2; ask either whole "
                        + "GPUs (nvidia.com/gpu) or a share of one GPU (gantry.io/gpu-milli 1..1000), not both");
        assertThatThrownBy(() -> PodGpuDemand.of(List.of(app("a", 0, 600), app("b", 0, 600))))
                .hasMessageContaining("gantry.io/gpu-milli is 1200, but a share must be 1..1000 thousandths of one GPU")
                .hasMessageContaining("ask nvidia.com/gpu: N instead");
        assertThatThrownBy(() -> PodGpuDemand.of(List.of(app("a", Long.MAX_VALUE, 0), app("b", 1, 0))))
                .hasMessageContaining("more nvidia.com/gpu than can be counted");
        assertThatThrownBy(() -> app("a", -1, 0)).hasMessageContaining("neither can be negative");
        assertThatThrownBy(() -> new PodGpuDemand(2, 500)).hasMessageContaining("not a GPU demand");
    }

    @Test
    void theDemandIsTheShapeOfTheAssignmentThatServesIt() {
        Property.check("demand has the assignment's shape", 500, ContractGen::containers, containers -> {
            PodGpuDemand d = PodGpuDemand.of(containers);
            long appGpus = containers.stream().filter(c -> !c.init()).mapToLong(ContainerGpuRequest::gpus).sum();
            long initGpus = containers.stream().filter(ContainerGpuRequest::init).mapToLong(ContainerGpuRequest::gpus)
                    .max().orElse(0);
            long appMilli = containers.stream().filter(c -> !c.init()).mapToLong(ContainerGpuRequest::milli).sum();
            long initMilli = containers.stream().filter(ContainerGpuRequest::init)
                    .mapToLong(ContainerGpuRequest::milli).max().orElse(0);
            long gpus = Math.max(appGpus, initGpus);
            long milli = Math.max(appMilli, initMilli);
            PodGpuDemand expected = gpus > 0 ? new PodGpuDemand(gpus, 1000)
                    : milli > 0 ? new PodGpuDemand(1, (int) milli) : PodGpuDemand.NONE;
            assertThat(d).isEqualTo(expected);
        });
    }
}
