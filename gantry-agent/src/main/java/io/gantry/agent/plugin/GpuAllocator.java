package io.gantry.agent.plugin;

import static java.util.Objects.requireNonNull;

import io.gantry.agent.allocation.AllocationLedger;
import io.gantry.agent.allocation.AllocationPlanner;
import io.gantry.agent.allocation.ContainerHolds;
import io.gantry.agent.allocation.Handout;
import io.gantry.agent.allocation.PodOnNode;
import io.gantry.agent.allocation.PodSource;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.kubelet.ContainerDevices;
import io.gantry.agent.kubelet.PodResourcesClient;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the kubelet's GetPreferredAllocation and Allocate for both resources: finds the pods waiting on this node,
 * lets the planner decide, records the handout, and builds the container's response. Calls are serialised: the
 * kubelet admits one container at a time, and two concurrent calls must not both match the same container.
 */
public final class GpuAllocator {

    private static final Logger LOG = LoggerFactory.getLogger(GpuAllocator.class);

    private final AllocationPlanner planner;
    private final PodSource pods;
    private final PodResourcesClient podResources;
    private final AllocationLedger ledger;
    private final ContainerEnvironment environment;

    /**
     * @param podResources the kubelet's PodResources API, or null: tells which containers already hold devices
     *     (after an agent restart the ledger is empty)
     */
    public GpuAllocator(AllocationPlanner planner, PodSource pods, PodResourcesClient podResources,
                        AllocationLedger ledger, ContainerEnvironment environment) {
        this.planner = requireNonNull(planner, "planner");
        this.pods = requireNonNull(pods, "pods");
        this.podResources = podResources;
        this.ledger = requireNonNull(ledger, "ledger");
        this.environment = requireNonNull(environment, "environment");
    }

    public synchronized ContainerAllocateResponse allocate(ResourceKind kind, List<String> deviceIds) {
        Handout h = planner.plan(kind, deviceIds, pendingPods(), holds());
        ledger.record(h);
        LOG.info("Allocate {} x{}: {} {} -> {}{}", kind.resourceName(), deviceIds.size(),
                h.ownerKnown() ? "pod " + h.namespace() + "/" + h.pod() + " container " + h.container() : "unknown pod",
                h.fromAnnotation() ? "(scheduler's choice)" : "(kubelet's choice)", h.gpuUuids(),
                h.kind() == ResourceKind.SHARE ? " milli " + h.milli() : "");
        return environment.response(h);
    }

    public synchronized List<String> prefer(ResourceKind kind, List<String> available, List<String> mustInclude,
                                            int size) {
        return planner.prefer(kind, available, mustInclude, size, pendingPods(), holds());
    }

    private List<PodOnNode> pendingPods() {
        try {
            return pods.pendingPods();
        } catch (RuntimeException e) {
            // Failing the call would fail the pod for good; the kubelet's choice is the safer answer.
            LOG.warn("cannot list this node's pods ({}); handing out the kubelet's choice", e.getMessage());
            return List.of();
        }
    }

    /** Containers that hold devices already: the agent's ledger, plus the kubelet's record when reachable. */
    private ContainerHolds holds() {
        Set<String> held = new HashSet<>();
        if (podResources != null) {
            Optional<List<ContainerDevices>> all = podResources.list();
            all.ifPresent(list -> list.forEach(c -> {
                if (!c.deviceIds().isEmpty()) {
                    held.add(c.namespace() + "/" + c.pod() + "/" + c.container() + "/" + c.resource());
                }
            }));
        }
        return (pod, container, kind) -> ledger.holds(pod.uid(), container, kind)
                || held.contains(pod.key() + "/" + container + "/" + kind.resourceName());
    }
}
