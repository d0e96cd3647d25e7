package io.gantry.kube.server;

import static java.util.Objects.requireNonNull;

import tools.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gantry.kube.extender.ExtenderService;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.scheduling.ExplainReport;
import io.gantry.kube.scheduling.SchedulerLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's HTTP side on one port: {@code /metrics} (Prometheus), {@code /healthz}, {@code /readyz},
 * {@code /api/explain/{namespace}/{pod}} (JSON), and in extender mode {@code /extender/filter},
 * {@code /extender/prioritize}, {@code /extender/bind}.
 */
public final class SchedulerHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerHttpServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();

    public SchedulerHttpServer(int port, SchedulerLoop loop, SchedulerMetrics metrics, ExtenderService extender,
            BooleanSupplier ready) throws IOException {
        requireNonNull(loop, "loop");
        requireNonNull(metrics, "metrics");
        requireNonNull(ready, "ready");
        server = HttpServer.create(new InetSocketAddress(port), 64);
        executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "gantry-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape()));
        server.createContext("/healthz", ex -> respond(ex, loop.isHealthy() ? 200 : 503, "text/plain",
                loop.isHealthy() ? "ok\n" : "scheduling loop is stuck\n"));
        server.createContext("/readyz", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain", ok ? "ok\n"
                    : loop.isSynced() ? "not the leader\n" : "cluster state not loaded yet\n");
        });
        server.createContext("/api/explain/", ex -> explain(ex, loop));
        if (extender != null) {
            server.createContext("/extender/filter", ex -> post(ex, extender::filter));
            server.createContext("/extender/prioritize", ex -> post(ex, extender::prioritize));
            server.createContext("/extender/bind", ex -> post(ex, extender::bind));
        }
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void explain(HttpExchange ex, SchedulerLoop loop) throws IOException {
        String[] parts = ex.getRequestURI().getPath().substring("/api/explain/".length()).split("/");
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            respond(ex, 400, "application/json", "{\"error\":\"use /api/explain/{namespace}/{pod}\"}");
            return;
        }
        try {
            ExplainReport report = loop.call(v -> v.explain(parts[0], parts[1])).get(5, TimeUnit.SECONDS);
            respond(ex, "unknown".equals(report.status()) ? 404 : 200, "application/json",
                    json.writeValueAsString(report));
        } catch (Exception e) {
            respond(ex, 503, "application/json", json.createObjectNode().put("error", String.valueOf(e))
                    .toString());
        }
    }

    /** A JSON POST handler; the extender API answers errors in its body, so only I/O problems are HTTP errors. */
    interface JsonCall {
        String apply(String body) throws Exception;
    }

    private void post(HttpExchange ex, JsonCall call) throws IOException {
        if (!"POST".equalsIgnoreCase(ex.getRequestMethod())) {
            respond(ex, 405, "text/plain", "use POST\n");
            return;
        }
        String body;
        try (InputStream in = ex.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            respond(ex, 200, "application/json", call.apply(body));
        } catch (Exception e) {
            LOG.warn("extender call {} failed: {}", ex.getRequestURI(), e.toString());
            respond(ex, 500, "application/json", json.createObjectNode().put("Error", String.valueOf(e)).toString());
        }
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
