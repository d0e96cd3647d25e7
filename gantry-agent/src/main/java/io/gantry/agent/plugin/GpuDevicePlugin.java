package io.gantry.agent.plugin;

import static java.util.Objects.requireNonNull;

import io.gantry.agent.allocation.AllocationException;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.allocation.ShareDeviceIds;
import io.gantry.agent.health.HealthTracker;
import io.gantry.agent.proto.deviceplugin.AllocateRequest;
import io.gantry.agent.proto.deviceplugin.AllocateResponse;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateRequest;
import io.gantry.agent.proto.deviceplugin.ContainerPreferredAllocationRequest;
import io.gantry.agent.proto.deviceplugin.ContainerPreferredAllocationResponse;
import io.gantry.agent.proto.deviceplugin.Device;
import io.gantry.agent.proto.deviceplugin.DevicePluginGrpc;
import io.gantry.agent.proto.deviceplugin.DevicePluginOptions;
import io.gantry.agent.proto.deviceplugin.Empty;
import io.gantry.agent.proto.deviceplugin.ListAndWatchResponse;
import io.gantry.agent.proto.deviceplugin.NUMANode;
import io.gantry.agent.proto.deviceplugin.PreStartContainerRequest;
import io.gantry.agent.proto.deviceplugin.PreStartContainerResponse;
import io.gantry.agent.proto.deviceplugin.PreferredAllocationRequest;
import io.gantry.agent.proto.deviceplugin.PreferredAllocationResponse;
import io.gantry.agent.proto.deviceplugin.TopologyInfo;
import io.gantry.gpu.GpuDevice;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DevicePlugin service of one resource: whole GPUs (one device per GPU, id = UUID) or shares (1000 devices per
 * GPU). ListAndWatch sends the full list at once and again after every health change.
 */
public final class GpuDevicePlugin extends DevicePluginGrpc.DevicePluginImplBase {

    static final String HEALTHY = "Healthy";
    static final String UNHEALTHY = "Unhealthy";
    private static final Logger LOG = LoggerFactory.getLogger(GpuDevicePlugin.class);

    private final ResourceKind kind;
    private final List<GpuDevice> gpus;
    private final HealthTracker health;
    private final GpuAllocator allocator;
    private final List<ServerCallStreamObserver<ListAndWatchResponse>> watchers = new CopyOnWriteArrayList<>();
    private volatile Runnable onStreamLost = () -> { };
    private volatile boolean stopping;

    public GpuDevicePlugin(ResourceKind kind, List<GpuDevice> gpus, HealthTracker health, GpuAllocator allocator) {
        this.kind = requireNonNull(kind, "kind");
        this.gpus = List.copyOf(gpus);
        this.health = requireNonNull(health, "health");
        this.allocator = requireNonNull(allocator, "allocator");
        health.addListener(all -> publish());
    }

    public ResourceKind kind() {
        return kind;
    }

    static String resourceNames(List<GpuDevicePlugin> plugins) {
        return String.join(" or ", plugins.stream().map(p -> p.kind().resourceName()).toList());
    }

    /** The device list as ListAndWatch sends it now. */
    public ListAndWatchResponse devices() {
        ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
        for (GpuDevice gpu : gpus) {
            String state = health.isHealthy(gpu.uuid()) ? HEALTHY : UNHEALTHY;
            TopologyInfo topology = gpu.numaNode() >= 0
                    ? TopologyInfo.newBuilder().addNodes(NUMANode.newBuilder().setID(gpu.numaNode())).build()
                    : null;
            int count = kind == ResourceKind.WHOLE ? 1 : ShareDeviceIds.PER_GPU;
            for (int n = 0; n < count; n++) {
                String id = kind == ResourceKind.WHOLE ? gpu.uuid() : ShareDeviceIds.id(gpu.uuid(), n);
                Device.Builder d = Device.newBuilder().setID(id).setHealth(state);
                if (topology != null) {
                    d.setTopology(topology);
                }
                b.addDevices(d);
            }
        }
        return b.build();
    }

    @Override
    public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> out) {
        out.onNext(options());
        out.onCompleted();
    }

    public static DevicePluginOptions options() {
        return DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true).setPreStartRequired(false)
                .build();
    }

    @Override
    public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> out) {
        ServerCallStreamObserver<ListAndWatchResponse> stream = (ServerCallStreamObserver<ListAndWatchResponse>) out;
        stream.setOnCancelHandler(() -> {
            watchers.remove(stream);
            if (!stopping) {
                // The kubelet closed our stream while we serve: it restarted, or dropped this endpoint.
                onStreamLost.run();
            }
        });
        // Under the publish lock: no health change can fall between this first list and the stream's registration.
        synchronized (this) {
            watchers.add(stream);
            stream.onNext(devices());
        }
    }

    /**
     * Sends the current list to every open ListAndWatch stream. One lock for building and sending, so two health
     * changes on two threads cannot deliver an older list after a newer one.
     */
    synchronized void publish() {
        ListAndWatchResponse now = devices();
        for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
            if (w.isCancelled()) {
                watchers.remove(w);
                continue;
            }
            try {
                w.onNext(now);
            } catch (RuntimeException e) {
                LOG.debug("dropping a ListAndWatch stream of {}: {}", kind.resourceName(), e.toString());
                watchers.remove(w);
            }
        }
    }

    /** Called when the kubelet ends a ListAndWatch stream while the plugin serves. */
    void onStreamLost(Runnable listener) {
        this.onStreamLost = listener;
    }

    /** The plugin serves again (after {@link #completeStreams}). */
    void serving() {
        stopping = false;
    }

    /** Ends every ListAndWatch stream (the plugin is stopping). */
    synchronized void completeStreams() {
        stopping = true;
        for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
            try {
                w.onCompleted();
            } catch (RuntimeException e) {
                LOG.debug("closing a ListAndWatch stream: {}", e.toString());
            }
        }
        watchers.clear();
    }

    @Override
    public void getPreferredAllocation(PreferredAllocationRequest request,
                                       StreamObserver<PreferredAllocationResponse> out) {
        PreferredAllocationResponse.Builder b = PreferredAllocationResponse.newBuilder();
        try {
            for (ContainerPreferredAllocationRequest c : request.getContainerRequestsList()) {
                List<String> ids = allocator.prefer(kind, c.getAvailableDeviceIDsList(),
                        c.getMustIncludeDeviceIDsList(), c.getAllocationSize());
                b.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(ids));
            }
        } catch (RuntimeException e) {
            // The answer is advice; an error would fail the pod's admission. No preference instead.
            LOG.warn("GetPreferredAllocation for {} failed, answering no preference: {}", kind.resourceName(),
                    e.toString());
            b = PreferredAllocationResponse.newBuilder();
            for (ContainerPreferredAllocationRequest c : request.getContainerRequestsList()) {
                b.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder()
                        .addAllDeviceIDs(c.getMustIncludeDeviceIDsList()));
            }
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> out) {
        AllocateResponse.Builder b = AllocateResponse.newBuilder();
        try {
            for (ContainerAllocateRequest c : request.getContainerRequestsList()) {
                b.addContainerResponses(allocator.allocate(kind, c.getDevicesIdsList()));
            }
        } catch (AllocationException e) {
            LOG.warn("Allocate {} refused: {}", kind.resourceName(), e.getMessage());
            out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            LOG.error("Allocate {} failed", kind.resourceName(), e);
            out.onError(Status.INTERNAL.withDescription("Gantry agent: " + e).asRuntimeException());
            return;
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void preStartContainer(PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> out) {
        out.onNext(PreStartContainerResponse.getDefaultInstance());
        out.onCompleted();
    }
}
