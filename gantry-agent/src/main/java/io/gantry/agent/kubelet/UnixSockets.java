package io.gantry.agent.kubelet;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** gRPC over Unix domain sockets, as the kubelet speaks it (plain HTTP/2, authority {@code localhost}). */
public final class UnixSockets {

    private UnixSockets() {
    }

    /** A started server on {@code socket}; a stale file there is removed first. */
    public static Server serve(Path socket, ServerServiceDefinition... services) throws IOException {
        Files.deleteIfExists(socket);
        // One event loop group per server: a restarted server must not share threads with the one being shut down.
        @SuppressWarnings("deprecation")
        EventLoopGroup group = new EpollEventLoopGroup(1);
        NettyServerBuilder b = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group);
        for (ServerServiceDefinition s : services) {
            b.addService(s);
        }
        Server server;
        try {
            server = b.build().start();
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        Thread reaper = new Thread(() -> {
            try {
                server.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }, "gantry-uds-reaper");
        reaper.setDaemon(true);
        reaper.start();
        return server;
    }

    /** A channel to the server on {@code socket}. */
    public static ManagedChannel channel(Path socket) {
        return Grpc.newChannelBuilder("unix://" + socket.toAbsolutePath(), InsecureChannelCredentials.create())
                .overrideAuthority("localhost")
                .build();
    }

    /** Stops a server and waits briefly; calls in flight are cancelled. */
    public static void stop(Server server) {
        if (server == null) {
            return;
        }
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes a channel and waits briefly. */
    public static void close(ManagedChannel channel) {
        if (channel == null) {
            return;
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
