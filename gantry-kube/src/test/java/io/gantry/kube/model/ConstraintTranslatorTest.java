package io.gantry.kube.model;

import static io.gantry.kube.model.Translated.invalid;
import static io.gantry.kube.model.Translated.valid;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.gantry.engine.PodRequest;
import io.gantry.engine.placement.LabelSelector;
import io.gantry.engine.placement.NodeSelectorRequirement;
import io.gantry.engine.placement.NodeSelectorRequirement.Operator;
import io.gantry.engine.plugins.InterPodAffinity;
import io.gantry.engine.plugins.NodePorts;
import io.gantry.engine.plugins.PodTopologySpread;
import io.gantry.engine.plugins.VolumeTopology;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pod spec's inter-pod terms, spread constraints, host ports and claims, as the engine plugins' data. */
class ConstraintTranslatorTest {

    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").addToLabels("app", "web")
                .addToLabels("rev", "7").endMetadata().withNewSpec().withSchedulerName("gantry")
                .addToContainers(new ContainerBuilder().withName("main").build()).endSpec();
    }

    @Test
    void aPodWithoutConstraintsCarriesNoAttributes() {
        assertThat(valid(pod().build()).attributes().isEmpty()).isTrue();
    }

    @Test
    void podAffinityTermsWithNamespacesSelectorsAndMatchLabelKeys() {
        Pod p = pod().editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector().addToMatchLabels("app", "web").addNewMatchExpression().withKey("tier")
                .withOperator("NotIn").withValues("db").endMatchExpression().endLabelSelector()
                .withMatchLabelKeys("rev").endRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(30).withNewPodAffinityTerm()
                .withTopologyKey("zone").withNamespaces("other").withNewLabelSelector().endLabelSelector()
                .endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity()
                .withNewPodAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("zone")
                .withNewNamespaceSelector().endNamespaceSelector().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity().endAffinity().endSpec().build();
        InterPodAffinity.Terms t = valid(p).attributes().get(InterPodAffinity.TERMS).orElseThrow();
        assertThat(t.namespace()).isEqualTo("ns");
        InterPodAffinity.Term anti = t.requiredAntiAffinity().get(0);
        assertThat(anti.namespaces()).containsExactly("ns");
        assertThat(anti.selector()).isEqualTo(new LabelSelector(Map.of("app", "web"), List.of(
                new NodeSelectorRequirement("tier", Operator.NOT_IN, List.of("db")),
                new NodeSelectorRequirement("rev", Operator.IN, List.of("7")))));
        InterPodAffinity.WeightedTerm pref = t.preferredAntiAffinity().get(0);
        assertThat(pref.weight()).isEqualTo(30);
        assertThat(pref.term().namespaces()).containsExactly("other");
        assertThat(pref.term().selector()).isEqualTo(LabelSelector.EVERYTHING);
        // No labelSelector selects nothing; an empty namespaceSelector is every namespace.
        InterPodAffinity.Term aff = t.requiredAffinity().get(0);
        assertThat(aff.selector()).isEqualTo(LabelSelector.NOTHING);
        assertThat(aff.allNamespaces()).isTrue();
    }

    @Test
    void aNamespaceSelectorWithLabelsIsRefusedWithTheReason() {
        Pod p = pod().editSpec().withNewAffinity().withNewPodAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("zone")
                .withNewNamespaceSelector().addToMatchLabels("team", "a").endNamespaceSelector()
                .withNewLabelSelector().endLabelSelector().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity().endAffinity().endSpec().build();
        assertThat(invalid(p)).isEqualTo("podAffinity.requiredDuringSchedulingIgnoredDuringExecution (topologyKey "
                + "zone): a namespaceSelector with labels is not supported, since Gantry does not read namespace "
                + "labels; list the namespaces in 'namespaces', or use an empty namespaceSelector ({}) for every "
                + "namespace");
    }

    @Test
    void spreadConstraintsTakeKubesDefaultsAndMergeMatchLabelKeys() {
        Pod p = pod().editSpec().addNewTopologySpreadConstraint().withMaxSkew(2).withTopologyKey("zone")
                .withWhenUnsatisfiable("DoNotSchedule").withNewLabelSelector().addToMatchLabels("app", "web")
                .endLabelSelector().withMatchLabelKeys("rev", "absent").withMinDomains(3).endTopologySpreadConstraint()
                .addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey("kubernetes.io/hostname")
                .withWhenUnsatisfiable("ScheduleAnyway").withNodeAffinityPolicy("Ignore").withNodeTaintsPolicy("Honor")
                .endTopologySpreadConstraint().endSpec().build();
        PodTopologySpread.Constraints c = valid(p).attributes().get(PodTopologySpread.CONSTRAINTS).orElseThrow();
        assertThat(c.namespace()).isEqualTo("ns");
        assertThat(c.constraints()).containsExactly(
                new PodTopologySpread.Constraint(2, "zone", true, new LabelSelector(Map.of("app", "web"), List.of(
                        new NodeSelectorRequirement("rev", Operator.IN, List.of("7")))), 3, true, false),
                new PodTopologySpread.Constraint(1, "kubernetes.io/hostname", false, LabelSelector.NOTHING, 1, false,
                        true));
        Pod bad = pod().editSpec().addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey("zone")
                .withWhenUnsatisfiable("Sometimes").endTopologySpreadConstraint().endSpec().build();
        assertThat(invalid(bad)).isEqualTo("topologySpreadConstraints (topologyKey zone): whenUnsatisfiable is "
                + "'Sometimes'; expected DoNotSchedule or ScheduleAnyway");
    }

    @Test
    void hostPortsOfContainersAndSidecarsWithDefaults() {
        Pod p = pod().editSpec().editFirstContainer().addNewPort().withContainerPort(80).withHostPort(8080).endPort()
                .addNewPort().withContainerPort(53).withHostPort(53).withProtocol("UDP").withHostIP("10.0.0.1")
                .endPort().addNewPort().withContainerPort(9000).endPort().endContainer()
                .addNewInitContainer().withName("sidecar").withRestartPolicy("Always").addNewPort()
                .withContainerPort(1).withHostPort(9100).endPort().endInitContainer()
                .addNewInitContainer().withName("setup").addNewPort().withContainerPort(1).withHostPort(9200)
                .endPort().endInitContainer().endSpec().build();
        assertThat(valid(p).attributes().get(NodePorts.PORTS).orElseThrow().ports()).containsExactly(
                new NodePorts.HostPort("TCP", "0.0.0.0", 8080), new NodePorts.HostPort("UDP", "10.0.0.1", 53),
                new NodePorts.HostPort("TCP", "0.0.0.0", 9100));
    }

    /** A catalog over fixed objects. */
    private record Catalog(Map<String, PersistentVolumeClaim> claims, Map<String, PersistentVolume> volumes,
            Map<String, StorageClass> classes) implements VolumeCatalog {
        @Override
        public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
            return Optional.ofNullable(claims.get(namespace + "/" + name));
        }

        @Override
        public Optional<PersistentVolume> volume(String name) {
            return Optional.ofNullable(volumes.get(name));
        }

        @Override
        public Optional<StorageClass> storageClass(String name) {
            return Optional.ofNullable(classes.get(name));
        }
    }

    @Test
    void boundClaimsBringTheirVolumesNodeAffinityAndZones() {
        PersistentVolume pv = new PersistentVolumeBuilder().withNewMetadata().withName("pv1")
                .addToLabels("topology.kubernetes.io/zone", "a__b").endMetadata().withNewSpec().withNewNodeAffinity()
                .withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression().withKey("disk")
                .withOperator("Exists").endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
                .endSpec().build();
        PersistentVolumeClaim bound = new PersistentVolumeClaimBuilder().withNewMetadata().withName("data")
                .withNamespace("ns").endMetadata().withNewSpec().withVolumeName("pv1").endSpec().build();
        PersistentVolumeClaim unbound = new PersistentVolumeClaimBuilder().withNewMetadata().withName("later")
                .withNamespace("ns").endMetadata().withNewSpec().endSpec().build();
        Catalog catalog = new Catalog(Map.of("ns/data", bound, "ns/later", unbound), Map.of("pv1", pv), Map.of());
        Pod p = pod().editSpec().addNewVolume().withName("v1").withNewPersistentVolumeClaim().withClaimName("data")
                .endPersistentVolumeClaim().endVolume().endSpec().build();
        PodRequest r = ((PodDemand.Valid) PodTranslator.translate(p, catalog)).request();
        VolumeTopology.Volumes v = r.attributes().get(VolumeTopology.VOLUMES).orElseThrow();
        assertThat(v.blockers()).isEmpty();
        assertThat(v.bound()).hasSize(1);
        assertThat(v.bound().get(0).zones()).isEqualTo(Map.of("topology.kubernetes.io/zone", Set.of("a", "b")));
        assertThat(v.bound().get(0).nodeAffinity().get(0).matchExpressions()).containsExactly(
                new NodeSelectorRequirement("disk", Operator.EXISTS, List.of()));
        // Without a catalog (extender mode, bound pods) volumes are someone else's check.
        assertThat(valid(p).attributes().get(VolumeTopology.VOLUMES)).isEmpty();

        Pod waiting = pod().editSpec().addNewVolume().withName("v1").withNewPersistentVolumeClaim()
                .withClaimName("later").endPersistentVolumeClaim().endVolume().addNewVolume().withName("scratch")
                .withNewEphemeral().endEphemeral().endVolume().endSpec().build();
        VolumeTopology.Volumes w = ((PodDemand.Valid) PodTranslator.translate(waiting, catalog)).request()
                .attributes().get(VolumeTopology.VOLUMES).orElseThrow();
        assertThat(w.blockers()).containsExactly("pod has unbound immediate PersistentVolumeClaims",
                "waiting for ephemeral volume controller to create the persistentvolumeclaim \"p-scratch\"");
    }
}
