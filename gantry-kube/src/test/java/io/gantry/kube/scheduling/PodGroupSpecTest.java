package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.tenancy.GangSpec;
import io.gantry.kube.model.TenancyCatalog;
import io.gantry.kube.model.TenancyCatalog.PodGroupSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodGroupSpecTest {

    private static final Map<String, Object> SPEC = Map.of("minMember", 4, "scheduleTimeoutSeconds", 90);

    @Test
    void topologyAnnotationsBecomeTheGangsTopology() {
        PodGroupSpec required = TenantObjects.podGroupSpec("team-a", "llama", SPEC,
                Map.of(TenancyCatalog.REQUIRED_TOPOLOGY, "nvidia.com/gpu.clique"));
        assertThat(required.topologyKey()).isEqualTo("nvidia.com/gpu.clique");
        assertThat(required.topologyRequired()).isTrue();
        PodGroupSpec preferred = TenantObjects.podGroupSpec("team-a", "llama", SPEC,
                Map.of(TenancyCatalog.PREFERRED_TOPOLOGY, "topology.kubernetes.io/zone"));
        assertThat(preferred.topologyKey()).isEqualTo("topology.kubernetes.io/zone");
        assertThat(preferred.topologyRequired()).isFalse();
        PodGroupSpec none = TenantObjects.podGroupSpec("team-a", "llama", SPEC, Map.of());
        assertThat(none.topologyKey()).isEmpty();
        GangSpec gang = io.gantry.kube.model.TenancyTranslatorAccess.gang(required);
        assertThat(gang.topologyKey()).isEqualTo("nvidia.com/gpu.clique");
        assertThat(gang.topologyRequired()).isTrue();
        assertThat(gang.minMember()).isEqualTo(4);
    }

    @Test
    void bothTopologyAnnotationsAreRefusedSayingWhichToKeep() {
        assertThatThrownBy(() -> TenantObjects.podGroupSpec("team-a", "llama", SPEC, Map.of(
                TenancyCatalog.REQUIRED_TOPOLOGY, "a", TenancyCatalog.PREFERRED_TOPOLOGY, "b")))
                .hasMessageContaining("are both set; keep one");
    }
}
