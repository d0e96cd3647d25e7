package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.kube.sandbox.KubeSandbox;
import org.junit.jupiter.api.Test;

class UnsupportedConstraintsTest {

    private static PodBuilder pod() {
        return new PodBuilder(KubeSandbox.gpuPod("ns", "p", "gantry", 1, 1000, 100, 100));
    }

    @Test
    void aPlainGpuPodAsksNothingUnsupported() {
        Pod p = pod().build();
        assertThat(UnsupportedConstraints.required(p)).isEmpty();
        assertThat(UnsupportedConstraints.preferred(p)).isEmpty();
    }

    @Test
    void requiredConstraintsAreNamed() {
        Pod p = pod().editSpec()
                .withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("kubernetes.io/hostname").endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().withNewPodAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("zone").endRequiredDuringSchedulingIgnoredDuringExecution().endPodAffinity()
                .endAffinity()
                .addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey("zone")
                .withWhenUnsatisfiable("DoNotSchedule").endTopologySpreadConstraint()
                .editFirstContainer().addNewPort().withContainerPort(80).withHostPort(8080).endPort()
                .editResources().addToLimits("rdma/ib", new Quantity("1")).addToLimits("hugepages-2Mi",
                        new Quantity("1Gi")).endResources().endContainer()
                .addNewResourceClaim().withName("gpu-claim").endResourceClaim()
                .endSpec().build();
        // pod affinity, anti-affinity, spread and host ports have plugins now: only the rest is named
        assertThat(UnsupportedConstraints.required(p)).containsExactly("resource claims (dynamic resource allocation)",
                "resources Gantry does not count (hugepages-2Mi, rdma/ib)");
        assertThat(UnsupportedConstraints.preferred(p)).isEmpty();
    }

    @Test
    void preferencesAreNamedApart() {
        Pod p = pod().editSpec()
                .withNewAffinity().withNewPodAntiAffinity().addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(10).withNewPodAffinityTerm().withTopologyKey("kubernetes.io/hostname").endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity()
                .withNewNodeAffinity().addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(1)
                .withNewPreference().endPreference().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity()
                .addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey("zone")
                .withWhenUnsatisfiable("ScheduleAnyway").endTopologySpreadConstraint()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data")
                .endPersistentVolumeClaim().endVolume()
                .editFirstContainer().editResources().addToRequests("ephemeral-storage", new Quantity("10Gi"))
                .endResources().endContainer()
                .endSpec().build();
        assertThat(UnsupportedConstraints.required(p)).isEmpty();
        assertThat(UnsupportedConstraints.preferred(p)).containsExactly("preferred node affinity",
                "ephemeral-storage requests");
    }
}
