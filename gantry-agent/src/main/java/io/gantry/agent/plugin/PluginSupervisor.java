package io.gantry.agent.plugin;

import static java.util.Objects.requireNonNull;

import io.gantry.agent.kubelet.UnixSockets;
import io.gantry.agent.proto.deviceplugin.RegisterRequest;
import io.gantry.agent.proto.deviceplugin.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the device plugins served and registered. Each plugin serves on its own socket in the kubelet's device
 * plugin directory before it registers on {@code kubelet.sock} (the kubelet dials back inside Register). A restarted
 * kubelet deletes every socket in the directory and creates a new {@code kubelet.sock}: the supervisor watches the
 * directory (inotify through {@link WatchService}, with a poll as a safety net) and, when its own socket is gone or
 * {@code kubelet.sock} is a new file, serves again and re-registers. Failed attempts are retried.
 */
public final class PluginSupervisor implements AutoCloseable {

    public static final String KUBELET_SOCKET = "kubelet.sock";
    static final String API_VERSION = "v1beta1";
    private static final Logger LOG = LoggerFactory.getLogger(PluginSupervisor.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** The longest wait before registering again after the kubelet dropped our endpoint repeatedly. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final Path dir;
    private final List<GpuDevicePlugin> plugins;
    private final Duration retry;
    private final List<Server> servers = new ArrayList<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean registered;
    private volatile boolean streamLost;
    private int drops;
    private Object kubeletSocketKey;

    private PluginSupervisor(Path dir, List<GpuDevicePlugin> plugins, Duration retry) {
        this.dir = dir;
        this.plugins = List.copyOf(plugins);
        this.retry = retry;
        this.thread = new Thread(this::run, "gantry-device-plugins");
        thread.setDaemon(true);
        for (GpuDevicePlugin p : this.plugins) {
            p.onStreamLost(() -> streamLost = true);
        }
    }

    /** Serves and registers {@code plugins} in {@code dir}, and keeps them registered until closed. */
    public static PluginSupervisor start(Path dir, List<GpuDevicePlugin> plugins, Duration retry) throws IOException {
        requireNonNull(dir, "dir");
        requireNonNull(retry, "retry");
        if (!Files.isDirectory(dir)) {
            LOG.info("device plugin directory {} does not exist; creating it (on a node it is the kubelet's)", dir);
            Files.createDirectories(dir);
        }
        PluginSupervisor s = new PluginSupervisor(dir, plugins, retry);
        s.thread.start();
        return s;
    }

    /** Whether every plugin is registered with the current kubelet. */
    public boolean registered() {
        return registered;
    }

    /** How many successful registration rounds (all plugins) happened; a kubelet restart adds one. */
    public int registrations() {
        return registrations.get();
    }

    /** How many registration rounds failed (no kubelet yet, or it refused) and were retried. */
    public int failedAttempts() {
        return failedAttempts.get();
    }

    public Path directory() {
        return dir;
    }

    private void run() {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            long nextAttempt = 0;
            boolean warned = false;
            while (running) {
                if (!registered && System.nanoTime() >= nextAttempt) {
                    try {
                        serveAndRegister();
                        warned = false;
                    } catch (IOException | StatusRuntimeException e) {
                        failedAttempts.incrementAndGet();
                        if (!warned) {
                            LOG.warn("device plugins not registered yet ({}); retrying every {} ms", describe(e),
                                    retry.toMillis());
                            warned = true;
                        }
                        nextAttempt = System.nanoTime() + retry.toNanos();
                    }
                }
                var key = watch.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                boolean newKubeletSocket = false;
                if (key != null) {
                    for (var event : key.pollEvents()) {
                        newKubeletSocket |= event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                                && KUBELET_SOCKET.equals(String.valueOf(event.context()));
                    }
                    key.reset();
                }
                // A Create of kubelet.sock is the kubelet's restart signal; the checks catch what the events miss.
                if (registered && (newKubeletSocket || kubeletRestarted())) {
                    LOG.info("the kubelet restarted (its socket or ours was replaced); serving and registering again");
                    registered = false;
                    streamLost = false;
                    drops = 0;
                    nextAttempt = 0;
                } else if (registered && streamLost) {
                    // Our sockets and the kubelet's are unchanged, yet it closed ListAndWatch: it dropped this
                    // endpoint, e.g. because another device plugin registered the same resource. Register again,
                    // backing off so that two plugins do not take the resource from each other every few seconds.
                    registered = false;
                    streamLost = false;
                    drops++;
                    Duration wait = backoff(drops);
                    LOG.warn("the kubelet closed a ListAndWatch stream without restarting (another device plugin "
                            + "registering {} or {}?); registering again in {} ms", GpuDevicePlugin.resourceNames(
                            plugins), "a kubelet shutting down", wait.toMillis());
                    nextAttempt = System.nanoTime() + wait.toNanos();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("cannot watch the device plugin directory {}: {}", dir, e.toString());
        } finally {
            stopServers();
            stopped.countDown();
        }
    }

    /** retry, doubled for each drop in a row, at most {@link #MAX_BACKOFF}. */
    private Duration backoff(int drops) {
        Duration d = retry;
        for (int i = 1; i < drops && d.compareTo(MAX_BACKOFF) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private static String describe(Exception e) {
        if (e instanceof StatusRuntimeException s) {
            return "kubelet answered " + s.getStatus().getCode() + ": " + s.getStatus().getDescription();
        }
        return e instanceof NoSuchFileException ? "no " + e.getMessage() : e.toString();
    }

    private boolean kubeletRestarted() {
        for (GpuDevicePlugin p : plugins) {
            if (!Files.exists(dir.resolve(p.kind().socketName()))) {
                return true;
            }
        }
        return !Objects.equals(kubeletSocketKey, fileKey(dir.resolve(KUBELET_SOCKET)));
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private void serveAndRegister() throws IOException {
        Path kubelet = dir.resolve(KUBELET_SOCKET);
        if (!Files.exists(kubelet)) {
            throw new NoSuchFileException(kubelet.toString());
        }
        Object key = fileKey(kubelet);
        stopServers();
        for (GpuDevicePlugin p : plugins) {
            p.serving();
            servers.add(UnixSockets.serve(dir.resolve(p.kind().socketName()), p.bindService()));
        }
        ManagedChannel channel = UnixSockets.channel(kubelet);
        try {
            var stub = RegistrationGrpc.newBlockingStub(channel);
            for (GpuDevicePlugin p : plugins) {
                // The kubelet dials the plugin back within Register (up to 10 s), hence the generous deadline.
                stub.withDeadlineAfter(20, TimeUnit.SECONDS).register(RegisterRequest.newBuilder()
                        .setVersion(API_VERSION)
                        .setEndpoint(p.kind().socketName())
                        .setResourceName(p.kind().resourceName())
                        .setOptions(GpuDevicePlugin.options())
                        .build());
                LOG.info("registered {} with the kubelet at {}", p.kind().resourceName(), kubelet);
            }
        } finally {
            UnixSockets.close(channel);
        }
        kubeletSocketKey = key;
        registered = true;
        registrations.incrementAndGet();
    }

    private void stopServers() {
        for (GpuDevicePlugin p : plugins) {
            p.completeStreams();
        }
        for (Server s : servers) {
            UnixSockets.stop(s);
        }
        servers.clear();
        for (GpuDevicePlugin p : plugins) {
            try {
                Files.deleteIfExists(dir.resolve(p.kind().socketName()));
            } catch (IOException e) {
                LOG.warn("cannot remove socket {}: {}", p.kind().socketName(), e.toString());
            }
        }
    }

    /** Stops serving and removes the plugin sockets. */
    @Override
    public void close() {
        running = false;
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                thread.interrupt();
                stopped.await(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registered = false;
    }
}
