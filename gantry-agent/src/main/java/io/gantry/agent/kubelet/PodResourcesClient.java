package io.gantry.agent.kubelet;

import io.gantry.agent.proto.podresources.ContainerResources;
import io.gantry.agent.proto.podresources.ListPodResourcesRequest;
import io.gantry.agent.proto.podresources.PodResources;
import io.gantry.agent.proto.podresources.PodResourcesListerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads which devices the kubelet gave which container, from its PodResources API ({@code /v1.PodResourcesLister/List}
 * on {@code /var/lib/kubelet/pod-resources/kubelet.sock}). A new channel per call: the socket's inode changes when
 * the kubelet restarts, and the calls are rare (one per scrape or Allocate).
 */
public final class PodResourcesClient {

    private static final Logger LOG = LoggerFactory.getLogger(PodResourcesClient.class);
    private static final long TIMEOUT_SECONDS = 5;
    /** The limit kubelet clients conventionally use; a large node's answer exceeds gRPC's default 4 MiB. */
    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final Path socket;
    private volatile boolean warned;

    public PodResourcesClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** Every container's devices, or empty when the API cannot be reached (the reason is logged once). */
    public Optional<List<ContainerDevices>> list() {
        if (!Files.exists(socket)) {
            warnOnce("PodResources socket " + socket + " does not exist");
            return Optional.empty();
        }
        ManagedChannel channel = UnixSockets.channel(socket);
        try {
            var response = PodResourcesListerGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .withMaxInboundMessageSize(MAX_MESSAGE_BYTES)
                    .list(ListPodResourcesRequest.getDefaultInstance());
            List<ContainerDevices> result = new ArrayList<>();
            for (PodResources pod : response.getPodResourcesList()) {
                for (ContainerResources c : pod.getContainersList()) {
                    for (var d : c.getDevicesList()) {
                        result.add(new ContainerDevices(pod.getNamespace(), pod.getName(), c.getName(),
                                d.getResourceName(), d.getDeviceIdsList()));
                    }
                }
            }
            warned = false;
            return Optional.of(result);
        } catch (StatusRuntimeException e) {
            warnOnce("PodResources API at " + socket + " failed: " + e.getStatus());
            return Optional.empty();
        } finally {
            UnixSockets.close(channel);
        }
    }

    private void warnOnce(String message) {
        if (!warned) {
            warned = true;
            LOG.warn("{}; GPU metrics carry no pod labels and Allocate relies on the agent's own record", message);
        }
    }
}
