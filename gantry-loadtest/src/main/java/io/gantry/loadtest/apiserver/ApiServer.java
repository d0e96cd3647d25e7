package io.gantry.loadtest.apiserver;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A standalone Kubernetes API server for load tests: the {@link Store} behind an HTTP/1.1 and WebSocket front on
 * Vert.x (already on the classpath through fabric8's HTTP client). It serves what fabric8 informers, leader election
 * and Gantry's scheduler use: list and watch (HTTP streaming or WebSocket; resumable by resource version), get,
 * create, update, merge and strategic merge patch, delete, {@code pods/binding}, the {@code bindings} collection and
 * {@code pods/eviction} (see {@link Store#evict}), for pods, nodes, events, namespaces, leases, the volume kinds the
 * scheduler watches (claims, persistent volumes, storage classes), and the multi-tenancy custom resources (Queues,
 * PodGroups). Plain HTTP on 127.0.0.1; no authentication.
 *
 * <p>Besides the Kubernetes API it has a few load-test endpoints under {@code /loadtest/v1/}: create many objects in
 * one request (the nodes), create a burst of pods from inside the server (so that no client's cost of creating them
 * lands in the measured processes' budget but the API server's), and report what it saw of every pod.
 */
public final class ApiServer implements AutoCloseable {

    private final Vertx vertx;
    private final List<HttpServer> servers = new ArrayList<>();
    private final Store store;
    private final LoadTestEndpoints loadTest;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final int port;

    private ApiServer(String host, int port, int eventLoops, int historyLimit) {
        store = new Store(json, historyLimit);
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        loadTest = new LoadTestEndpoints(store, json, this::requestCounts);
        try {
            // Vert.x shares one socket among the servers of an instance that listen on the same host and port, and
            // hands each accepted connection to one of them: one server per event loop spreads the connections.
            // A port of 0 is resolved first, because servers on port 0 would each get their own.
            int chosen = port != 0 ? port : freePort(host);
            for (int i = 0; i < eventLoops; i++) {
                servers.add(newServer(host).listen(chosen).await(30, TimeUnit.SECONDS));
            }
            this.port = chosen;
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static int freePort(String host) throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return probe.getLocalPort();
        }
    }

    /** Starts a server on {@code host:port} (0: a free port) with this many event loops. */
    public static ApiServer start(String host, int port, int eventLoops, int historyLimit) {
        requireNonNull(host, "host");
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops must be >= 1");
        }
        return new ApiServer(host, port, eventLoops, historyLimit);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Store store() {
        return store;
    }

    /** Requests served so far, by verb and resource, such as {@code POST pods/binding}. */
    public Map<String, Long> requestCounts() {
        Map<String, Long> out = new TreeMap<>();
        requests.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private HttpServer newServer(String host) {
        // No WebSocket compression: the API server does not offer it, and its extension handler would sit in the
        // pipeline of every HTTP response.
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setTcpNoDelay(true)
                        .setPerMessageWebSocketCompressionSupported(false)
                        .setPerFrameWebSocketCompressionSupported(false)
                        .setMaxWebSocketFrameSize(64 * 1024 * 1024).setMaxWebSocketMessageSize(64 * 1024 * 1024))
                .requestHandler(this::handle)
                .webSocketHandler(this::handleWebSocket);
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            try {
                route(req, body);
            } catch (ApiException e) {
                reply(req.response(), e.code(), Store.status(e.code(), e.reason(), e.getMessage()));
            } catch (RuntimeException e) {
                reply(req.response(), 400, Store.status(400, "BadRequest", "cannot handle " + req.method() + " "
                        + req.path() + ": " + e.getMessage()));
            }
        }).onFailure(e -> req.response().setStatusCode(400).end());
    }

    private void route(HttpServerRequest req, Buffer body) {
        String path = req.path();
        String method = req.method().name();
        if (path.startsWith("/loadtest/")) {
            count(method + " loadtest");
            Store.Reply r = loadTest.handle(method, path, req.params(), body.getBytes());
            reply(req.response(), r.code(), r.body());
            return;
        }
        if (path.equals("/version")) {
            reply(req.response(), 200, ("{\"major\":\"1\",\"minor\":\"33\",\"gitVersion\":\"v1.33.0-gantry-loadtest\","
                    + "\"platform\":\"linux/amd64\"}").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (path.equals("/healthz") || path.equals("/readyz") || path.equals("/livez")) {
            req.response().setStatusCode(200).end("ok");
            return;
        }
        ApiPath p = ApiPath.parse(path);
        MultiMap q = req.params();
        if (p.isBindingsCollection()) {
            count(method + " bindings");
            if (!method.equals("POST")) {
                throw new ApiException(405, "MethodNotAllowed", "bindings only take POST");
            }
            JsonNode binding = json.readTree(body.getBytes());
            reply(req.response(), 201, store.bind(p.namespace(), binding.path("metadata").path("name").asString(""),
                    binding).body());
            return;
        }
        String what = p.type().plural() + (p.subresource() == null ? "" : "/" + p.subresource());
        Store.Reply r;
        switch (method) {
            case "GET" -> {
                if (p.name() == null) {
                    Selector selector = Selector.parse(p.type(), q.get("fieldSelector"), q.get("labelSelector"));
                    if (q.contains("sendInitialEvents")) {
                        throw ApiException.badRequest("watch-list (sendInitialEvents) is not supported by this API "
                                + "server; list, then watch from the list's resourceVersion");
                    }
                    // A list's limit is not honoured: the whole list comes back without a continue token, which
                    // the API conventions allow a server to do.
                    if (isWatch(q)) {
                        count("WATCH " + what);
                        watchOverHttp(req, p, selector, q);
                        return;
                    }
                    count("LIST " + what);
                    r = store.list(p.type(), p.namespace(), selector);
                } else {
                    count("GET " + what);
                    if (p.subresource() != null && !p.subresource().equals("status")) {
                        throw ApiException.notFound(p.type(), p.name() + "/" + p.subresource());
                    }
                    r = store.get(p.type(), p.namespace(), p.name());
                }
            }
            case "POST" -> {
                count("POST " + what);
                if (p.name() == null) {
                    r = store.create(p.type(), p.namespace(), object(body));
                } else if (p.type() == ResourceType.PODS && "binding".equals(p.subresource())) {
                    r = store.bind(p.namespace(), p.name(), json.readTree(body.getBytes()));
                } else if (p.type() == ResourceType.PODS && "eviction".equals(p.subresource())) {
                    r = store.evict(p.namespace(), p.name(), body.length() == 0 ? json.createObjectNode()
                            : json.readTree(body.getBytes()), "All".equals(q.get("dryRun")));
                } else {
                    throw new ApiException(405, "MethodNotAllowed", "POST is for collections, pods/{name}/binding "
                            + "and pods/{name}/eviction");
                }
            }
            case "PUT" -> {
                count("PUT " + what);
                requireName(p);
                r = store.update(p.type(), p.namespace(), p.name(), p.subresource(), object(body));
            }
            case "PATCH" -> {
                count("PATCH " + what);
                requireName(p);
                r = store.patch(p.type(), p.namespace(), p.name(), p.subresource(), req.getHeader("Content-Type"),
                        body.getBytes());
            }
            case "DELETE" -> {
                count("DELETE " + what);
                requireName(p);
                r = store.delete(p.type(), p.namespace(), p.name());
            }
            default -> throw new ApiException(405, "MethodNotAllowed", method + " is not supported");
        }
        reply(req.response(), r.code(), r.body());
    }

    private static void requireName(ApiPath p) {
        if (p.name() == null) {
            throw new ApiException(405, "MethodNotAllowed", "this verb needs an object name in the URL");
        }
    }

    private ObjectNode object(Buffer body) {
        JsonNode n = json.readTree(body.getBytes());
        if (!(n instanceof ObjectNode o)) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return o;
    }

    private static boolean isWatch(MultiMap q) {
        String w = q.get("watch");
        return w != null && (w.equals("true") || w.equals("1"));
    }

    private void count(String what) {
        requests.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    private static void reply(HttpServerResponse response, int code, byte[] body) {
        response.setStatusCode(code).putHeader("Content-Type", "application/json").end(Buffer.buffer(body));
    }

    // ---- watches ----

    private void watchOverHttp(HttpServerRequest req, ApiPath p, Selector selector, MultiMap q) {
        HttpServerResponse response = req.response();
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        Context context = vertx.getOrCreateContext();
        Store.WatchSink sink = new Store.WatchSink() {
            @Override
            public void send(byte[] frame) {
                // Always through the context's queue, so frames keep the store's order whichever thread sends.
                context.runOnContext(v -> {
                    if (!response.closed() && !response.ended()) {
                        response.write(Buffer.buffer(frame));
                    }
                });
            }

            @Override
            public void close() {
                context.runOnContext(v -> {
                    if (!response.closed() && !response.ended()) {
                        response.end();
                    }
                });
            }
        };
        response.write(Buffer.buffer()); // send the headers now: the client's watch is established
        Store.Watch watch = store.watch(p.type(), p.namespace(), selector, q.get("resourceVersion"), sink);
        response.closeHandler(v -> watch.cancel());
        endAfterTimeout(q.get("timeoutSeconds"), () -> {
            watch.cancel();
            sink.close();
        });
    }

    private void handleWebSocket(ServerWebSocket ws) {
        QueryStringDecoder decoder = new QueryStringDecoder(ws.uri());
        Map<String, List<String>> params = decoder.parameters();
        try {
            ApiPath p = ApiPath.parse(decoder.path());
            if (p.type() == null || p.name() != null || !isWatch(params)) {
                throw ApiException.badRequest("WebSocket connections are served for watches only");
            }
            Selector selector = Selector.parse(p.type(), first(params, "fieldSelector"),
                    first(params, "labelSelector"));
            count("WATCH " + p.type().plural() + " (websocket)");
            Context context = vertx.getOrCreateContext();
            Store.WatchSink sink = new Store.WatchSink() {
                @Override
                public void send(byte[] frame) {
                    context.runOnContext(v -> {
                        if (!ws.isClosed()) {
                            ws.writeBinaryMessage(Buffer.buffer(frame));
                        }
                    });
                }

                @Override
                public void close() {
                    context.runOnContext(v -> {
                        if (!ws.isClosed()) {
                            ws.close();
                        }
                    });
                }
            };
            Store.Watch watch = store.watch(p.type(), p.namespace(), selector, first(params, "resourceVersion"),
                    sink);
            ws.closeHandler(v -> watch.cancel());
            endAfterTimeout(first(params, "timeoutSeconds"), () -> {
                watch.cancel();
                sink.close();
            });
        } catch (ApiException e) {
            ws.writeBinaryMessage(Buffer.buffer(("{\"type\":\"ERROR\",\"object\":"
                    + new String(Store.status(e.code(), e.reason(), e.getMessage()), StandardCharsets.UTF_8) + "}")
                    .getBytes(StandardCharsets.UTF_8)));
            ws.close();
        }
    }

    private void endAfterTimeout(String timeoutSeconds, Runnable end) {
        if (timeoutSeconds == null || timeoutSeconds.isEmpty()) {
            return;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timeoutSeconds);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("timeoutSeconds '" + timeoutSeconds + "' is not a number");
        }
        if (seconds > 0) {
            vertx.setTimer(TimeUnit.SECONDS.toMillis(seconds), id -> end.run());
        }
    }

    private static boolean isWatch(Map<String, List<String>> params) {
        String w = first(params, "watch");
        return w != null && (w.equals("true") || w.equals("1"));
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public void close() {
        loadTest.close();
        try {
            vertx.close().await(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // The event loops did not stop in time on a loaded machine; they are daemon threads.
        }
    }
}
