package io.gantry.engine.placement;

import static io.gantry.engine.placement.Taint.Effect.NO_EXECUTE;
import static io.gantry.engine.placement.Taint.Effect.NO_SCHEDULE;
import static io.gantry.engine.placement.Taint.Effect.PREFER_NO_SCHEDULE;
import static io.gantry.engine.placement.Toleration.Operator.EQUAL;
import static io.gantry.engine.placement.Toleration.Operator.EXISTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.placement.Taint.Effect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Kubernetes' toleration matching (v1.Toleration.ToleratesTaint) and which taint effects filter. */
class TolerationTest {

    private static Effect effect(String apiName) {
        return apiName == null || apiName.isEmpty() ? null : Effect.parse(apiName);
    }

    /**
     * The matching table: a toleration (key, operator, value, effect; empty effect = all) against a taint
     * (key, value, effect).
     */
    @ParameterizedTest(name = "[{0} {1} {2} :{3}] vs {4}={5}:{6} -> {7}")
    @CsvSource(nullValues = "-", value = {
        // Equal: key and value must both equal
        "gpu, EQUAL,  true,  NoSchedule,       gpu,  true,  NoSchedule,       true",
        "gpu, EQUAL,  false, NoSchedule,       gpu,  true,  NoSchedule,       false",
        "gpu, EQUAL,  true,  NoSchedule,       tpu,  true,  NoSchedule,       false",
        "gpu, EQUAL,  '',    NoSchedule,       gpu,  '',    NoSchedule,       true",
        "gpu, EQUAL,  -,     NoSchedule,       gpu,  -,     NoSchedule,       true",  // null value is ""
        "gpu, EQUAL,  '',    NoSchedule,       gpu,  x,     NoSchedule,       false",
        "gpu, EQUAL,  true,  NoSchedule,       GPU,  true,  NoSchedule,       false", // keys are case-sensitive
        // Exists: any value of the key
        "gpu, EXISTS, '',    NoSchedule,       gpu,  true,  NoSchedule,       true",
        "gpu, EXISTS, '',    NoSchedule,       gpu,  '',    NoSchedule,       true",
        "gpu, EXISTS, '',    NoSchedule,       tpu,  true,  NoSchedule,       false",
        // effect: a set effect must equal the taint's; an empty one matches every effect
        "gpu, EQUAL,  true,  NoSchedule,       gpu,  true,  NoExecute,        false",
        "gpu, EQUAL,  true,  NoExecute,        gpu,  true,  NoExecute,        true",
        "gpu, EQUAL,  true,  PreferNoSchedule, gpu,  true,  NoSchedule,       false",
        "gpu, EQUAL,  true,  -,                gpu,  true,  NoSchedule,       true",
        "gpu, EQUAL,  true,  -,                gpu,  true,  NoExecute,        true",
        "gpu, EQUAL,  true,  -,                gpu,  true,  PreferNoSchedule, true",
        "gpu, EQUAL,  false, -,                gpu,  true,  NoSchedule,       false",
        "gpu, EXISTS, '',    -,                gpu,  any,   NoExecute,        true",
        "gpu, EXISTS, '',    NoExecute,        gpu,  any,   NoSchedule,       false",
        // empty key + Exists: every taint, within the effect if one is set
        "'',  EXISTS, '',    -,                gpu,  true,  NoSchedule,       true",
        "'',  EXISTS, '',    -,                x,    '',    NoExecute,        true",
        "'',  EXISTS, '',    -,                y,    z,     PreferNoSchedule, true",
        "-,   EXISTS, -,     -,                gpu,  true,  NoSchedule,       true",  // null key is ""
        "'',  EXISTS, '',    NoSchedule,       gpu,  true,  NoSchedule,       true",
        "'',  EXISTS, '',    NoSchedule,       gpu,  true,  NoExecute,        false",
        "'',  EXISTS, '',    NoExecute,        gpu,  true,  NoSchedule,       false",
    })
    void matchingTable(String tKey, Toleration.Operator op, String tValue, String tEffect, String key, String value,
            String taintEffect, boolean expected) {
        Toleration toleration = new Toleration(tKey, op, tValue, effect(tEffect));
        Taint taint = new Taint(key, value, effect(taintEffect));
        assertThat(toleration.tolerates(taint)).isEqualTo(expected);
    }

    @Test
    void nullKeyAndValueBecomeEmpty() {
        Toleration all = new Toleration(null, EXISTS, null, null);
        assertThat(all.key()).isEmpty();
        assertThat(all.value()).isEmpty();
        assertThat(new Taint("k", null, NO_SCHEDULE).value()).isEmpty();
    }

    @Test
    void anEmptyKeyNeedsExists() {
        assertThatThrownBy(() -> new Toleration("", EQUAL, "", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a toleration with an empty key must use operator Exists");
        assertThatThrownBy(() -> new Toleration(null, EQUAL, "v", NO_SCHEDULE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a toleration with an empty key must use operator Exists");
    }

    @Test
    void existsTakesNoValue() {
        assertThatThrownBy(() -> new Toleration("gpu", EXISTS, "true", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("toleration gpu: operator Exists takes no value, got 'true'");
    }

    @Test
    void operatorAndTaintFieldsAreRequired() {
        assertThatThrownBy(() -> new Toleration("gpu", null, "", null))
                .isInstanceOf(NullPointerException.class).hasMessage("operator");
        assertThatThrownBy(() -> new Taint(null, "v", NO_SCHEDULE))
                .isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> new Taint("k", "v", null))
                .isInstanceOf(NullPointerException.class).hasMessage("effect");
    }

    // ---- taints --------------------------------------------------------------------------------------------

    @Test
    void onlyNoScheduleAndNoExecuteFilter() {
        assertThat(new Taint("k", "v", NO_SCHEDULE).filters()).isTrue();
        assertThat(new Taint("k", "v", NO_EXECUTE).filters()).isTrue();
        assertThat(new Taint("k", "v", PREFER_NO_SCHEDULE).filters()).isFalse();
    }

    @Test
    void effectsParseFromKubernetesSpellingAndPrintAsKubectlDoes() {
        assertThat(Effect.parse("NoSchedule")).isEqualTo(NO_SCHEDULE);
        assertThat(Effect.parse("PreferNoSchedule")).isEqualTo(PREFER_NO_SCHEDULE);
        assertThat(Effect.parse("NoExecute")).isEqualTo(NO_EXECUTE);
        assertThatThrownBy(() -> Effect.parse("NO_SCHEDULE"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown taint effect 'NO_SCHEDULE'; expected NoSchedule, PreferNoSchedule or NoExecute");
        assertThat(new Taint("nvidia.com/gpu", "true", NO_SCHEDULE)).hasToString("nvidia.com/gpu=true:NoSchedule");
        assertThat(new Taint(Taint.UNSCHEDULABLE_KEY, null, NO_SCHEDULE))
                .hasToString("node.kubernetes.io/unschedulable=:NoSchedule");
    }

    // ---- a pod's tolerations against a node's taints -------------------------------------------------------

    private static final Taint GPU_NO_SCHEDULE = new Taint("gpu", "true", NO_SCHEDULE);
    private static final Taint DEDICATED_NO_EXECUTE = new Taint("dedicated", "ml", NO_EXECUTE);
    private static final Taint SPOT_PREFER = new Taint("spot", "", PREFER_NO_SCHEDULE);

    private static NodePlacement tolerating(Toleration... tolerations) {
        return new NodePlacement(Map.of(), List.of(), List.of(tolerations));
    }

    @Test
    void preferNoScheduleNeverBlocks() {
        assertThat(NodePlacement.NONE.blockedBy(List.of(SPOT_PREFER))).isFalse();
        assertThat(NodePlacement.NONE.tolerates(SPOT_PREFER)).as("not tolerated, but not filtering").isFalse();
        assertThat(NodePlacement.NONE.blockedBy(List.of(SPOT_PREFER, SPOT_PREFER))).isFalse();
    }

    @Test
    void everyFilteringTaintMustBeTolerated() {
        List<Taint> taints = List.of(GPU_NO_SCHEDULE, DEDICATED_NO_EXECUTE, SPOT_PREFER);
        assertThat(NodePlacement.NONE.blockedBy(List.of())).isFalse();
        assertThat(NodePlacement.NONE.blockedBy(taints)).isTrue();

        Toleration gpu = new Toleration("gpu", EQUAL, "true", NO_SCHEDULE);
        Toleration dedicated = new Toleration("dedicated", EXISTS, null, null);
        assertThat(tolerating(gpu).blockedBy(taints)).as("NoExecute taint left").isTrue();
        assertThat(tolerating(dedicated).blockedBy(taints)).as("NoSchedule taint left").isTrue();
        assertThat(tolerating(gpu, dedicated).blockedBy(taints)).isFalse();
        assertThat(tolerating(dedicated, gpu).blockedBy(taints)).isFalse();
        assertThat(tolerating(new Toleration(null, EXISTS, null, null)).blockedBy(taints)).isFalse();
        // tolerating every NoSchedule taint leaves the NoExecute one
        assertThat(tolerating(new Toleration(null, EXISTS, null, NO_SCHEDULE)).blockedBy(taints)).isTrue();
    }

    @Test
    void aMatchingKeyWithTheWrongEffectDoesNotHelp() {
        Toleration wrongEffect = new Toleration("gpu", EQUAL, "true", NO_EXECUTE);
        assertThat(tolerating(wrongEffect).tolerates(GPU_NO_SCHEDULE)).isFalse();
        assertThat(tolerating(wrongEffect).blockedBy(List.of(GPU_NO_SCHEDULE))).isTrue();
    }
}
