package io.gantry.agent.testing;

import io.gantry.agent.kubelet.UnixSockets;
import io.gantry.agent.proto.deviceplugin.AllocateRequest;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateRequest;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import io.gantry.agent.proto.deviceplugin.ContainerPreferredAllocationRequest;
import io.gantry.agent.proto.deviceplugin.Device;
import io.gantry.agent.proto.deviceplugin.DevicePluginGrpc;
import io.gantry.agent.proto.deviceplugin.DevicePluginOptions;
import io.gantry.agent.proto.deviceplugin.Empty;
import io.gantry.agent.proto.deviceplugin.ListAndWatchResponse;
import io.gantry.agent.proto.deviceplugin.PreferredAllocationRequest;
import io.gantry.agent.proto.deviceplugin.RegisterRequest;
import io.gantry.agent.proto.deviceplugin.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Plays the kubelet's device manager for tests, over the real v1beta1 protocol on real Unix sockets: serves
 * Registration on {@code kubelet.sock}, validates Register as the kubelet does, dials the plugin back before
 * answering, reads its options, keeps its ListAndWatch stream open (each message is the full device list), admits
 * containers by picking healthy free devices (asking GetPreferredAllocation when advertised and there is a choice)
 * and calling Allocate with one container request, and restarts the way a kubelet does (every socket in the
 * directory deleted, a new {@code kubelet.sock}).
 */
public final class FakeKubelet implements AutoCloseable {

    public static final String CHECKPOINT = "kubelet_internal_checkpoint";

    /** A plugin that registered, and what the kubelet knows of it. */
    public static final class Plugin {
        public final RegisterRequest request;
        public final DevicePluginOptions options;
        final ManagedChannel channel;
        final List<ListAndWatchResponse> updates = new CopyOnWriteArrayList<>();
        final Set<String> allocated = ConcurrentHashMap.newKeySet();
        volatile boolean streamEnded;

        Plugin(RegisterRequest request, DevicePluginOptions options, ManagedChannel channel) {
            this.request = request;
            this.options = options;
            this.channel = channel;
        }

        public List<ListAndWatchResponse> updates() {
            return List.copyOf(updates);
        }

        public List<Device> devices() {
            return updates.isEmpty() ? List.of() : updates.get(updates.size() - 1).getDevicesList();
        }

        public boolean streamEnded() {
            return streamEnded;
        }
    }

    private final Path dir;
    private final Map<String, Plugin> plugins = new ConcurrentHashMap<>();
    private final List<RegisterRequest> registerCalls = new CopyOnWriteArrayList<>();
    private final List<RegisterRequest> accepted = new CopyOnWriteArrayList<>();
    private final List<List<String>> preferredAnswers = new CopyOnWriteArrayList<>();
    private Server server;

    private FakeKubelet(Path dir) {
        this.dir = dir;
    }

    public static FakeKubelet start(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(CHECKPOINT), "{}");
        FakeKubelet k = new FakeKubelet(dir);
        k.serve();
        return k;
    }

    private void serve() throws IOException {
        server = UnixSockets.serve(dir.resolve("kubelet.sock"), new RegistrationGrpc.RegistrationImplBase() {
            @Override
            public void register(RegisterRequest request, StreamObserver<Empty> out) {
                registerCalls.add(request);
                try {
                    accept(request);
                    accepted.add(request);
                } catch (RuntimeException e) {
                    out.onError(e instanceof io.grpc.StatusRuntimeException ? e
                            : Status.UNKNOWN.withDescription(e.toString()).asRuntimeException());
                    return;
                }
                out.onNext(Empty.getDefaultInstance());
                out.onCompleted();
            }
        }.bindService());
    }

    private void accept(RegisterRequest r) {
        if (!"v1beta1".equals(r.getVersion())) {
            throw Status.INVALID_ARGUMENT.withDescription("invalid version " + r.getVersion()).asRuntimeException();
        }
        String name = r.getResourceName();
        if (!name.contains("/") || name.startsWith("kubernetes.io/") || name.startsWith("requests.")) {
            throw Status.INVALID_ARGUMENT.withDescription("invalid extended resource name " + name)
                    .asRuntimeException();
        }
        if (r.getEndpoint().contains("/")) {
            throw Status.INVALID_ARGUMENT.withDescription("endpoint must be a file name: " + r.getEndpoint())
                    .asRuntimeException();
        }
        // The kubelet dials back synchronously, so Register fails when the plugin does not serve yet.
        ManagedChannel channel = UnixSockets.channel(dir.resolve(r.getEndpoint()));
        DevicePluginOptions options;
        try {
            options = DevicePluginGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getDevicePluginOptions(Empty.getDefaultInstance());
        } catch (RuntimeException e) {
            UnixSockets.close(channel);
            throw Status.UNAVAILABLE.withDescription("cannot dial plugin " + r.getEndpoint() + ": " + e)
                    .asRuntimeException();
        }
        Plugin p = new Plugin(r, options, channel);
        Plugin old = plugins.put(name, p);
        if (old != null) {
            UnixSockets.close(old.channel);
        }
        // Detached from the Register call's context, which is cancelled as soon as Register returns.
        io.grpc.Context.ROOT.run(() -> DevicePluginGrpc.newStub(channel).listAndWatch(Empty.getDefaultInstance(),
                new StreamObserver<>() {
            @Override
            public void onNext(ListAndWatchResponse value) {
                p.updates.add(value);
            }

            @Override
            public void onError(Throwable t) {
                p.streamEnded = true;
            }

            @Override
            public void onCompleted() {
                p.streamEnded = true;
            }
        }));
    }

    public List<RegisterRequest> registerCalls() {
        return List.copyOf(registerCalls);
    }

    public Plugin plugin(String resource) {
        Plugin p = plugins.get(resource);
        if (p == null) {
            throw new AssertionError("no plugin registered for " + resource + "; registered: " + plugins.keySet());
        }
        return p;
    }

    /** Polls {@code condition} every 10 ms for up to {@code timeout}; false when it never held. */
    private static boolean within(Duration timeout, java.util.concurrent.Callable<Boolean> condition) {
        try {
            Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .dontCatchUncaughtExceptions().until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Waits until {@code resource} has registered and its latest device list satisfies {@code condition}. */
    public Plugin awaitDevices(String resource, Predicate<List<Device>> condition, Duration timeout)
            throws InterruptedException {
        if (within(timeout, () -> {
            Plugin p = plugins.get(resource);
            return p != null && !p.updates.isEmpty() && condition.test(p.devices());
        })) {
            return plugins.get(resource);
        }
        Plugin p = plugins.get(resource);
        throw new AssertionError("timed out waiting for the devices of " + resource + "; latest: "
                + (p == null ? "not registered" : summary(p.devices())));
    }

    /** Waits until at least {@code count} Register calls for {@code resource} succeeded and its stream is open. */
    public void awaitRegisterCalls(String resource, int count, Duration timeout) throws InterruptedException {
        if (!within(timeout, () -> accepted.stream().filter(r -> r.getResourceName().equals(resource)).count() >= count
                && plugins.containsKey(resource) && !plugins.get(resource).updates.isEmpty())) {
            throw new AssertionError("timed out waiting for " + count + " Register calls of " + resource + "; got "
                    + accepted.stream().filter(r -> r.getResourceName().equals(resource)).count());
        }
    }

    /**
     * Waits until {@code registrations} reaches {@code count}: the agent counts a round once its last Register call
     * returned, a moment after the kubelet accepted it.
     */
    public static void awaitCount(java.util.function.IntSupplier registrations, int count, Duration timeout)
            throws InterruptedException {
        if (!within(timeout, () -> registrations.getAsInt() >= count)) {
            throw new AssertionError("timed out waiting for a count of " + count + "; got "
                    + registrations.getAsInt());
        }
    }

    public static String summary(List<Device> devices) {
        long healthy = devices.stream().filter(d -> d.getHealth().equals("Healthy")).count();
        return devices.size() + " devices, " + healthy + " healthy";
    }

    /**
     * Admits a container asking {@code count} devices of {@code resource}, as the kubelet's device manager does:
     * healthy devices not yet allocated, narrowed by GetPreferredAllocation when there is a choice.
     */
    public ContainerAllocateResponse admit(String resource, int count) {
        Plugin p = plugin(resource);
        List<String> available = new ArrayList<>();
        for (Device d : p.devices()) {
            if (d.getHealth().equals("Healthy") && !p.allocated.contains(d.getID())) {
                available.add(d.getID());
            }
        }
        if (available.size() < count) {
            throw new AssertionError("kubelet: only " + available.size() + " free healthy devices of " + resource);
        }
        List<String> chosen = available.subList(0, count);
        if (p.options.getGetPreferredAllocationAvailable() && available.size() > count) {
            List<String> preferred = DevicePluginGrpc.newBlockingStub(p.channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getPreferredAllocation(PreferredAllocationRequest.newBuilder()
                            .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder()
                                    .addAllAvailableDeviceIDs(available).setAllocationSize(count))
                            .build())
                    .getContainerResponses(0).getDeviceIDsList();
            preferredAnswers.add(preferred);
            LinkedHashSet<String> pick = new LinkedHashSet<>();
            for (String id : preferred) {
                if (available.contains(id) && pick.size() < count) {
                    pick.add(id);
                }
            }
            for (String id : available) {
                if (pick.size() < count) {
                    pick.add(id);
                }
            }
            chosen = new ArrayList<>(pick);
        }
        ContainerAllocateResponse r = allocate(resource, chosen);
        p.allocated.addAll(chosen);
        return r;
    }

    /** Calls Allocate with exactly these device ids (one container request, as the kubelet does). */
    public ContainerAllocateResponse allocate(String resource, List<String> ids) {
        return DevicePluginGrpc.newBlockingStub(plugin(resource).channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .allocate(AllocateRequest.newBuilder()
                        .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids)).build())
                .getContainerResponses(0);
    }

    public List<List<String>> preferredAnswers() {
        return List.copyOf(preferredAnswers);
    }

    /**
     * The kubelet dropping one plugin's endpoint without restarting, as it does when another plugin registers the
     * same resource: its ListAndWatch stream is closed, the sockets stay.
     */
    public void dropEndpoint(String resource) {
        Plugin p = plugins.remove(resource);
        if (p != null) {
            UnixSockets.close(p.channel);
        }
    }

    /** A kubelet restart: the old one stops, every socket in the directory is deleted, a new kubelet.sock serves. */
    public void restart() throws IOException {
        stop();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (!f.getFileName().toString().equals(CHECKPOINT) && Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).isOther()) {
                    Files.delete(f);
                }
            }
        }
        serve();
    }

    private void stop() {
        UnixSockets.stop(server);
        for (Plugin p : plugins.values()) {
            UnixSockets.close(p.channel);
        }
        plugins.clear();
    }

    @Override
    public void close() {
        stop();
    }
}
