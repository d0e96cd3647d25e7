package io.gantry.agent.testing;

import io.gantry.agent.kubelet.UnixSockets;
import io.gantry.agent.proto.podresources.ContainerDevices;
import io.gantry.agent.proto.podresources.ContainerResources;
import io.gantry.agent.proto.podresources.ListPodResourcesRequest;
import io.gantry.agent.proto.podresources.ListPodResourcesResponse;
import io.gantry.agent.proto.podresources.PodResources;
import io.gantry.agent.proto.podresources.PodResourcesListerGrpc;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The kubelet's PodResources API for tests, on a real Unix socket, answering List with a canned response. */
public final class FakePodResources implements AutoCloseable {

    private final AtomicReference<ListPodResourcesResponse> answer =
            new AtomicReference<>(ListPodResourcesResponse.getDefaultInstance());
    private final AtomicInteger calls = new AtomicInteger();
    private final Server server;

    private FakePodResources(Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        server = UnixSockets.serve(socket, new PodResourcesListerGrpc.PodResourcesListerImplBase() {
            @Override
            public void list(ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> out) {
                calls.incrementAndGet();
                out.onNext(answer.get());
                out.onCompleted();
            }
        }.bindService());
    }

    public static FakePodResources start(Path socket) throws IOException {
        return new FakePodResources(socket);
    }

    public int calls() {
        return calls.get();
    }

    /** Sets the answer: one entry per (namespace, pod, container, resource, device ids). */
    public void set(List<Entry> entries) {
        ListPodResourcesResponse.Builder b = ListPodResourcesResponse.newBuilder();
        for (Entry e : entries) {
            b.addPodResources(PodResources.newBuilder().setNamespace(e.namespace()).setName(e.pod())
                    .addContainers(ContainerResources.newBuilder().setName(e.container())
                            .addDevices(ContainerDevices.newBuilder().setResourceName(e.resource())
                                    .addAllDeviceIds(e.deviceIds()))));
        }
        answer.set(b.build());
    }

    public record Entry(String namespace, String pod, String container, String resource, List<String> deviceIds) {
    }

    @Override
    public void close() {
        UnixSockets.stop(server);
    }
}
