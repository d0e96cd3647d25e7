package io.gantry.kube.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.engine.PodRequest;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.TenancyKeys;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A pod's queue, gang and preemption policy from its labels, its namespace and its PodGroup. */
class TenancyTranslatorTest {

    /** A catalog of plain maps: namespace → queue, queues that exist, PodGroups. */
    private static final class Catalog implements TenancyCatalog {
        final Map<String, String> namespaces = new HashMap<>();
        final java.util.Set<String> queues = new java.util.HashSet<>(java.util.Set.of("default"));
        final Map<String, PodGroupSpec> groups = new HashMap<>();

        @Override
        public Optional<String> namespaceQueue(String namespace) {
            return Optional.ofNullable(namespaces.get(namespace));
        }

        @Override
        public Optional<String> queueProblem(String name) {
            return queues.contains(name) ? Optional.empty() : Optional.of("does not exist");
        }

        @Override
        public Optional<PodGroupSpec> podGroup(String namespace, String name) {
            return Optional.ofNullable(groups.get(namespace + "/" + name));
        }

        @Override
        public Optional<String> podGroupProblem(String namespace, String name) {
            return Optional.empty();
        }
    }

    private final Catalog catalog = new Catalog();

    private static Pod pod(Map<String, String> labels, String preemptionPolicy) {
        return new PodBuilder().withNewMetadata().withNamespace("team-a").withName("p").withLabels(labels)
                .endMetadata().withNewSpec().withSchedulerName("gantry").withPriority(100)
                .withPreemptionPolicy(preemptionPolicy).addNewContainer().withName("main").withNewResources()
                .withRequests(Map.of("cpu", new Quantity("16"), "memory", new Quantity("64Gi")))
                .withLimits(Map.of("nvidia.com/gpu", new Quantity("8"))).endResources().endContainer().endSpec()
                .build();
    }

    private PodDemand translate(Map<String, String> labels, String preemptionPolicy) {
        return PodTranslator.translate(pod(labels, preemptionPolicy), null, catalog);
    }

    private PodRequest valid(Map<String, String> labels) {
        PodDemand d = translate(labels, null);
        assertThat(d).isInstanceOf(PodDemand.Valid.class);
        return ((PodDemand.Valid) d).request();
    }

    private String held(Map<String, String> labels) {
        PodDemand d = translate(labels, null);
        assertThat(d).isInstanceOf(PodDemand.Invalid.class);
        return ((PodDemand.Invalid) d).message();
    }

    @Test
    void theQueueComesFromThePodsLabelElseItsNamespaceElseDefault() {
        catalog.queues.addAll(java.util.List.of("team-a", "team-b"));
        assertThat(TenancyKeys.queueOf(valid(Map.of()))).isEqualTo("default");
        catalog.namespaces.put("team-a", "team-a");
        assertThat(TenancyKeys.queueOf(valid(Map.of()))).isEqualTo("team-a");
        assertThat(TenancyKeys.queueOf(valid(Map.of("gantry.io/queue", "team-b")))).isEqualTo("team-b");
        assertThat(held(Map.of("gantry.io/queue", "nope"))).isEqualTo("waiting for its queue or pod group: queue nope"
                + " (from the pod's label gantry.io/queue) does not exist");
        catalog.namespaces.put("team-a", "gone");
        assertThat(held(Map.of())).contains("queue gone (from namespace team-a's label gantry.io/queue)");
    }

    @Test
    void theGangIsThePodGroupOfTheLabelAndAMissingOneHoldsThePod() {
        Map<String, String> labels = Map.of("scheduling.x-k8s.io/pod-group", "llama");
        assertThat(held(labels)).contains("PodGroup team-a/llama (label scheduling.x-k8s.io/pod-group) does not exist"
                + " yet");
        catalog.groups.put("team-a/llama", new TenancyCatalog.PodGroupSpec("team-a", "llama", 4, 90,
                Map.of("nvidia.com/gpu", "32", "cpu", "64", "memory", "256Gi")));
        assertThat(TenancyKeys.gangOf(valid(labels))).isEqualTo(new GangSpec("team-a/llama", 4, 90));
        assertThat(valid(labels).priority()).isEqualTo(100);
    }

    @Test
    void minResourcesBeyondWhatMinMemberMembersRequestHoldsThePod() {
        catalog.groups.put("team-a/big", new TenancyCatalog.PodGroupSpec("team-a", "big", 4, 60,
                Map.of("nvidia.com/gpu", "40")));
        assertThat(held(Map.of("scheduling.x-k8s.io/pod-group", "big"))).contains("PodGroup team-a/big asks"
                + " minResources nvidia.com/gpu=40, but its minMember 4 members of this pod's shape request 32");
    }

    @Test
    void preemptionPolicyNeverIsCarried() {
        PodDemand d = translate(Map.of(), "Never");
        assertThat(TenancyKeys.mayPreempt(((PodDemand.Valid) d).request())).isFalse();
        assertThat(TenancyKeys.mayPreempt(valid(Map.of()))).isTrue();
    }
}
