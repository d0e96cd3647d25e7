package io.gantry.engine.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueObjectsTest {

    private static Map<String, Object> queue(String name, Map<String, Object> spec) {
        return Map.of("apiVersion", QueueObjects.API_VERSION, "kind", QueueObjects.KIND, "metadata",
                Map.of("name", name), "spec", spec);
    }

    @Test
    void readsAQueueAsTheCrdWritesIt() {
        QueueSpec q = QueueObjects.parse(queue("team-a", Map.of("parent", "research", "weight", 2,
                "quota", List.of(Map.of("resource", "gpu", "guaranteed", 8, "borrowingLimit", "2500m",
                        "lendingLimit", "4"), Map.of("resource", "gpu", "model", "H100", "guaranteed", "2"),
                        Map.of("resource", "memory", "guaranteed", "64Gi"), Map.of("resource", "cpu", "guaranteed",
                                "500m")),
                "preemption", Map.of("reclaim", "LowerPriority", "withinQueue", "Never"))), "queues.yaml");
        assertThat(q.name()).isEqualTo("team-a");
        assertThat(q.parent()).isEqualTo("research");
        assertThat(q.weight()).isEqualTo(2);
        assertThat(q.quotaOf(QuotaResource.GPU).orElseThrow()).isEqualTo(new QuotaLimit(QuotaResource.GPU, 8000,
                2500, 4000));
        assertThat(q.quotaOf(QuotaResource.gpuModel("H100")).orElseThrow().guaranteed()).isEqualTo(2000);
        assertThat(q.quotaOf(QuotaResource.MEMORY).orElseThrow().guaranteed()).isEqualTo(65536);
        assertThat(q.quotaOf(QuotaResource.CPU).orElseThrow().guaranteed()).isEqualTo(500);
        assertThat(q.reclaim()).isEqualTo(ReclaimPolicy.LOWER_PRIORITY);
        assertThat(q.withinQueue()).isEqualTo(WithinQueuePolicy.NEVER);
    }

    @Test
    void defaultsAreWeightOneNoQuotaAndKueuesPreemption() {
        QueueSpec q = QueueObjects.parse(queue("plain", Map.of()), "here");
        assertThat(q).isEqualTo(QueueSpec.unlimited("plain"));
    }

    @Test
    void badObjectsAreRejectedWithWhereAndHowToFix() {
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("wieght", 2)), "q.yaml, document 1"))
                .isInstanceOf(QueueObjects.InvalidQueueException.class)
                .hasMessageContaining("q.yaml, document 1, queue a: spec").hasMessageContaining("wieght");
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("weight", 0)), "q.yaml"))
                .hasMessageContaining("spec.weight must be at least 1");
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("quota", List.of(Map.of("resource", "tpu",
                "guaranteed", 1)))), "q.yaml")).hasMessageContaining("spec.quota[0].resource");
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("quota", List.of(Map.of("resource", "gpu")))),
                "q.yaml")).hasMessageContaining("guaranteed is missing");
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("quota", List.of(Map.of("resource", "gpu",
                "guaranteed", "2", "lendingLimit", "3")))), "q.yaml"))
                .hasMessageContaining("a queue lends only what it is guaranteed");
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("quota", List.of(Map.of("resource", "gpu",
                "guaranteed", "eight")))), "q.yaml")).hasMessageContaining("'eight' is not a quantity");
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("quota", List.of(Map.of("resource", "gpu",
                "guaranteed", "0.0005")))), "q.yaml")).hasMessageContaining("finer than a thousandth");
        assertThatThrownBy(() -> QueueObjects.parse(queue("a", Map.of("preemption", Map.of("reclaim", "Always"))),
                "q.yaml")).hasMessageContaining("spec.preemption.reclaim");
        assertThatThrownBy(() -> QueueObjects.parse(Map.of("apiVersion", "v1", "kind", "Queue"), "q.yaml"))
                .hasMessageContaining("expected apiVersion " + QueueObjects.API_VERSION);
    }
}
