package io.gantry.agent;

import static java.util.Objects.requireNonNull;

import io.gantry.agent.health.XidPolicy;
import io.gantry.agent.plugin.DeviceListStrategy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * How the agent runs.
 *
 * @param nodeName this node's name (the pods' {@code spec.nodeName})
 * @param pluginDir the kubelet's device plugin directory, where {@code kubelet.sock} lives
 * @param podResourcesSocket the kubelet's PodResources socket; absent: no pod labels on metrics
 * @param metricsAddress where {@code /metrics} is served; null: not served
 * @param strategies how containers are told their GPUs
 * @param cdiKind the CDI {@code vendor/class} of GPU devices, for the CDI strategies
 * @param healthRecovery quiet time after which an Unhealthy GPU becomes Healthy again; zero: never
 * @param healthCheckInterval period of the telemetry health check
 * @param xids which Xids make a GPU Unhealthy
 * @param labelNode whether to write GPU Feature Discovery labels on the Node (needs API access)
 * @param registerRetry wait between failed registration attempts
 */
public record AgentConfig(String nodeName, Path pluginDir, Path podResourcesSocket, InetSocketAddress metricsAddress,
                          Set<DeviceListStrategy> strategies, String cdiKind, Duration healthRecovery,
                          Duration healthCheckInterval, XidPolicy xids, boolean labelNode, Duration registerRetry) {

    public static final Path DEFAULT_PLUGIN_DIR = Path.of("/var/lib/kubelet/device-plugins");
    public static final Path DEFAULT_POD_RESOURCES = Path.of("/var/lib/kubelet/pod-resources/kubelet.sock");

    public AgentConfig {
        requireNonNull(nodeName, "nodeName");
        requireNonNull(pluginDir, "pluginDir");
        requireNonNull(podResourcesSocket, "podResourcesSocket");
        strategies = Set.copyOf(strategies);
        requireNonNull(cdiKind, "cdiKind");
        requireNonNull(healthRecovery, "healthRecovery");
        requireNonNull(healthCheckInterval, "healthCheckInterval");
        requireNonNull(xids, "xids");
        requireNonNull(registerRetry, "registerRetry");
        if (nodeName.isBlank()) {
            throw new IllegalArgumentException("the node name is empty; pass --node-name or set NODE_NAME "
                    + "(in a DaemonSet: env NODE_NAME from fieldRef spec.nodeName)");
        }
    }

    /** Defaults for {@code nodeName}, as the DaemonSet runs it. */
    public static AgentConfig defaults(String nodeName) {
        return new AgentConfig(nodeName, DEFAULT_PLUGIN_DIR, DEFAULT_POD_RESOURCES,
                new InetSocketAddress("0.0.0.0", 9400), Set.of(DeviceListStrategy.ENVVAR), "nvidia.com/gpu",
                Duration.ofMinutes(5), Duration.ofSeconds(10), XidPolicy.defaults(), true, Duration.ofSeconds(5));
    }

    public AgentConfig withPluginDir(Path dir) {
        return new AgentConfig(nodeName, dir, podResourcesSocket, metricsAddress, strategies, cdiKind, healthRecovery,
                healthCheckInterval, xids, labelNode, registerRetry);
    }

    public AgentConfig withPodResourcesSocket(Path socket) {
        return new AgentConfig(nodeName, pluginDir, socket, metricsAddress, strategies, cdiKind, healthRecovery,
                healthCheckInterval, xids, labelNode, registerRetry);
    }

    public AgentConfig withMetricsAddress(InetSocketAddress address) {
        return new AgentConfig(nodeName, pluginDir, podResourcesSocket, address, strategies, cdiKind, healthRecovery,
                healthCheckInterval, xids, labelNode, registerRetry);
    }

    public AgentConfig withStrategies(Set<DeviceListStrategy> s) {
        return new AgentConfig(nodeName, pluginDir, podResourcesSocket, metricsAddress, s, cdiKind, healthRecovery,
                healthCheckInterval, xids, labelNode, registerRetry);
    }

    public AgentConfig withHealth(Duration recovery, Duration checkInterval, XidPolicy policy) {
        return new AgentConfig(nodeName, pluginDir, podResourcesSocket, metricsAddress, strategies, cdiKind, recovery,
                checkInterval, policy, labelNode, registerRetry);
    }

    public AgentConfig withLabelNode(boolean label) {
        return new AgentConfig(nodeName, pluginDir, podResourcesSocket, metricsAddress, strategies, cdiKind,
                healthRecovery, healthCheckInterval, xids, label, registerRetry);
    }

    public AgentConfig withRegisterRetry(Duration retry) {
        return new AgentConfig(nodeName, pluginDir, podResourcesSocket, metricsAddress, strategies, cdiKind,
                healthRecovery, healthCheckInterval, xids, labelNode, retry);
    }

    public AgentConfig withCdiKind(String kind) {
        return new AgentConfig(nodeName, pluginDir, podResourcesSocket, metricsAddress, strategies, kind,
                healthRecovery, healthCheckInterval, xids, labelNode, registerRetry);
    }
}
