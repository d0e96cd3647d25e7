package io.gantry.kube.sandbox;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * fabric8's CRUD mock API server, plus what a scheduler needs of a real one: {@code POST pods/{name}/binding} (and
 * the {@code bindings} collection) sets the pod's {@code spec.nodeName}, copies the binding's annotations onto the pod
 * and sets {@code PodScheduled=True}, with the API server's answers (201; 404 for a missing pod; 409 for a pod already
 * bound, being deleted or with scheduling gates). It counts successful binds
 * per pod, and can fail chosen requests on purpose to test error handling. Pod lists honour the field selectors
 * {@code spec.nodeName} and {@code status.phase} ({@code =}, {@code ==}, {@code !=}), as node agents use them; the
 * stock mock answers such a list with nothing.
 */
public class BindingAwareCrudDispatcher extends KubernetesCrudDispatcher {

    private static final Pattern POD_BINDING =
            Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/binding/?(\\?.*)?");
    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/[^/]+/pods/[^/?]+/?(\\?.*)?");
    private static final Pattern BINDINGS = Pattern.compile("/api/v1/namespaces/([^/]+)/bindings/?(\\?.*)?");
    private static final Pattern POD_EVICTION =
            Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction/?(\\?.*)?");

    private static final Pattern POD_LIST =
            Pattern.compile("(/api/v1(?:/namespaces/[^/]+)?/pods)/?\\?(.*)");
    private static final Pattern SELECTOR_TERM = Pattern.compile("(spec\\.nodeName|status\\.phase)(!=|==|=)(.*)");

    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger(
            BindingAwareCrudDispatcher.class.getName());
    private final ObjectMapper json = new ObjectMapper();
    private final Object bindLock = new Object();
    private final Map<String, AtomicInteger> binds = new ConcurrentHashMap<>();
    private final AtomicInteger conflicts = new AtomicInteger();
    private final AtomicInteger podPatches = new AtomicInteger();
    private final Map<String, AtomicInteger> patchesByPath = new ConcurrentHashMap<>();
    private final Queue<InjectedFailure> failures = new ConcurrentLinkedQueue<>();

    /** One planned failure: the next request with this method whose path matches answers {@code code}. */
    private record InjectedFailure(String method, Pattern path, int code) {
    }

    /** Makes the next {@code times} requests with this method and a path matching the regex fail with the code. */
    public void failNext(String method, String pathRegex, int code, int times) {
        for (int i = 0; i < times; i++) {
            failures.add(new InjectedFailure(method, Pattern.compile(pathRegex), code));
        }
    }

    /** Forgets every planned failure not yet used. */
    public void clearFailures() {
        failures.clear();
    }

    /** Successful binds of the pod {@code namespace/name} so far. */
    public int bindCount(String namespace, String name) {
        AtomicInteger n = binds.get(namespace + "/" + name);
        return n == null ? 0 : n.get();
    }

    /** Every pod bound at least once, with its count. */
    public Map<String, Integer> bindCounts() {
        Map<String, Integer> out = new ConcurrentHashMap<>();
        binds.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** PATCH requests of this path (without its query), so far: e.g. a Queue's status. */
    public int patches(String path) {
        AtomicInteger n = patchesByPath.get(path);
        return n == null ? 0 : n.get();
    }

    /** PATCH requests of pods themselves (not of their status), so far. */
    public int podPatches() {
        return podPatches.get();
    }

    /** Binds refused because the pod was already bound, being deleted or gated. */
    public int conflicts() {
        return conflicts.get();
    }

    @Override
    public MockResponse handleGet(String path) {
        Matcher m = POD_LIST.matcher(path);
        if (!m.matches()) {
            return super.handleGet(path);
        }
        List<String> kept = new ArrayList<>();
        List<String[]> terms = new ArrayList<>();
        for (String param : m.group(2).split("&")) {
            String decoded = URLDecoder.decode(param, StandardCharsets.UTF_8);
            if (!decoded.startsWith("fieldSelector=")) {
                kept.add(param);
                continue;
            }
            for (String term : decoded.substring("fieldSelector=".length()).split(",")) {
                Matcher t = SELECTOR_TERM.matcher(term);
                if (!t.matches()) {
                    return super.handleGet(path);
                }
                terms.add(new String[] {t.group(1), t.group(2), t.group(3)});
            }
        }
        if (terms.isEmpty()) {
            return super.handleGet(path);
        }
        MockResponse all = super.handleGet(m.group(1) + (kept.isEmpty() ? "" : "?" + String.join("&", kept)));
        if (all.code() != 200) {
            return all;
        }
        ObjectNode list = (ObjectNode) json.readTree(all.getBody().readUtf8());
        ArrayNode items = json.createArrayNode();
        for (JsonNode pod : list.path("items")) {
            if (terms.stream().allMatch(t -> matches(pod, t))) {
                items.add(pod);
            }
        }
        list.set("items", items);
        return new MockResponse().setResponseCode(200).setBody(json.writeValueAsString(list));
    }

    private static boolean matches(JsonNode pod, String[] term) {
        String value = term[0].equals("spec.nodeName") ? pod.path("spec").path("nodeName").asString("")
                : pod.path("status").path("phase").asString("");
        return term[1].equals("!=") != value.equals(term[2]);
    }

    /** Held on a gracefully deleted pod until its grace period has passed (the sandbox's kubelet). */
    public static final String KUBELET_FINALIZER = "sandbox.gantry.io/kubelet";

    /** Evictions granted (not dry runs) per pod {@code namespace/name}, and those a budget refused. */
    private final Map<String, AtomicInteger> evictions = new ConcurrentHashMap<>();
    private final AtomicInteger evictionsRefused = new AtomicInteger();
    /** The kubelet's part of a graceful deletion: the pod goes once its grace period has passed. */
    private final java.util.concurrent.ScheduledExecutorService kubelet =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sandbox-kubelet");
                t.setDaemon(true);
                return t;
            });

    /** Evictions granted for the pod {@code namespace/name} so far (dry runs not counted). */
    public int evictionCount(String namespace, String name) {
        AtomicInteger n = evictions.get(namespace + "/" + name);
        return n == null ? 0 : n.get();
    }

    /** Evictions refused with 429 because a PodDisruptionBudget did not allow them (dry runs included). */
    public int evictionsRefused() {
        return evictionsRefused.get();
    }

    /** Stops the emulated kubelet's pending deletions. */
    void stopKubelet() {
        kubelet.shutdownNow();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        for (InjectedFailure f : failures) {
            if (f.method().equalsIgnoreCase(request.getMethod()) && f.path().matcher(request.getPath()).matches()
                    && failures.remove(f)) {
                return status(f.code(), "injected failure for " + request.getMethod() + " " + request.getPath());
            }
        }
        if ("PATCH".equalsIgnoreCase(request.getMethod()) && POD.matcher(request.getPath()).matches()) {
            podPatches.incrementAndGet();
        }
        if ("PATCH".equalsIgnoreCase(request.getMethod())) {
            patchesByPath.computeIfAbsent(request.getPath().replaceFirst("\\?.*", ""), k -> new AtomicInteger())
                    .incrementAndGet();
        }
        if ("POST".equalsIgnoreCase(request.getMethod())) {
            Matcher m = POD_BINDING.matcher(request.getPath());
            if (m.matches()) {
                return bind(m.group(1), m.group(2), request.getUtf8Body());
            }
            Matcher ev = POD_EVICTION.matcher(request.getPath());
            if (ev.matches()) {
                return evict(ev.group(1), ev.group(2), request.getUtf8Body(),
                        ev.group(3) != null && ev.group(3).contains("dryRun=All"));
            }
            Matcher c = BINDINGS.matcher(request.getPath());
            if (c.matches()) {
                JsonNode body = json.readTree(request.getUtf8Body());
                return bind(c.group(1), body.path("metadata").path("name").asString(), request.getUtf8Body());
            }
        }
        return super.dispatch(request);
    }

    private MockResponse bind(String namespace, String name, String body) {
        JsonNode binding = json.readTree(body);
        String node = binding.path("target").path("name").asString("");
        if (node.isEmpty()) {
            return status(422, "Binding " + name + ": target.name is required");
        }
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        synchronized (bindLock) {
            JsonNode pod = stored(podPath);
            if (pod == null) {
                return status(404, "pods \"" + name + "\" not found");
            }
            // The API server's checks, in its order (pkg/registry/core/pod/storage/storage.go,
            // setPodHostAndAnnotations), each a 409 "Operation cannot be fulfilled on pods/binding".
            String refused = null;
            if (!pod.path("metadata").path("deletionTimestamp").asString("").isEmpty()) {
                refused = "pod " + name + " is being deleted, cannot be assigned to a host";
            } else if (!pod.path("spec").path("nodeName").asString("").isEmpty()) {
                refused = "pod " + name + " is already assigned to node \"" + pod.path("spec").path("nodeName")
                        .asString() + "\"";
            } else if (pod.path("spec").path("schedulingGates").isArray()
                    && !pod.path("spec").path("schedulingGates").isEmpty()) {
                refused = "pod " + name + " has non-empty .spec.schedulingGates";
            }
            if (refused != null) {
                conflicts.incrementAndGet();
                return status(409, "Operation cannot be fulfilled on pods/binding \"" + name + "\": " + refused);
            }
            MockResponse wrongUid = uidPrecondition(binding.path("metadata").path("uid").asString(""), pod);
            if (wrongUid != null) {
                return wrongUid;
            }
            ObjectNode patch = json.createObjectNode();
            patch.putObject("spec").put("nodeName", node);
            JsonNode annotations = binding.path("metadata").path("annotations");
            if (annotations.isObject() && !annotations.isEmpty()) {
                patch.putObject("metadata").set("annotations", annotations);
            }
            // As the API server does on a bind: PodScheduled=True, replacing any earlier PodScheduled condition.
            ArrayNode conditions = json.createArrayNode();
            for (JsonNode c : pod.path("status").path("conditions")) {
                if (!"PodScheduled".equals(c.path("type").asString(""))) {
                    conditions.add(c);
                }
            }
            conditions.addObject().put("type", "PodScheduled").put("status", "True")
                    .put("lastTransitionTime", DateTimeFormatter.ISO_INSTANT.format(
                            Instant.now().truncatedTo(ChronoUnit.SECONDS)));
            // The mock keeps status apart from the rest, as the API server's status subresource does; a JSON patch
            // replaces the list (its merge patch would keep the old PodScheduled condition next to the new one).
            ArrayNode statusPatch = json.createArrayNode();
            statusPatch.addObject().put("op", "add").put("path", "/status/conditions").set("value", conditions);
            MockResponse patched = super.handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, podPath,
                    Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                    new Buffer(json.writeValueAsBytes(patch))));
            if (patched.code() < 300) {
                patched = super.handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, podPath + "/status",
                        Headers.builder().add("Content-Type", "application/json-patch+json").build(),
                        new Buffer(json.writeValueAsBytes(statusPatch))));
            }
            if (patched.code() >= 300) {
                return patched;
            }
            binds.computeIfAbsent(namespace + "/" + name, k -> new AtomicInteger()).incrementAndGet();
        }
        return new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\","
                + "\"status\":\"Success\",\"code\":201}");
    }

    /**
     * The Eviction API (policy/v1) as the API server answers it: 404 for a missing pod, 409 when the UID precondition
     * does not match, 429 when a PodDisruptionBudget selecting the pod allows no disruption, else 201 and a graceful
     * deletion: the pod gets {@code deletionTimestamp} and {@code deletionGracePeriodSeconds} from its
     * {@code terminationGracePeriodSeconds} (default 30) and is deleted once that has passed, as its kubelet would; a
     * pod on no node, or with a grace period of 0, is deleted at once. A dry run ({@code dryRun=All}) changes nothing.
     *
     * <p>A budget's allowed disruptions are its {@code status.disruptionsAllowed} when it has a status (and each
     * eviction takes one, as the API server's does), else computed as the disruption controller would: the budget's
     * pods (matching its selector, not finished) that are healthy (bound, not being deleted) less those
     * {@code minAvailable} keeps, or less those {@code maxUnavailable} does not let go; percentages round up.
     */
    private MockResponse evict(String namespace, String name, String body, boolean dryRun) {
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        synchronized (bindLock) {
            JsonNode pod = stored(podPath);
            if (pod == null) {
                return status(404, "pods \"" + name + "\" not found");
            }
            JsonNode eviction = body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
            MockResponse wrongUid = uidPrecondition(eviction.path("deleteOptions").path("preconditions").path("uid")
                    .asString(""), pod);
            if (wrongUid != null) {
                return wrongUid;
            }
            if (!pod.path("metadata").path("deletionTimestamp").asString("").isEmpty()) {
                return evicted(); // already terminating: the API server grants it again without another disruption
            }
            for (JsonNode pdb : budgets(namespace)) {
                if (!selects(pdb.path("spec").path("selector"), pod.path("metadata").path("labels"))) {
                    continue;
                }
                if (allowed(namespace, pdb) < 1) {
                    evictionsRefused.incrementAndGet();
                    return status(429, "Cannot evict pod as it would violate the pod's disruption budget.");
                }
            }
            if (dryRun) {
                return evicted();
            }
            for (JsonNode pdb : budgets(namespace)) {
                JsonNode st = pdb.path("status").path("disruptionsAllowed");
                if (selects(pdb.path("spec").path("selector"), pod.path("metadata").path("labels"))
                        && st.isNumber()) {
                    ObjectNode patch = json.createObjectNode();
                    patch.putObject("status").put("disruptionsAllowed", st.asInt() - 1);
                    super.handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, "/apis/policy/v1/namespaces/"
                            + namespace + "/poddisruptionbudgets/" + pdb.path("metadata").path("name").asString()
                            + "/status", Headers.builder().add("Content-Type", "application/merge-patch+json")
                            .build(), new Buffer(json.writeValueAsBytes(patch))));
                }
            }
            evictions.computeIfAbsent(namespace + "/" + name, k -> new AtomicInteger()).incrementAndGet();
            long grace = pod.path("spec").path("terminationGracePeriodSeconds").asLong(30);
            if (grace <= 0 || pod.path("spec").path("nodeName").asString("").isEmpty()) {
                handleDelete(podPath);
                return evicted();
            }
            ObjectNode patch = json.createObjectNode();
            // The mock deletes an object whose deletionTimestamp is set unless a finalizer holds it: the kubelet's
            // finalizer stands for the kubelet stopping the containers, and goes with the pod at the end.
            ObjectNode meta = patch.putObject("metadata").put("deletionTimestamp", DateTimeFormatter.ISO_INSTANT
                    .format(Instant.now().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS)))
                    .put("deletionGracePeriodSeconds", grace);
            ArrayNode finalizers = meta.putArray("finalizers");
            pod.path("metadata").path("finalizers").forEach(finalizers::add);
            finalizers.add(KUBELET_FINALIZER);
            super.handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, podPath,
                    Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                    new Buffer(json.writeValueAsBytes(patch))));
            String podUid = pod.path("metadata").path("uid").asString("");
            kubelet.schedule(() -> deleteIfSame(podPath, podUid), grace, java.util.concurrent.TimeUnit.SECONDS);
        }
        return evicted();
    }

    private void deleteIfSame(String podPath, String uid) {
        try {
            finishDeletion(podPath, uid);
        } catch (RuntimeException e) {
            MOCK_LOG.warning("sandbox kubelet could not delete " + podPath + ": " + e);
        }
    }

    private void finishDeletion(String podPath, String uid) {
        synchronized (bindLock) {
            JsonNode pod = stored(podPath);
            if (pod != null && uid.equals(pod.path("metadata").path("uid").asString(""))) {
                ArrayNode left = json.createArrayNode();
                pod.path("metadata").path("finalizers").forEach(f -> {
                    if (!KUBELET_FINALIZER.equals(f.asString(""))) {
                        left.add(f);
                    }
                });
                // a JSON patch: the mock's merge patch leaves a list it is asked to empty as it was
                ArrayNode patch = json.createArrayNode();
                patch.addObject().put("op", "replace").put("path", "/metadata/finalizers").set("value", left);
                super.handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, podPath,
                        Headers.builder().add("Content-Type", "application/json-patch+json").build(),
                        new Buffer(json.writeValueAsBytes(patch))));
                if (left.isEmpty() && stored(podPath) != null) {
                    handleDelete(podPath);
                }
            }
        }
    }

    /** The stored object at the path, or null if there is none. */
    private JsonNode stored(String path) {
        MockResponse current = handleGet(path);
        return current.code() == 200 ? json.readTree(current.getBody().readUtf8()) : null;
    }

    /** The API server's 409 when a request's UID precondition names another pod; null when it holds. */
    private MockResponse uidPrecondition(String uid, JsonNode pod) {
        String actual = pod.path("metadata").path("uid").asString("");
        return uid.isEmpty() || uid.equals(actual) ? null
                : status(409, "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + actual);
    }

    private MockResponse evicted() {
        return new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\","
                + "\"status\":\"Success\",\"code\":201}");
    }

    private List<JsonNode> budgets(String namespace) {
        MockResponse list = super.handleGet("/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets");
        List<JsonNode> out = new ArrayList<>();
        if (list.code() == 200) {
            json.readTree(list.getBody().readUtf8()).path("items").forEach(out::add);
        }
        return out;
    }

    /** How many more pods the budget lets go now. */
    private int allowed(String namespace, JsonNode pdb) {
        JsonNode status = pdb.path("status").path("disruptionsAllowed");
        if (status.isNumber()) {
            return status.asInt();
        }
        int expected = 0;
        int healthy = 0;
        MockResponse pods = super.handleGet("/api/v1/namespaces/" + namespace + "/pods");
        for (JsonNode p : json.readTree(pods.getBody().readUtf8()).path("items")) {
            String phase = p.path("status").path("phase").asString("");
            if (phase.equals("Succeeded") || phase.equals("Failed")
                    || !selects(pdb.path("spec").path("selector"), p.path("metadata").path("labels"))) {
                continue;
            }
            expected++;
            if (!p.path("spec").path("nodeName").asString("").isEmpty()
                    && p.path("metadata").path("deletionTimestamp").asString("").isEmpty()) {
                healthy++;
            }
        }
        JsonNode spec = pdb.path("spec");
        if (spec.has("minAvailable")) {
            return healthy - scaled(spec.get("minAvailable"), expected);
        }
        if (spec.has("maxUnavailable")) {
            return healthy - (expected - scaled(spec.get("maxUnavailable"), expected));
        }
        return 0; // a budget that names neither allows nothing
    }

    /** An int-or-percent of {@code total}, a percentage rounded up as the disruption controller does. */
    private static int scaled(JsonNode value, int total) {
        if (value.isNumber()) {
            return value.asInt();
        }
        String s = value.asString("0").trim();
        if (s.endsWith("%")) {
            return (int) Math.ceil(Integer.parseInt(s.substring(0, s.length() - 1)) * total / 100.0);
        }
        return Integer.parseInt(s);
    }

    /** A LabelSelector (matchLabels; matchExpressions In, NotIn, Exists, DoesNotExist) against labels. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        if (selector.isMissingNode() || selector.isNull()) {
            return false; // a budget without a selector selects nothing (policy/v1: an empty one selects all)
        }
        for (var e : selector.path("matchLabels").properties()) {
            if (!e.getValue().asString("").equals(labels.path(e.getKey()).asString(null))) {
                return false;
            }
        }
        for (JsonNode r : selector.path("matchExpressions")) {
            String key = r.path("key").asString("");
            boolean has = labels.has(key);
            List<String> values = new ArrayList<>();
            r.path("values").forEach(v -> values.add(v.asString("")));
            boolean ok = switch (r.path("operator").asString("")) {
                case "In" -> has && values.contains(labels.path(key).asString(""));
                case "NotIn" -> !has || !values.contains(labels.path(key).asString(""));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private MockResponse status(int code, String message) {
        ObjectNode s = json.createObjectNode();
        s.put("apiVersion", "v1").put("kind", "Status").put("status", "Failure").put("code", code)
                .put("message", message).put("reason", switch (code) {
                    case 404 -> "NotFound";
                    case 409 -> "Conflict";
                    case 422 -> "Invalid";
                    case 429 -> "TooManyRequests";
                    case 500 -> "InternalError";
                    case 503 -> "ServiceUnavailable";
                    default -> "Unknown";
                });
        return new MockResponse().setResponseCode(code).setBody(json.writeValueAsString(s));
    }
}
