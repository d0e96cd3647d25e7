package io.gantry.engine.placement;

import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.EXISTS;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.GT;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.IN;
import static io.gantry.engine.placement.NodeSelectorRequirement.Operator.NOT_IN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.placement.NodeSelectorRequirement.Operator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Node selector terms (expressions AND fields) and a pod's placement (selector AND affinity, terms OR'ed). */
class NodePlacementTest {

    private static NodeSelectorRequirement req(String key, Operator op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    private static NodeSelectorTerm labels(NodeSelectorRequirement... expressions) {
        return new NodeSelectorTerm(List.of(expressions), List.of());
    }

    private static NodeSelectorTerm fields(NodeSelectorRequirement... fields) {
        return new NodeSelectorTerm(List.of(), List.of(fields));
    }

    private static final Map<String, String> A100_ZONE_A = Map.of("gpu", "a100", "zone", "a", "gen", "8");
    private static final Map<String, String> T4_ZONE_B = Map.of("gpu", "t4", "zone", "b", "gen", "7");

    // ---- terms ---------------------------------------------------------------------------------------------

    @Test
    void anEmptyTermMatchesNoNode() {
        NodeSelectorTerm empty = new NodeSelectorTerm(List.of(), List.of());
        assertThat(empty.matches("n1", A100_ZONE_A)).isFalse();
        assertThat(empty.matches("n1", Map.of())).isFalse();
    }

    @Test
    void allExpressionsOfATermMustHold() {
        NodeSelectorTerm term = labels(req("gpu", IN, "a100", "h100"), req("zone", NOT_IN, "b"));
        assertThat(term.matches("n1", A100_ZONE_A)).isTrue();
        assertThat(term.matches("n1", Map.of("gpu", "a100", "zone", "b"))).as("second fails").isFalse();
        assertThat(term.matches("n1", Map.of("gpu", "t4", "zone", "a"))).as("first fails").isFalse();
        assertThat(term.matches("n1", Map.of("gpu", "h100"))).as("missing zone is NotIn b").isTrue();
    }

    @Test
    void matchFieldsSeeTheNodeNameAsMetadataName() {
        NodeSelectorTerm onN1 = fields(req("metadata.name", IN, "n1"));
        assertThat(onN1.matches("n1", Map.of())).isTrue();
        assertThat(onN1.matches("n2", Map.of())).isFalse();
        // a label called metadata.name is not the field
        assertThat(onN1.matches("n2", Map.of("metadata.name", "n1"))).isFalse();

        NodeSelectorTerm notN1 = fields(req("metadata.name", NOT_IN, "n1", "n3"));
        assertThat(notN1.matches("n1", Map.of())).isFalse();
        assertThat(notN1.matches("n2", Map.of())).isTrue();
        assertThat(notN1.matches("n3", Map.of())).isFalse();
    }

    @Test
    void matchFieldsDoNotSeeLabels() {
        // "gpu" is a label, not a field: as a field it does not exist
        NodeSelectorTerm term = fields(req("gpu", EXISTS));
        assertThat(term.matches("n1", A100_ZONE_A)).isFalse();
        // and matchExpressions do not see the node name
        assertThat(labels(req("metadata.name", IN, "n1")).matches("n1", Map.of())).isFalse();
    }

    @Test
    void expressionsAndFieldsOfATermAreAnded() {
        NodeSelectorTerm term = new NodeSelectorTerm(List.of(req("gpu", IN, "a100")),
                List.of(req("metadata.name", IN, "n1", "n2")));
        assertThat(term.matches("n1", A100_ZONE_A)).isTrue();
        assertThat(term.matches("n2", A100_ZONE_A)).isTrue();
        assertThat(term.matches("n3", A100_ZONE_A)).as("field fails").isFalse();
        assertThat(term.matches("n1", T4_ZONE_B)).as("label fails").isFalse();
    }

    @Test
    void termsCopyTheirLists() {
        assertThatThrownBy(() -> new NodeSelectorTerm(null, List.of()))
                .isInstanceOf(NullPointerException.class).hasMessage("matchExpressions");
        assertThatThrownBy(() -> new NodeSelectorTerm(List.of(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("matchFields");
        List<NodeSelectorRequirement> list = new java.util.ArrayList<>(List.of(req("gpu", EXISTS)));
        NodeSelectorTerm term = new NodeSelectorTerm(list, List.of());
        list.clear();
        assertThat(term.matches("n", Map.of("gpu", "x"))).isTrue();
    }

    // ---- placement -----------------------------------------------------------------------------------------

    private static NodePlacement placement(Map<String, String> selector, NodeSelectorTerm... terms) {
        return new NodePlacement(selector, List.of(terms), List.of());
    }

    @Test
    void noneSelectsEveryNode() {
        assertThat(NodePlacement.NONE.selects("n1", Map.of())).isTrue();
        assertThat(NodePlacement.NONE.selects("n1", A100_ZONE_A)).isTrue();
        assertThat(NodePlacement.NONE.nodeSelector()).isEmpty();
        assertThat(NodePlacement.NONE.requiredAffinity()).isEmpty();
        assertThat(NodePlacement.NONE.tolerations()).isEmpty();
    }

    @Test
    void theNodeSelectorNeedsEveryLabelToBeEqual() {
        NodePlacement p = placement(Map.of("gpu", "a100", "zone", "a"));
        assertThat(p.selects("n1", A100_ZONE_A)).isTrue();
        assertThat(p.selects("n1", Map.of("gpu", "a100"))).as("zone missing").isFalse();
        assertThat(p.selects("n1", Map.of("gpu", "a100", "zone", "b"))).isFalse();
        assertThat(p.selects("n1", T4_ZONE_B)).isFalse();
        assertThat(placement(Map.of("zone", "")).selects("n1", Map.of())).as("empty value needs the label")
                .isFalse();
        assertThat(placement(Map.of("zone", "")).selects("n1", Map.of("zone", ""))).isTrue();
    }

    @Test
    void affinityTermsAreOred() {
        NodePlacement p = placement(Map.of(), labels(req("gpu", IN, "h100")), labels(req("zone", IN, "b")));
        assertThat(p.selects("n1", T4_ZONE_B)).as("second term").isTrue();
        assertThat(p.selects("n1", Map.of("gpu", "h100"))).as("first term").isTrue();
        assertThat(p.selects("n1", A100_ZONE_A)).as("neither").isFalse();
    }

    @Test
    void anEmptyTermAmongOthersAddsNothing() {
        NodeSelectorTerm empty = new NodeSelectorTerm(List.of(), List.of());
        assertThat(placement(Map.of(), empty).selects("n1", A100_ZONE_A)).as("only an empty term").isFalse();
        NodePlacement p = placement(Map.of(), empty, labels(req("zone", IN, "a")));
        assertThat(p.selects("n1", A100_ZONE_A)).isTrue();
        assertThat(p.selects("n1", T4_ZONE_B)).isFalse();
    }

    @Test
    void selectorAndAffinityMustBothHold() {
        NodePlacement p = placement(Map.of("zone", "a"), labels(req("gen", GT, "7")),
                fields(req("metadata.name", IN, "special")));
        assertThat(p.selects("n1", A100_ZONE_A)).as("selector and first term").isTrue();
        assertThat(p.selects("n1", Map.of("zone", "a", "gen", "7"))).as("selector only").isFalse();
        assertThat(p.selects("special", Map.of("zone", "a"))).as("selector and field term").isTrue();
        assertThat(p.selects("special", Map.of("zone", "b", "gen", "9"))).as("both terms, selector fails")
                .isFalse();
        assertThat(p.selects("n1", T4_ZONE_B)).isFalse();
    }

    @Test
    void placementCopiesItsInputs() {
        Map<String, String> selector = new HashMap<>(Map.of("zone", "a"));
        NodePlacement p = placement(selector);
        selector.put("zone", "b");
        assertThat(p.selects("n1", A100_ZONE_A)).isTrue();
        assertThatThrownBy(() -> p.nodeSelector().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new NodePlacement(null, List.of(), List.of()))
                .isInstanceOf(NullPointerException.class).hasMessage("nodeSelector");
        assertThatThrownBy(() -> new NodePlacement(Map.of(), null, List.of()))
                .isInstanceOf(NullPointerException.class).hasMessage("requiredAffinity");
        assertThatThrownBy(() -> new NodePlacement(Map.of(), List.of(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("tolerations");
    }

    @Test
    void anEqualButNotIdenticalEmptyPlacementBehavesLikeNone() {
        NodePlacement empty = new NodePlacement(Map.of(), List.of(), List.of());
        assertThat(empty).isEqualTo(NodePlacement.NONE);
        assertThat(empty.selects("n1", A100_ZONE_A)).isTrue();
        assertThat(empty.blockedBy(List.of(new Taint("k", "v", Taint.Effect.NO_SCHEDULE)))).isTrue();
    }
}
