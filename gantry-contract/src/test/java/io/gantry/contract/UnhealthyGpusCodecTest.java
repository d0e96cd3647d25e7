package io.gantry.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.testkit.Property;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnhealthyGpusCodecTest {

    @Test
    void todaysFormatIsAscendingCommaSeparatedAndEmptyWhenNone() {
        assertThat(UnhealthyGpusCodec.encode(Set.of(3, 1))).isEqualTo("1,3");
        assertThat(UnhealthyGpusCodec.encode(Set.of())).isEmpty();
        assertThat(UnhealthyGpusCodec.decode("1,3")).containsExactly(1, 3);
        assertThat(UnhealthyGpusCodec.decode("")).isEmpty();
        assertThat(UnhealthyGpusCodec.decode(" ")).isEmpty();
        assertThat(UnhealthyGpusCodec.decode("3, 0")).containsExactly(0, 3);
    }

    @Test
    void unhealthySetsRoundTrip() {
        Property.check("gpu-unhealthy round trip", 500,
                gen -> new HashSet<>(ContractGen.distinctIds(gen, 0, gen.intBetween(0, 64))), unhealthy -> {
                    String text = UnhealthyGpusCodec.encode(unhealthy);
                    assertThat(text).matches("(\\d+(,\\d+)*)?");
                    assertThat(UnhealthyGpusCodec.decode(text)).isEqualTo(unhealthy);
                    List<Integer> order = UnhealthyGpusCodec.decode(text).stream().toList();
                    assertThat(order).isSorted();
                });
    }

    @Test
    void malformedValuesAreRejectedNamingTheAnnotationTheValueAndTheFix() {
        Property.check("malformed gpu-unhealthy rejected", 300, gen -> {
            String valid = UnhealthyGpusCodec.encode(new HashSet<>(ContractGen.distinctIds(gen, 1, 8)));
            return switch (gen.intBetween(0, 4)) {
                case 0 -> valid + "," + gen.oneOf("x", "GPU-1", "1.5", "", "99999999999");
                case 1 -> valid + "," + valid.split(",")[0];
                case 2 -> valid + ",-" + gen.intBetween(1, 9);
                case 3 -> "," + valid;
                default -> valid.replace(",", ";") + ";0";
            };
        }, text -> assertThatThrownBy(() -> UnhealthyGpusCodec.decode(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("annotation gantry.io/gpu-unhealthy='" + text + "'")
                .hasMessageContaining("expected the indices of the node's Unhealthy GPUs, comma-separated")
                .hasMessageContaining("restart the node's agent"));
        assertThatThrownBy(() -> UnhealthyGpusCodec.decode("1,x")).hasMessageContaining("'x' is not a GPU index");
        assertThatThrownBy(() -> UnhealthyGpusCodec.decode("1,1")).hasMessageContaining("GPU 1 is listed twice");
        assertThatThrownBy(() -> UnhealthyGpusCodec.decode("-1")).hasMessageContaining("GPU index -1 is negative");
        assertThatThrownBy(() -> UnhealthyGpusCodec.encode(Set.of(-2))).hasMessageContaining("not negative");
    }
}
