package io.gantry.loadtest.apiserver;

import static java.util.Objects.requireNonNull;

import io.vertx.core.MultiMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The load test's own endpoints, beside the Kubernetes API:
 * <ul>
 *   <li>{@code POST /loadtest/v1/objects} with {@code {"items": [...]}}: creates every object (each with its
 *       {@code apiVersion} and {@code kind}) through the same path as a POST, answers when all are stored;</li>
 *   <li>{@code POST /loadtest/v1/burst[?perSecond=R]} with {@code {"items": [pods]}}: answers at once and creates
 *       the pods from a thread of this process, as fast as it can or at R per second (a next burst once this one is created);</li>
 *   <li>{@code GET /loadtest/v1/progress}: pods created and bound so far, binds refused, whether the burst is done, events posted so far;</li>
 *   <li>{@code GET /loadtest/v1/report}: per pod its create-to-bind time on this process's clock, its successful
 *       binds and refused binds, its creation and bind times, whether it was evicted; evictions in all; the
 *       requests served by verb and resource.</li>
 * </ul>
 */
final class LoadTestEndpoints implements AutoCloseable {

    private final Store store;
    private final ObjectMapper json;
    private final Supplier<Map<String, Long>> requests;
    private final AtomicReference<Thread> burst = new AtomicReference<>();
    private volatile String burstError;

    LoadTestEndpoints(Store store, ObjectMapper json, Supplier<Map<String, Long>> requests) {
        this.store = requireNonNull(store, "store");
        this.json = requireNonNull(json, "json");
        this.requests = requireNonNull(requests, "requests");
    }

    Store.Reply handle(String method, String path, MultiMap params, byte[] body) {
        switch (method + " " + path) {
            case "POST /loadtest/v1/objects" -> {
                int n = 0;
                for (JsonNode item : items(body)) {
                    create(item);
                    n++;
                }
                return reply(200, json.createObjectNode().put("created", n));
            }
            case "POST /loadtest/v1/burst" -> {
                List<JsonNode> pods = items(body);
                String rate = params.get("perSecond");
                double perSecond = rate == null ? 0 : Double.parseDouble(rate);
                Thread t = new Thread(() -> createBurst(pods, perSecond), "loadtest-burst");
                t.setDaemon(true);
                Thread previous = burst.get();
                if ((previous != null && previous.isAlive()) || !burst.compareAndSet(previous, t)) {
                    throw ApiException.conflict("a burst is still being created");
                }
                t.start();
                return reply(202, json.createObjectNode().put("accepted", pods.size()));
            }
            case "GET /loadtest/v1/progress" -> {
                ObjectNode out = store.locked(ledger -> json.createObjectNode().put("created", ledger.created())
                        .put("bound", ledger.bound()).put("conflicts", ledger.conflicts())
                        .put("evictions", ledger.evictions()));
                Thread t = burst.get();
                out.put("burstDone", t != null && !t.isAlive());
                out.put("eventsPosted", requests.get().getOrDefault("POST events", 0L));
                if (burstError != null) {
                    out.put("burstError", burstError);
                }
                return reply(200, out);
            }
            case "GET /loadtest/v1/report" -> {
                return reply(200, report());
            }
            default -> throw new ApiException(404, "NotFound", "no load-test endpoint " + method + " " + path);
        }
    }

    private void create(JsonNode item) {
        if (!(item instanceof ObjectNode o)) {
            throw ApiException.badRequest("every item must be an object");
        }
        String apiVersion = o.path("apiVersion").asString("");
        String kind = o.path("kind").asString("");
        ResourceType type = ResourceType.byKind(apiVersion, kind).orElseThrow(() -> ApiException.badRequest(
                "item of apiVersion '" + apiVersion + "' and kind '" + kind + "' is not served here"));
        String ns = o.path("metadata").path("namespace").asString("");
        store.create(type, type.namespaced() && !ns.isEmpty() ? ns : null, o);
    }

    private void createBurst(List<JsonNode> pods, double perSecond) {
        long start = System.nanoTime();
        for (int i = 0; i < pods.size(); i++) {
            if (perSecond > 0) {
                long due = start + (long) (i * 1e9 / perSecond);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            try {
                create(pods.get(i));
            } catch (RuntimeException e) {
                if (burstError == null) {
                    burstError = "pod " + i + ": " + e.getMessage();
                }
            }
        }
    }

    private ObjectNode report() {
        return store.locked(ledger -> {
            ObjectNode out = json.createObjectNode();
            out.put("created", ledger.created()).put("bound", ledger.bound()).put("conflicts", ledger.conflicts())
                    .put("evictions", ledger.evictions());
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            ObjectNode pods = out.putObject("pods");
            for (Map.Entry<String, BindLedger.PodRecord> e : ledger.pods().entrySet()) {
                BindLedger.PodRecord r = e.getValue();
                ArrayNode a = pods.putArray(e.getKey());
                a.add(r.binds() > 0 ? r.boundNanos() - r.createdNanos() : -1).add(r.binds()).add(r.conflicts())
                        .add(r.createdNanos()).add(r.binds() > 0 ? r.boundNanos() : -1).add(r.evicted());
                first = Math.min(first, r.createdNanos());
                if (r.binds() > 0) {
                    last = Math.max(last, r.boundNanos());
                }
            }
            out.put("firstCreatedToLastBoundNanos", last == Long.MIN_VALUE ? -1 : last - first);
            ObjectNode req = out.putObject("requests");
            requests.get().forEach(req::put);
            return out;
        });
    }

    private List<JsonNode> items(byte[] body) {
        JsonNode doc = json.readTree(body);
        JsonNode items = doc.path("items");
        if (!items.isArray()) {
            throw ApiException.badRequest("the body must be {\"items\": [...]}");
        }
        List<JsonNode> out = new ArrayList<>(items.size());
        items.forEach(out::add);
        return out;
    }

    private Store.Reply reply(int code, JsonNode body) {
        return new Store.Reply(code, json.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        Thread t = burst.get();
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
