package io.gantry.engine.placement;

import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.DOES_NOT_EXIST;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.EXISTS;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.GT;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.IN;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.LT;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.NOT_IN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.placement.NodeSelectorRequirement.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each operator with Kubernetes' semantics, including a missing label, and the constructor's validation. */
class NodeSelectorRequirementTest {

    private static NodeSelectorRequirement req(String key, Operator op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    private static final Map<String, String> ZONE_A = Map.of("zone", "a", "gpu-gen", "8");

    // ---- In / NotIn --------------------------------------------------------------------------------------

    @Test
    void inNeedsThePresentLabelToEqualOneOfTheValues() {
        assertThat(req("zone", IN, "a").matches(ZONE_A)).isTrue();
        assertThat(req("zone", IN, "b", "a").matches(ZONE_A)).isTrue();
        assertThat(req("zone", IN, "b", "c").matches(ZONE_A)).isFalse();
        assertThat(req("region", IN, "a").matches(ZONE_A)).as("missing label").isFalse();
        assertThat(req("zone", IN, "A").matches(ZONE_A)).as("case-sensitive").isFalse();
    }

    @Test
    void notInMatchesAMissingLabelAndAnyOtherValue() {
        assertThat(req("zone", NOT_IN, "a").matches(ZONE_A)).isFalse();
        assertThat(req("zone", NOT_IN, "b", "a").matches(ZONE_A)).isFalse();
        assertThat(req("zone", NOT_IN, "b", "c").matches(ZONE_A)).isTrue();
        assertThat(req("region", NOT_IN, "a").matches(ZONE_A)).as("missing label").isTrue();
    }

    // ---- Exists / DoesNotExist ---------------------------------------------------------------------------

    @Test
    void existsAndDoesNotExistLookOnlyAtTheKey() {
        assertThat(req("zone", EXISTS).matches(ZONE_A)).isTrue();
        assertThat(req("zone", EXISTS).matches(Map.of("zone", ""))).as("empty value still exists").isTrue();
        assertThat(req("region", EXISTS).matches(ZONE_A)).isFalse();
        assertThat(req("zone", DOES_NOT_EXIST).matches(ZONE_A)).isFalse();
        assertThat(req("zone", DOES_NOT_EXIST).matches(Map.of("zone", ""))).isFalse();
        assertThat(req("region", DOES_NOT_EXIST).matches(ZONE_A)).isTrue();
        assertThat(req("region", DOES_NOT_EXIST).matches(Map.of())).isTrue();
    }

    // ---- Gt / Lt -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "label {0} Gt {1} = {2}, Lt {1} = {3}")
    @CsvSource({
        "8,    5,    true,  false",
        "5,    5,    false, false", // both strict
        "4,    5,    false, true",
        "-3,   -4,   true,  false",
        "-5,   -4,   false, true",
        "+7,   6,    true,  false", // Go's ParseInt and Java's parseLong both accept a sign
        "0,    0,    false, false",
        "9223372036854775807, 9223372036854775806, true, false",
    })
    void gtAndLtCompareIntegerLabelsNumerically(String label, String value, boolean gt, boolean lt) {
        Map<String, String> labels = Map.of("n", label);
        assertThat(req("n", GT, value).matches(labels)).isEqualTo(gt);
        assertThat(req("n", LT, value).matches(labels)).isEqualTo(lt);
    }

    @Test
    void gtAndLtCompareNumbersNotStrings() {
        // as strings "10" < "9"; as numbers 10 > 9
        assertThat(req("n", GT, "9").matches(Map.of("n", "10"))).isTrue();
        assertThat(req("n", LT, "9").matches(Map.of("n", "10"))).isFalse();
        assertThat(req("n", LT, "100").matches(Map.of("n", "20"))).isTrue();
    }

    @ParameterizedTest(name = "label ''{0}''")
    @CsvSource(value = {"abc", "''", "1.5", "8Gi", "' 8'", "0x10", "99999999999999999999", "1e3"}, quoteCharacter = '\'')
    void aNonIntegerLabelMatchesNeitherGtNorLt(String label) {
        Map<String, String> labels = Map.of("n", label);
        for (String value : List.of("-1000", "0", "1", "1000")) {
            assertThat(req("n", GT, value).matches(labels)).as("Gt " + value).isFalse();
            assertThat(req("n", LT, value).matches(labels)).as("Lt " + value).isFalse();
        }
    }

    @Test
    void aMissingLabelMatchesNeitherGtNorLt() {
        assertThat(req("n", GT, "-1000").matches(Map.of())).isFalse();
        assertThat(req("n", LT, "1000").matches(Map.of())).isFalse();
        assertThat(req("n", GT, "0").matches(Map.of("other", "5"))).isFalse();
    }

    // ---- validation --------------------------------------------------------------------------------------

    @Test
    void inAndNotInNeedAValue() {
        assertThatThrownBy(() -> req("zone", IN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector zone In needs at least one value");
        assertThatThrownBy(() -> req("zone", NOT_IN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector zone NotIn needs at least one value");
    }

    @Test
    void existsAndDoesNotExistTakeNoValues() {
        assertThatThrownBy(() -> req("zone", EXISTS, "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector zone Exists takes no values, got [a]");
        assertThatThrownBy(() -> req("zone", DOES_NOT_EXIST, "a", "b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector zone DoesNotExist takes no values, got [a, b]");
    }

    @Test
    void gtAndLtNeedExactlyOneIntegerValue() {
        assertThatThrownBy(() -> req("n", GT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector n Gt needs exactly one integer value, got []");
        assertThatThrownBy(() -> req("n", LT, "1", "2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector n Lt needs exactly one integer value, got [1, 2]");
        assertThatThrownBy(() -> req("n", GT, "1.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector n Gt needs an integer value, got '1.5'")
                .hasCauseInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> req("n", LT, "ten"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector n Lt needs an integer value, got 'ten'");
        assertThatThrownBy(() -> req("n", LT, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node selector n Lt needs an integer value, got ''");
    }

    @Test
    void nullsAreRejected() {
        assertThatThrownBy(() -> new NodeSelectorRequirement(null, IN, List.of("a")))
                .isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> new NodeSelectorRequirement("k", null, List.of("a")))
                .isInstanceOf(NullPointerException.class).hasMessage("operator");
        assertThatThrownBy(() -> new NodeSelectorRequirement("k", IN, null))
                .isInstanceOf(NullPointerException.class).hasMessage("values");
    }

    @Test
    void valuesAreCopied() {
        List<String> values = new ArrayList<>(List.of("a"));
        NodeSelectorRequirement r = new NodeSelectorRequirement("zone", IN, values);
        values.set(0, "b");
        assertThat(r.values()).containsExactly("a");
        assertThat(r.matches(ZONE_A)).isTrue();
        assertThatThrownBy(() -> r.values().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- operator names ----------------------------------------------------------------------------------

    @Test
    void operatorsParseFromKubernetesSpelling() {
        assertThat(Operator.parse("In")).isEqualTo(IN);
        assertThat(Operator.parse("NotIn")).isEqualTo(NOT_IN);
        assertThat(Operator.parse("Exists")).isEqualTo(EXISTS);
        assertThat(Operator.parse("DoesNotExist")).isEqualTo(DOES_NOT_EXIST);
        assertThat(Operator.parse("Gt")).isEqualTo(GT);
        assertThat(Operator.parse("Lt")).isEqualTo(LT);
        for (Operator o : Operator.values()) {
            assertThat(Operator.parse(o.apiName())).isEqualTo(o);
        }
        assertThatThrownBy(() -> Operator.parse("in"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown node selector operator 'in'; expected In, NotIn, Exists, DoesNotExist, Gt or Lt");
        assertThatThrownBy(() -> Operator.parse("GT")).isInstanceOf(IllegalArgumentException.class);
    }
}
