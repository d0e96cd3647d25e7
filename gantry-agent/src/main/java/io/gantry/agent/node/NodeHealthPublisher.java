package io.gantry.agent.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gantry.agent.health.HealthTracker;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.UnhealthyGpusCodec;
import io.gantry.gpu.GpuDevice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the scheduler which GPUs are Unhealthy: the node annotation {@code gantry.io/gpu-unhealthy} (indices,
 * comma-separated, empty when none; written by {@link UnhealthyGpusCodec}, which the scheduler reads it with). An
 * Unhealthy GPU leaves the node's allocatable count but keeps its index, so without this the scheduler would number
 * the remaining GPUs differently from the agent. Written at start and after every change, from one thread, the
 * latest state only; a failed write is retried.
 */
public final class NodeHealthPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeHealthPublisher.class);
    static final Duration RETRY = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final String nodeName;
    private final List<GpuDevice> gpus;
    private final HealthTracker health;
    private final Duration retry;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile String published;

    private NodeHealthPublisher(KubernetesClient client, String nodeName, List<GpuDevice> gpus, HealthTracker health,
                                Duration retry) {
        this.client = client;
        this.nodeName = nodeName;
        this.gpus = List.copyOf(gpus);
        this.health = health;
        this.retry = retry;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-node-health");
            t.setDaemon(true);
            return t;
        });
    }

    public static NodeHealthPublisher start(KubernetesClient client, String nodeName, List<GpuDevice> gpus,
                                            HealthTracker health) {
        return start(client, nodeName, gpus, health, RETRY);
    }

    static NodeHealthPublisher start(KubernetesClient client, String nodeName, List<GpuDevice> gpus,
                                     HealthTracker health, Duration retry) {
        NodeHealthPublisher p = new NodeHealthPublisher(requireNonNull(client, "client"),
                requireNonNull(nodeName, "nodeName"), gpus, requireNonNull(health, "health"), retry);
        health.addListener(all -> p.request());
        p.request();
        return p;
    }

    /** The value last written, or null before the first write succeeded. */
    public String published() {
        return published;
    }

    private void request() {
        if (pending.compareAndSet(false, true)) {
            executor.execute(this::publish);
        }
    }

    private void publish() {
        pending.set(false);
        String value = UnhealthyGpusCodec.encode(gpus.stream().filter(g -> !health.isHealthy(g.uuid()))
                .map(GpuDevice::index).collect(Collectors.toSet()));
        if (value.equals(published)) {
            return;
        }
        String patch = Serialization.asJson(Map.of("metadata",
                Map.of("annotations", Map.of(GpuAnnotations.GPU_UNHEALTHY, value))));
        try {
            if (client.nodes().withName(nodeName).patch(PatchContext.of(PatchType.JSON_MERGE), patch) == null) {
                throw new KubernetesClientException("node " + nodeName + " not found (is --node-name right?)", 404,
                        null);
            }
            published = value;
            LOG.info("node {}: {}='{}'", nodeName, GpuAnnotations.GPU_UNHEALTHY, value);
        } catch (KubernetesClientException e) {
            LOG.warn("cannot annotate node {} with its Unhealthy GPUs ({}); retrying in {} s", nodeName,
                    e.getCode() == 403 ? "no permission: the agent's ClusterRole needs nodes get/patch" : e.getMessage(),
                    retry.toSeconds());
            executor.schedule(this::request, retry.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
