package io.gantry.kube.model;

import static io.gantry.kube.model.Translated.invalid;
import static io.gantry.kube.model.Translated.valid;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.engine.PodRequest;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.placement.NodeSelectorRequirement;
import io.gantry.engine.placement.Taint;
import io.gantry.engine.placement.Toleration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTranslatorTest {

    private static PodBuilder pod(Map<String, String> limits, Map<String, String> requests) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata()
                .withNewSpec().withSchedulerName("gantry").addToContainers(container("main", limits, requests))
                .endSpec();
    }

    private static io.fabric8.kubernetes.api.model.Container container(String name, Map<String, String> limits,
            Map<String, String> requests) {
        return new ContainerBuilder().withName(name).withNewResources()
                .withLimits(quantities(limits)).withRequests(quantities(requests)).endResources().build();
    }

    private static Map<String, Quantity> quantities(Map<String, String> m) {
        var out = new java.util.LinkedHashMap<String, Quantity>();
        m.forEach((k, v) -> out.put(k, new Quantity(v)));
        return out;
    }

    @Test
    void wholeGpusCpuAndMemoryAreRead() {
        PodRequest r = valid(pod(Map.of("nvidia.com/gpu", "2"), Map.of("cpu", "1500m", "memory", "4Gi")).build());
        assertThat(r.name()).isEqualTo("ns/p");
        assertThat(r.gpuCount()).isEqualTo(2);
        assertThat(r.gpuMilliPerGpu()).isEqualTo(1000);
        assertThat(r.cpuMilli()).isEqualTo(1500);
        assertThat(r.memoryMib()).isEqualTo(4096);
        assertThat(r.placement()).isSameAs(NodePlacement.NONE);
    }

    @Test
    void aShareIsOneGpuWithItsMilli() {
        PodRequest r = valid(pod(Map.of("gantry.io/gpu-milli", "250"), Map.of("cpu", "1")).build());
        assertThat(r.gpuCount()).isEqualTo(1);
        assertThat(r.gpuMilliPerGpu()).isEqualTo(250);
        assertThat(r.cpuMilli()).isEqualTo(1000);
    }

    @Test
    void containersAddUpInitContainersTakeTheMaxAndOverheadAdds() {
        Pod p = pod(Map.of("nvidia.com/gpu", "1"), Map.of("cpu", "1", "memory", "1Gi")).editSpec()
                .addToContainers(container("side", Map.of("nvidia.com/gpu", "1"), Map.of("cpu", "500m")))
                .addToInitContainers(container("init", Map.of(), Map.of("cpu", "4", "memory", "512Mi")))
                .withOverhead(quantities(Map.of("cpu", "100m", "memory", "64Mi")))
                .endSpec().build();
        PodRequest r = valid(p);
        assertThat(r.cpuMilli()).isEqualTo(4100);
        assertThat(r.memoryMib()).isEqualTo(1024 + 64);
        assertThat(r.gpuCount()).isEqualTo(2);
    }

    @Test
    void aLargerInitContainerSetsTheGpuCountTheAgentSlicesFrom() {
        Pod p = pod(Map.of("nvidia.com/gpu", "1"), Map.of()).editSpec()
                .addToInitContainers(container("prepare", Map.of("nvidia.com/gpu", "3"), Map.of()))
                .endSpec().build();
        PodRequest r = valid(p);
        assertThat(r.gpuCount()).isEqualTo(3);
        assertThat(r.gpuMilliPerGpu()).isEqualTo(1000);
        Pod shares = pod(Map.of("gantry.io/gpu-milli", "200"), Map.of()).editSpec()
                .addToContainers(container("side", Map.of("gantry.io/gpu-milli", "300"), Map.of()))
                .addToInitContainers(container("load", Map.of("gantry.io/gpu-milli", "400"), Map.of()))
                .endSpec().build();
        assertThat(valid(shares).gpuCount()).isEqualTo(1);
        assertThat(valid(shares).gpuMilliPerGpu()).isEqualTo(500);
    }

    @Test
    void limitsStandInForMissingRequests() {
        PodRequest r = valid(pod(Map.of("cpu", "2", "memory", "1Gi"), Map.of()).build());
        assertThat(r.cpuMilli()).isEqualTo(2000);
        assertThat(r.memoryMib()).isEqualTo(1024);
        assertThat(r.needsGpu()).isFalse();
    }

    @Test
    void modelAnnotationIsAnOrList() {
        Pod p = pod(Map.of("gantry.io/gpu-milli", "500"), Map.of()).editMetadata()
                .addToAnnotations("gantry.io/gpu-model", "V100M16| V100M32").endMetadata().build();
        assertThat(valid(p).allowedGpuModels()).containsExactly("V100M16", "V100M32");
    }

    @Test
    void selectorsAffinityAndTolerationsAreCarried() {
        Pod p = pod(Map.of("nvidia.com/gpu", "1"), Map.of()).editSpec()
                .withNodeSelector(Map.of("zone", "a"))
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("tier").withOperator("In")
                .withValues("gpu", "mixed").endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .addNewToleration().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule")
                .endToleration()
                .endSpec().build();
        NodePlacement placement = valid(p).placement();
        assertThat(placement.nodeSelector()).containsEntry("zone", "a");
        assertThat(placement.requiredAffinity()).singleElement().satisfies(t -> assertThat(t.matchExpressions())
                .containsExactly(new NodeSelectorRequirement("tier", NodeSelectorRequirement.Operator.IN,
                        List.of("gpu", "mixed"))));
        assertThat(placement.tolerations()).containsExactly(new Toleration("nvidia.com/gpu",
                Toleration.Operator.EXISTS, "", Taint.Effect.NO_SCHEDULE));
    }

    @Test
    void aShareAboveOneGpuIsInvalidAndSaysHowToFixIt() {
        assertThat(invalid(pod(Map.of("gantry.io/gpu-milli", "1500"), Map.of()).build()))
                .contains("gantry.io/gpu-milli is 1500").contains("1..1000").contains("nvidia.com/gpu");
    }

    @Test
    void aShareTogetherWithWholeGpusIsInvalid() {
        assertThat(invalid(pod(Map.of("gantry.io/gpu-milli", "500", "nvidia.com/gpu", "2"), Map.of()).build()))
                .contains("gantry.io/gpu-milli: 500").contains("nvidia.com/gpu: 2").contains("not both");
    }

    @Test
    void anUnparsableModelAnnotationIsInvalid() {
        Pod p = pod(Map.of("nvidia.com/gpu", "1"), Map.of()).editMetadata()
                .addToAnnotations("gantry.io/gpu-model", "V100M16||").endMetadata().build();
        assertThat(invalid(p)).contains("gantry.io/gpu-model='V100M16||'").contains("cannot be parsed");
    }

    @Test
    void fractionalWholeGpusAreInvalid() {
        assertThat(invalid(pod(Map.of("nvidia.com/gpu", "500m"), Map.of()).build()))
                .contains("nvidia.com/gpu").contains("whole non-negative number");
    }

    @Test
    void anUnknownAffinityOperatorIsInvalid() {
        Pod p = pod(Map.of("nvidia.com/gpu", "1"), Map.of()).editSpec()
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("tier").withOperator("Near")
                .endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();
        assertThat(invalid(p)).contains("unknown node selector operator 'Near'");
    }

    @Test
    void aModelConstraintWithoutAGpuIsInvalid() {
        Pod p = pod(Map.of(), Map.of("cpu", "1")).editMetadata()
                .addToAnnotations("gantry.io/gpu-model", "T4").endMetadata().build();
        assertThat(invalid(p)).contains("asks no GPU");
    }
}
