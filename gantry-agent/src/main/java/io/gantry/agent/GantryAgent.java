package io.gantry.agent;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.agent.allocation.AllocationLedger;
import io.gantry.agent.allocation.AllocationPlanner;
import io.gantry.agent.allocation.PodSource;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.health.HealthMonitor;
import io.gantry.agent.health.HealthTracker;
import io.gantry.agent.k8s.ApiPodSource;
import io.gantry.agent.kubelet.PodResourcesClient;
import io.gantry.agent.metrics.AgentHttpServer;
import io.gantry.agent.metrics.GpuMetricsCollector;
import io.gantry.agent.node.NodeHealthPublisher;
import io.gantry.agent.node.NodeLabeler;
import io.gantry.agent.node.NodeLabels;
import io.gantry.agent.plugin.ContainerEnvironment;
import io.gantry.agent.plugin.GpuAllocator;
import io.gantry.agent.plugin.GpuDevicePlugin;
import io.gantry.agent.plugin.PluginSupervisor;
import io.gantry.gpu.GpuBackend;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuInventory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent, wired: GPU discovery → health tracking → two device plugins (whole GPUs and shares) served and
 * registered with the kubelet → allocation by the scheduler's annotations → metrics, node labels and the node's
 * Unhealthy GPUs for the scheduler. Closing it
 * stops everything and removes the plugin sockets; the backend stays the caller's to close.
 */
public final class GantryAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GantryAgent.class);

    private final GpuInventory inventory;
    private final HealthTracker health;
    private final HealthMonitor monitor;
    private final PluginSupervisor supervisor;
    private final AgentHttpServer http;
    private final AllocationLedger ledger;
    private final NodeHealthPublisher healthPublisher;

    private GantryAgent(GpuInventory inventory, HealthTracker health, HealthMonitor monitor,
                        PluginSupervisor supervisor, AgentHttpServer http, AllocationLedger ledger,
                        NodeHealthPublisher healthPublisher) {
        this.healthPublisher = healthPublisher;
        this.inventory = inventory;
        this.health = health;
        this.monitor = monitor;
        this.supervisor = supervisor;
        this.http = http;
        this.ledger = ledger;
    }

    /**
     * Starts the agent.
     *
     * @param client the API server, or null to run without API access (pods then get the kubelet's choice of GPUs)
     */
    public static GantryAgent start(AgentConfig config, GpuBackend backend, KubernetesClient client, Clock clock)
            throws IOException {
        requireNonNull(config, "config");
        requireNonNull(backend, "backend");
        GpuInventory inventory = backend.inventory();
        List<String> uuids = inventory.devices().stream().map(GpuDevice::uuid).toList();
        LOG.info("node {}: {} GPU(s) found by {}: {}", config.nodeName(), uuids.size(), backend.name(),
                inventory.devices().stream().map(d -> d.index() + "=" + d.name() + " " + d.uuid()).toList());
        HealthTracker health = new HealthTracker(uuids, config.healthRecovery(), clock);
        HealthMonitor monitor = null;
        PluginSupervisor supervisor = null;
        AgentHttpServer http = null;
        NodeHealthPublisher healthPublisher = null;
        try {
            monitor = HealthMonitor.start(backend, health, config.xids(), config.healthCheckInterval());
            AllocationLedger ledger = new AllocationLedger();
            PodResourcesClient podResources = new PodResourcesClient(config.podResourcesSocket());
            PodSource pods = client == null ? PodSource.NONE : new ApiPodSource(client, config.nodeName());
            if (client == null) {
                LOG.warn("no API access: containers get the GPUs the kubelet picks, not the scheduler's annotations");
            }
            AllocationPlanner planner = new AllocationPlanner(config.nodeName(), inventory.devices(),
                    inventory.links(), health::isHealthy);
            ContainerEnvironment env = new ContainerEnvironment(config.strategies(), config.cdiKind(),
                    uuid -> inventory.byUuid(uuid).orElseThrow());
            GpuAllocator allocator = new GpuAllocator(planner, pods, podResources, ledger, env);
            List<GpuDevicePlugin> plugins = new ArrayList<>();
            for (ResourceKind kind : ResourceKind.values()) {
                plugins.add(new GpuDevicePlugin(kind, inventory.devices(), health, allocator));
            }
            supervisor = PluginSupervisor.start(config.pluginDir(), plugins, config.registerRetry());
            if (config.metricsAddress() != null) {
                PrometheusRegistry registry = new PrometheusRegistry();
                HealthMonitor m = monitor;
                registry.register(new GpuMetricsCollector(backend, config.nodeName(), health, podResources, ledger,
                        m::lastXids));
                http = AgentHttpServer.start(config.metricsAddress(), registry, supervisor::registered);
                LOG.info("metrics on http://{}:{}/metrics", http.address().getHostString(), http.address().getPort());
            }
            if (client != null && config.labelNode()) {
                NodeLabeler.apply(client, config.nodeName(), NodeLabels.of(inventory));
            }
            if (client != null) {
                healthPublisher = NodeHealthPublisher.start(client, config.nodeName(), inventory.devices(), health);
            }
            return new GantryAgent(inventory, health, monitor, supervisor, http, ledger, healthPublisher);
        } catch (IOException | RuntimeException e) {
            if (healthPublisher != null) {
                healthPublisher.close();
            }
            if (http != null) {
                http.close();
            }
            if (supervisor != null) {
                supervisor.close();
            }
            if (monitor != null) {
                monitor.close();
            }
            throw e;
        }
    }

    public GpuInventory inventory() {
        return inventory;
    }

    public HealthTracker health() {
        return health;
    }

    public HealthMonitor monitor() {
        return monitor;
    }

    public AllocationLedger ledger() {
        return ledger;
    }

    public boolean registered() {
        return supervisor.registered();
    }

    public int registrations() {
        return supervisor.registrations();
    }

    /** Registration rounds that failed and were retried, e.g. while the kubelet was not there yet. */
    public int failedRegistrations() {
        return supervisor.failedAttempts();
    }

    /** Where metrics are served, or null. */
    public InetSocketAddress metricsAddress() {
        return http == null ? null : http.address();
    }

    @Override
    public void close() {
        if (healthPublisher != null) {
            healthPublisher.close();
        }
        if (http != null) {
            http.close();
        }
        supervisor.close();
        monitor.close();
        LOG.info("agent stopped; device plugin sockets removed");
    }
}
