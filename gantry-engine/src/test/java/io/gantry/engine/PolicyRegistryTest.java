package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.Policy.PluginWeight;
import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.plugins.FgdGpuSelector;
import io.gantry.engine.plugins.FgdScore;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PolicyRegistryTest {

    /** Every policy users can choose, for parameterized tests across the project. */
    static Stream<Policy> standardPolicies() {
        return PolicyRegistry.STANDARD.policies().stream();
    }

    private static final TargetWorkload TARGET = TargetWorkload.fromPods(List.of(PodRequest.of("t", 1000, 0, 1, 500)));

    @Test
    void theStandardRegistryListsTheSixPoliciesInThePapersOrder() {
        assertThat(PolicyRegistry.STANDARD.names())
                .containsExactly("random", "dotprod", "gpuclustering", "gpupacking", "bestfit", "fgd");
        assertThat(Policy.values()).containsExactly(Policy.RANDOM, Policy.DOTPROD, Policy.GPUCLUSTERING,
                Policy.GPUPACKING, Policy.BESTFIT, Policy.FGD);
        assertThat(PolicyRegistry.STANDARD.policies()).extracting(Policy::paperName).containsExactly("01-Random",
                "02-DotProd", "03-GpuClustering", "04-GpuPacking", "05-BestFit", "06-FGD");
    }

    @Test
    void parseAcceptsNamesAndPaperNamesAndListsTheKnownOnes() {
        assertThat(Policy.parse(" FGD ")).isSameAs(Policy.FGD);
        assertThat(Policy.parse("05-bestfit")).isSameAs(Policy.BESTFIT);
        assertThatThrownBy(() -> Policy.parse("tetris")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown policy 'tetris'; choose one of random, dotprod, gpuclustering, gpupacking, "
                        + "bestfit, fgd");
    }

    @Test
    void aProfileHasTheStandardFiltersAndThePolicysWeightedScoresAndGpuChoice() {
        SchedulingProfile p = Policy.FGD.profile(ScoringMode.PAPER, TARGET, new SplittableRandom(1));
        assertThat(p.name()).isEqualTo("06-FGD");
        assertThat(p.filters()).extracting(f -> f.name()).containsExactly("NodePlacement", "GpuModel", "NodePorts",
                "ResourceFit", "VolumeTopology", "PodTopologySpread", "InterPodAffinity");
        // The filters that need a per-cycle state (or skip pods they do not apply to) run at pre-filter too.
        assertThat(p.preFilters()).extracting(f -> f.name()).containsExactly("NodePlacement", "GpuModel", "NodePorts",
                "VolumeTopology",
                "PodTopologySpread", "InterPodAffinity");
        // The policy's own score, then the standard ones at kube-scheduler's weights.
        assertThat(p.scores()).extracting(s -> s.plugin().name(), SchedulingProfile.WeightedScore::weight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("FGD", 1),
                        org.assertj.core.groups.Tuple.tuple("PodTopologySpread", 2),
                        org.assertj.core.groups.Tuple.tuple("InterPodAffinity", 2));
        assertThat(p.scores().get(0).plugin()).isInstanceOf(FgdScore.class);
        assertThat(p.gpuSelector()).isInstanceOf(FgdGpuSelector.class);
        assertThat(p.queueSort().name()).isEqualTo("PrioritySort");
    }

    @Test
    void aNewPolicyIsOneEntryNamingRegisteredPlugins() {
        Policy mixed = new Policy("mixed", "07-Mixed", "FGD with a pull towards packing",
                List.of(new PluginWeight("FGD", 3), new PluginWeight("GpuPacking", 1)), "fgd");
        PolicyRegistry registry = new PolicyRegistry(List.of(Policy.FGD, mixed));
        assertThat(registry.parse("mixed")).isSameAs(mixed);
        SchedulingProfile p = mixed.profile(ScoringMode.EXACT, TARGET, new SplittableRandom(1));
        assertThat(p.scores()).extracting(SchedulingProfile.WeightedScore::weight).containsExactly(3, 1, 2, 2);

        assertThatThrownBy(() -> new PolicyRegistry(List.of(new Policy("bad", "x", "", List.of(
                new PluginWeight("NoSuchScore", 1)), "fgd"))))
                .hasMessage("policy bad names unknown score plugin NoSuchScore");
        assertThatThrownBy(() -> new PolicyRegistry(List.of(Policy.FGD, Policy.FGD)))
                .hasMessage("policy fgd registered twice");
    }
}
