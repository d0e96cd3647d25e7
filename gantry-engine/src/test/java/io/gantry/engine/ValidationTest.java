package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** PodRequest and NodeSpec reject impossible requests and capacities with messages that say what is wrong. */
class ValidationTest {

    @Test
    void shareWithTwoGpusIsRejected() {
        assertThatThrownBy(() -> PodRequest.of("p", 1000, 100, 2, 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod p: a GPU share (500 milli) needs gpuCount 1, got 2;"
                        + " ask for whole GPUs or for one shared GPU");
    }

    @Test
    void gpuMilliOutsideOneToThousandWithOneGpuIsRejected() {
        assertThatThrownBy(() -> PodRequest.of("p0", 1000, 100, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod p0: GPU milli per GPU must be 1..1000, got 0");
        assertThatThrownBy(() -> PodRequest.of("p1001", 1000, 100, 1, 1001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod p1001: GPU milli per GPU must be 1..1000, got 1001");
        assertThatThrownBy(() -> PodRequest.of("pneg", 1000, 100, 1, -5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod pneg: GPU milli per GPU must be 1..1000, got -5");
    }

    @Test
    void gpuMilliWithoutGpuCountIsRejected() {
        assertThatThrownBy(() -> PodRequest.of("p", 1000, 100, 0, 300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod p: GPU milli 300 without a GPU count; set gpuCount >= 1 or gpuMilliPerGpu = 0");
    }

    @Test
    void negativePodValuesAreRejected() {
        assertThatThrownBy(() -> PodRequest.of("c", -1, 100, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod c: negative CPU or memory request (cpuMilli=-1, memoryMib=100)");
        assertThatThrownBy(() -> PodRequest.of("m", 10, -2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod m: negative CPU or memory request (cpuMilli=10, memoryMib=-2)");
        assertThatThrownBy(() -> PodRequest.of("g", 10, 10, -1, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod g: negative GPU count -1");
    }

    @Test
    void validPodsAreAcceptedAndDescribeTheirShape() {
        PodRequest cpuOnly = PodRequest.of("cpu", 0, 0, 0, 0);
        PodRequest share = PodRequest.of("share", 100, 10, 1, 1);
        PodRequest whole = PodRequest.of("whole", 100, 10, 1, 1000);
        PodRequest eight = PodRequest.of("eight", 100, 10, 8, 1000);
        assertThat(cpuOnly.needsGpu()).isFalse();
        assertThat(share.isGpuShare()).isTrue();
        assertThat(whole.isGpuShare()).isFalse();
        assertThat(eight.totalGpuMilli()).isEqualTo(8000);
        assertThat(share.totalGpuMilli()).isEqualTo(1);
        // the model list keeps order and duplicates, because the FGD type key uses the string as written
        assertThat(share.withAllowedGpuModels(List.of("B", "A", "A")).gpuModelSpec()).isEqualTo("B|A|A");
    }

    @Test
    void nodeSpecRejectsNegativeCapacityAndBlankNames() {
        assertThatThrownBy(() -> NodeSpec.of("n1", -1, 10, 1, "T4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node n1: negative capacity (cpuMilli=-1, memoryMib=10, gpuCount=1, maxPods=110)");
        assertThatThrownBy(() -> NodeSpec.of("n2", 1, -10, 1, "T4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memoryMib=-10");
        assertThatThrownBy(() -> NodeSpec.of("n3", 1, 10, -1, "T4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpuCount=-1");
        assertThatThrownBy(() -> new NodeSpec("n4", 1, 10, 1, "T4", -3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPods=-3");
        assertThatThrownBy(() -> NodeSpec.of(" ", 1, 10, 1, "T4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node name is blank");
        assertThatCode(() -> new NodeSpec("zero", 0, 0, 0, "", 0)).doesNotThrowAnyException();
    }
}
