package io.gantry.agent.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.agent.allocation.PodOnNode;
import io.gantry.agent.allocation.PodSource;
import io.gantry.contract.ContainerGpuRequest;
import io.gantry.contract.GpuAnnotations;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pods bound to this node that the kubelet has not admitted yet, read from the API server at each call (one list
 * with a field selector; a cache could miss a pod bound a moment before the kubelet admits it). A pod with any
 * container status has been admitted, and all its containers got their devices then: it is no candidate, even after
 * an agent restart and even for init containers, which the kubelet's PodResources API does not list.
 */
public final class ApiPodSource implements PodSource {

    private final KubernetesClient client;
    private final String nodeName;

    public ApiPodSource(KubernetesClient client, String nodeName) {
        this.client = requireNonNull(client, "client");
        this.nodeName = requireNonNull(nodeName, "nodeName");
    }

    @Override
    public List<PodOnNode> pendingPods() {
        List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list().getItems();
        List<PodOnNode> result = new ArrayList<>();
        for (Pod p : pods) {
            // The field selector is applied again here: cheap, and some API servers (and mocks) ignore it.
            if (p.getSpec() == null || !nodeName.equals(p.getSpec().getNodeName()) || p.getStatus() == null
                    || !"Pending".equals(p.getStatus().getPhase()) || p.getMetadata().getDeletionTimestamp() != null
                    || admitted(p)) {
                continue;
            }
            result.add(toPodOnNode(p));
        }
        return result;
    }

    private static boolean admitted(Pod p) {
        return !nullToEmpty(p.getStatus().getContainerStatuses()).isEmpty()
                || !nullToEmpty(p.getStatus().getInitContainerStatuses()).isEmpty();
    }

    static PodOnNode toPodOnNode(Pod p) {
        List<ContainerGpuRequest> asks = new ArrayList<>();
        for (Container c : nullToEmpty(p.getSpec().getInitContainers())) {
            asks.add(ask(c, true));
        }
        for (Container c : nullToEmpty(p.getSpec().getContainers())) {
            asks.add(ask(c, false));
        }
        Map<String, String> annotations = p.getMetadata().getAnnotations() == null ? Map.of()
                : p.getMetadata().getAnnotations();
        return new PodOnNode(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getUid() == null ? "" : p.getMetadata().getUid(), created(p), annotations, asks);
    }

    private static Instant created(Pod p) {
        String ts = p.getMetadata().getCreationTimestamp();
        try {
            return ts == null ? Instant.EPOCH : Instant.parse(ts);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static ContainerGpuRequest ask(Container c, boolean init) {
        return new ContainerGpuRequest(c.getName(), init, amount(c, GpuAnnotations.GPU_RESOURCE),
                amount(c, GpuAnnotations.GPU_MILLI_RESOURCE));
    }

    /** Extended resources must have limits (requests equal them when given); either is read. */
    private static long amount(Container c, String resource) {
        if (c.getResources() == null) {
            return 0;
        }
        Quantity q = c.getResources().getLimits() == null ? null : c.getResources().getLimits().get(resource);
        if (q == null && c.getResources().getRequests() != null) {
            q = c.getResources().getRequests().get(resource);
        }
        if (q == null) {
            return 0;
        }
        try {
            // The API server refuses negative resource quantities; one could only come from a broken mock.
            return Math.max(0, q.getNumericalAmount().longValueExact());
        } catch (ArithmeticException | IllegalArgumentException e) {
            return 0;
        }
    }

    private static <T> List<T> nullToEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
