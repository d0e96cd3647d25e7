package io.gantry.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP endpoints: {@code /metrics} (Prometheus text format), {@code /healthz} (the process runs) and
 * {@code /readyz} (the device plugins are registered with the kubelet).
 */
public final class AgentHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private AgentHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static AgentHttpServer start(InetSocketAddress address, PrometheusRegistry registry,
                                        BooleanSupplier ready) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        server.createContext("/metrics", ex -> {
            try {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                writer.write(body, registry.scrape());
                respond(ex, 200, writer.getContentType(), body.toByteArray());
            } catch (RuntimeException e) {
                LOG.warn("metrics scrape failed", e);
                respond(ex, 500, "text/plain; charset=utf-8", ("scrape failed: " + e).getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/healthz", ex -> respond(ex, 200, "text/plain; charset=utf-8", bytes("ok\n")));
        server.createContext("/readyz", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain; charset=utf-8",
                    bytes(ok ? "ok\n" : "device plugins not registered with the kubelet\n"));
        });
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gantry-agent-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new AgentHttpServer(server, executor);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", type);
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
