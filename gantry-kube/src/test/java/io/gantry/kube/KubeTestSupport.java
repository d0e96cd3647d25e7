package io.gantry.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.sandbox.KubeSandbox;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/** Shared set-up for tests against the in-process API server. */
final class KubeTestSupport {

    static final String NS = "team-a";
    /**
     * What preemption (on by default, as in kube-scheduler) adds to FailedScheduling when no pod may make room: the
     * test pods are all of priority 0 in the default queue.
     */
    static final String NO_VICTIMS = " preemption: no pod it may evict (none of lower priority in queue default, and"
            + " no borrowing queue it may reclaim from)";

    private KubeTestSupport() {
    }

    /** Fast backoff, any free port, no leader election unless a test asks for it. */
    static SchedulerConfig config() {
        return SchedulerConfig.parse("""
                server: {port: 0}
                leaderElection: {enabled: false}
                backoff: {initial: 100ms, max: 1s}
                binding: {workers: 4}
                """, "test config");
    }

    static GantryScheduler start(KubernetesClient client, SchedulerConfig config) {
        return GantryScheduler.start(client, config,
                new GantryScheduler.Options(false, "test-instance", "default", () -> { }));
    }

    /**
     * Starts a scheduler right after another one stopped. The mock API server blocks its event loop while it closes
     * the stopped instance's watches (its WatchEventsListener.onClosed waits on an executor), so the first list of
     * the new instance can time out on a loaded machine; a real API server has no such stall. Tries three times.
     */
    static GantryScheduler restart(KubernetesClient client, SchedulerConfig config) {
        for (int attempt = 1; ; attempt++) {
            try {
                return start(client, config);
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Waits for an observable condition (polled every 20 ms); fails naming it when it is not met in time. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .dontCatchUncaughtExceptions().until(condition::getAsBoolean);
    }

    /** The {@code status} field of {@code /api/explain} for a pod of {@link #NS}. */
    static String explainStatus(GantryScheduler scheduler, String pod) {
        try {
            return new tools.jackson.databind.ObjectMapper().readTree(Http.get(scheduler.httpPort(), "/api/explain/"
                    + NS + "/" + pod).body()).path("status").asString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Pod get(KubernetesClient client, String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    static String nodeOf(KubernetesClient client, String name) {
        Pod p = get(client, name);
        return p == null ? null : p.getSpec().getNodeName();
    }

    static Pod awaitBound(KubernetesClient client, String name) {
        await("pod " + name + " bound", Duration.ofSeconds(20), () -> nodeOf(client, name) != null);
        return get(client, name);
    }

    static List<Event> events(KubernetesClient client, String pod) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName())).collect(Collectors.toList());
    }

    static void create(KubeSandbox sandbox, Pod pod) {
        sandbox.client().pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    static void assertAnnotated(Pod pod, String ids, String milli) {
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-ids", ids)
                .containsEntry("gantry.io/gpu-milli", milli);
    }
}
