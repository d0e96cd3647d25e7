package io.gantry.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.testkit.Property;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuAssignmentCodecTest {

    @Test
    void theNamesAreTheOnesClustersCarry() {
        assertThat(GpuAnnotations.GPU_RESOURCE).isEqualTo("nvidia.com/gpu");
        assertThat(GpuAnnotations.GPU_MILLI_RESOURCE).isEqualTo("gantry.io/gpu-milli");
        assertThat(GpuAnnotations.GPU_IDS).isEqualTo("gantry.io/gpu-ids");
        assertThat(GpuAnnotations.GPU_MILLI).isEqualTo("gantry.io/gpu-milli");
        assertThat(GpuAnnotations.GPU_MODEL).isEqualTo("gantry.io/gpu-model");
        assertThat(GpuAnnotations.GPU_UNHEALTHY).isEqualTo("gantry.io/gpu-unhealthy");
        assertThat(GpuAnnotations.GPU_PRODUCT_LABEL).isEqualTo("nvidia.com/gpu.product");
    }

    @Test
    void wholeGpusAndSharesAreWrittenInTodaysFormat() {
        assertThat(GpuAssignmentCodec.encode(GpuAssignment.whole(List.of(3, 0, 7))))
                .containsExactlyInAnyOrderEntriesOf(Map.of("gantry.io/gpu-ids", "3,0,7", "gantry.io/gpu-milli", "1000"));
        assertThat(GpuAssignmentCodec.encode(GpuAssignment.share(2, 250)))
                .containsExactlyInAnyOrderEntriesOf(Map.of("gantry.io/gpu-ids", "2", "gantry.io/gpu-milli", "250"));
    }

    @Test
    void todaysAnnotationsAreReadAsWritten() {
        assertThat(GpuAssignmentCodec.decode(Map.of("gantry.io/gpu-ids", "3,0,7", "gantry.io/gpu-milli", "1000")))
                .contains(GpuAssignment.whole(List.of(3, 0, 7)));
        assertThat(GpuAssignmentCodec.decode(Map.of("gantry.io/gpu-ids", "2", "gantry.io/gpu-milli", "250")))
                .contains(GpuAssignment.share(2, 250));
        // Without gpu-milli (the agent always accepted this): whole GPUs.
        assertThat(GpuAssignmentCodec.decode(Map.of("gantry.io/gpu-ids", "1,2"))).contains(GpuAssignment.whole(
                List.of(1, 2)));
        // Hand-written spaces are tolerated.
        assertThat(GpuAssignmentCodec.decodeIds(" 0, 3")).containsExactly(0, 3);
        assertThat(GpuAssignmentCodec.decodeMilli(" 250 ")).isEqualTo(250);
        assertThat(GpuAssignmentCodec.decode(Map.of("app", "x"))).isEmpty();
    }

    @Test
    void gpuIdListsRoundTrip() {
        Property.check("gpu-ids round trip", 500, gen -> ContractGen.distinctIds(gen, 1, 64), ids -> {
            String text = GpuAssignmentCodec.encodeIds(ids);
            assertThat(text).matches("\\d+(,\\d+)*");
            assertThat(GpuAssignmentCodec.decodeIds(text)).isEqualTo(ids);
        });
    }

    @Test
    void milliRoundTrips() {
        Property.check("gpu-milli round trip", 300, gen -> gen.intBetween(1, 1000), milli -> {
            String text = GpuAssignmentCodec.encodeMilli(milli);
            assertThat(text).matches("[1-9]\\d*");
            assertThat(GpuAssignmentCodec.decodeMilli(text)).isEqualTo(milli);
        });
    }

    @Test
    void assignmentsRoundTripThroughThePodsAnnotations() {
        Property.check("assignment round trip", 500, ContractGen::assignment, a -> {
            Map<String, String> annotations = new HashMap<>(GpuAssignmentCodec.encode(a));
            assertThat(annotations).containsOnlyKeys(GpuAnnotations.GPU_IDS, GpuAnnotations.GPU_MILLI);
            annotations.put("kubectl.kubernetes.io/last-applied-configuration", "{}");
            assertThat(GpuAssignmentCodec.decode(annotations)).contains(a);
        });
    }

    /** A valid gpu-ids text broken in one of the ways a hand edit breaks it. */
    private record Broken(String text, String problem) {
    }

    @Test
    void malformedGpuIdsAreRejectedNamingTheAnnotationTheValueAndTheFix() {
        Property.check("malformed gpu-ids rejected", 500, gen -> {
            List<Integer> ids = ContractGen.distinctIds(gen, 1, 8);
            String valid = GpuAssignmentCodec.encodeIds(ids);
            return switch (gen.intBetween(0, 6)) {
                case 0 -> new Broken(valid + "," + gen.oneOf("x", "GPU-1", "1.5", "0x2", "", " "), "is not a GPU index");
                case 1 -> new Broken(valid + "," + ids.get(gen.intBetween(0, ids.size() - 1)), "distinct");
                case 2 -> new Broken(valid + ",-" + gen.intBetween(1, 9), "not negative");
                case 3 -> new Broken(valid.replaceFirst(",|$", ",,"), "is not a GPU index");
                case 4 -> new Broken(valid + "," + gen.oneOf("4294967296", "99999999999"), "is not a GPU index");
                case 5 -> new Broken(gen.oneOf("", " ", "  "), "is empty");
                default -> new Broken(valid.replace(",", gen.oneOf(";", " ", "|")) + (ids.size() == 1 ? ";1" : ""),
                        "is not a GPU index");
            };
        }, broken -> assertThatThrownBy(() -> GpuAssignmentCodec.decodeIds(broken.text()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("annotation gantry.io/gpu-ids")
                .hasMessageContaining(broken.text().isBlank() ? "is empty" : "='" + broken.text() + "'")
                .hasMessageContaining(broken.problem())
                .hasMessageContaining("such as 0,3")
                .hasMessageContaining("delete the pod so that it is scheduled again"));
    }

    @Test
    void malformedGpuMilliIsRejectedNamingTheAnnotationAndTheRange() {
        Property.check("malformed gpu-milli rejected", 300, gen -> gen.frequency(
                        io.gantry.testkit.Gen.weight(1, g -> Integer.toString(g.intBetween(1001, Integer.MAX_VALUE))),
                        io.gantry.testkit.Gen.weight(1, g -> Integer.toString(-g.intBetween(0, 1000))),
                        io.gantry.testkit.Gen.weight(1, g -> g.oneOf("", "x", "0.5", "250m", "1e3", "1,000"))),
                text -> assertThatThrownBy(() -> GpuAssignmentCodec.decodeMilli(text))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("annotation gantry.io/gpu-milli='" + text + "'")
                        .hasMessageContaining("1..1000"));
    }

    @Test
    void annotationsThatContradictEachOtherAreRejected() {
        assertThatThrownBy(() -> GpuAssignmentCodec.decode(Map.of("gantry.io/gpu-ids", "0,1",
                "gantry.io/gpu-milli", "10")))
                .hasMessageContaining("gantry.io/gpu-ids='0,1', gantry.io/gpu-milli='10'")
                .hasMessageContaining("a share is of exactly one GPU");
        assertThatThrownBy(() -> GpuAssignmentCodec.decode(Map.of("gantry.io/gpu-milli", "250")))
                .hasMessageContaining("gantry.io/gpu-milli='250' is set without gantry.io/gpu-ids");
        assertThatThrownBy(() -> GpuAssignmentCodec.decode(Map.of("gantry.io/gpu-ids", "1",
                "gantry.io/gpu-milli", "0"))).hasMessageContaining("out of range 1..1000");
    }

    @Test
    void anAssignmentIsValidByConstruction() {
        assertThatThrownBy(() -> GpuAssignment.whole(List.of())).hasMessageContaining("at least one GPU");
        assertThatThrownBy(() -> GpuAssignment.whole(List.of(1, 1))).hasMessageContaining("distinct");
        assertThatThrownBy(() -> GpuAssignment.share(-1, 10)).hasMessageContaining("not negative");
        assertThatThrownBy(() -> GpuAssignment.share(0, 1001)).hasMessageContaining("1..1000");
        assertThatThrownBy(() -> GpuAssignmentCodec.encodeMilli(0)).hasMessageContaining("1..1000");
        List<Integer> ids = new java.util.ArrayList<>(List.of(1, 2));
        GpuAssignment a = GpuAssignment.whole(ids);
        ids.add(3);
        assertThat(a.gpuIds()).containsExactly(1, 2);
    }
}
