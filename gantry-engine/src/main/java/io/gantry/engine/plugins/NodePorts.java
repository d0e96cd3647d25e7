package io.gantry.engine.plugins;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Kube-scheduler's NodePorts: a pod's host ports must be free on the node. Two ports conflict when protocol and port
 * are equal and their host IPs are equal or either is {@code 0.0.0.0} (every address). The ports placed pods hold
 * are collected per node and kept until the node's version changes; a pod without host ports skips the filter.
 */
public final class NodePorts implements PreFilterPlugin, FilterPlugin {

    /** Made once: the pre-filter runs for every pod. */
    private static final Status SKIP = Status.skip("NodePorts");

    public static final Reason PORTS_TAKEN = Reason.resolvable("NodePorts",
            "node(s) didn't have free ports for the requested pod ports");

    public static final String ANY_IP = "0.0.0.0";

    /** One host port: protocol (TCP, UDP, SCTP), host IP ({@link #ANY_IP} when unset) and port number. */
    public record HostPort(String protocol, String hostIp, int port) {
        public HostPort {
            requireNonNull(protocol, "protocol");
            requireNonNull(hostIp, "hostIp");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("host port must be 1..65535, got " + port);
            }
        }

        public boolean conflictsWith(HostPort other) {
            return port == other.port && protocol.equals(other.protocol)
                    && (hostIp.equals(other.hostIp) || ANY_IP.equals(hostIp) || ANY_IP.equals(other.hostIp));
        }
    }

    /** The host ports a pod's containers ask. */
    public record HostPorts(List<HostPort> ports) {
        public HostPorts {
            ports = List.copyOf(requireNonNull(ports, "ports"));
        }
    }

    public static final PodAttributes.Key<HostPorts> PORTS = PodAttributes.Key.of("NodePorts.ports", HostPorts.class);

    private static final HostPort[] NONE = new HostPort[0];

    private HostPort[][] used = new HostPort[0][];
    private int[] stamp = new int[0];

    @Override
    public String name() {
        return "NodePorts";
    }

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        HostPorts wanted = cycle.pod().attributes().getOrNull(PORTS);
        return wanted == null || wanted.ports().isEmpty() ? SKIP : Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        HostPorts wanted = cycle.pod().attributes().getOrNull(PORTS);
        if (wanted == null) {
            return null;
        }
        HostPort[] taken = usedOn(state, node);
        for (HostPort w : wanted.ports()) {
            for (HostPort t : taken) {
                if (w.conflictsWith(t)) {
                    return PORTS_TAKEN;
                }
            }
        }
        return null;
    }

    /** The host ports placed pods hold on the node, recollected only when the node changed. */
    HostPort[] usedOn(ClusterState state, int node) {
        if (stamp.length < state.slotCount()) {
            int old = stamp.length;
            stamp = Arrays.copyOf(stamp, state.slotCount());
            Arrays.fill(stamp, old, stamp.length, Integer.MIN_VALUE);
            used = Arrays.copyOf(used, state.slotCount());
        }
        int version = state.version(node);
        if (stamp[node] != version || used[node] == null) {
            List<HostPort> ports = null;
            for (GpuAllocation a : state.allocationsOn(node)) {
                PodRequest placed = state.placedPod(a.podName()).orElseThrow();
                HostPorts p = placed.attributes().getOrNull(PORTS);
                if (p != null && !p.ports().isEmpty()) {
                    if (ports == null) {
                        ports = new ArrayList<>();
                    }
                    ports.addAll(p.ports());
                }
            }
            used[node] = ports == null ? NONE : ports.toArray(NONE);
            stamp[node] = version;
        }
        return used[node];
    }
}
