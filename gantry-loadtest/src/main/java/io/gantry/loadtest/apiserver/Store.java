package io.gantry.loadtest.apiserver;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API server's objects, indexed so that no request costs more with more objects stored: by type and key
 * ({@code namespace/name}), by namespace, and for pods by {@code spec.nodeName} and {@code spec.schedulerName}.
 * Watches are fanned out by type, and watches that select on an indexed field are found through the same index.
 * Every object is serialized once per change; gets, lists and watch events reuse those bytes.
 *
 * <p>One lock orders all changes, so resource versions are one global sequence, as etcd's revisions are, and every
 * watcher sees the changes in that order. Each type keeps its recent changes so that a watch can resume from a
 * resource version; one older than that history is answered with 410 Gone, as the API server does.
 */
public final class Store {

    /** Where a watch's events go, in order. Called with the store's lock held: must not block. */
    public interface WatchSink {
        void send(byte[] frame);

        /** The watch ends (the server stops or the history no longer reaches the asked version). */
        void close();
    }

    /** A running watch; {@link #cancel()} stops its events. */
    public final class Watch {
        private final Table table;
        private final Watcher watcher;

        private Watch(Table table, Watcher watcher) {
            this.table = table;
            this.watcher = watcher;
        }

        public void cancel() {
            synchronized (Store.this) {
                table.remove(watcher);
            }
        }
    }

    /** One stored object version and its serialized form. */
    record Stored(String key, String namespace, String name, long rv, ObjectNode object, byte[] json) {
    }

    /** One change of a type: the object before (null on create) and after (null on delete). */
    private record Change(long rv, Stored before, Stored after, Stored deleted) {
    }

    /** A registered watch: its namespace (null: all), selector and the indexed term it is filed under, if any. */
    private record Watcher(String namespace, Selector selector, Selector.Term indexed, WatchSink sink) {
        boolean matches(Stored s) {
            return s != null && (namespace == null || namespace.equals(s.namespace()))
                    && selector.matches(s.object());
        }
    }

    /** An answer: HTTP code and JSON body. */
    public record Reply(int code, byte[] body) {
    }

    private static final byte[] ITEMS_END = "]}".getBytes(StandardCharsets.UTF_8);

    private final ObjectMapper json;
    private final int historyLimit;
    private final Map<ResourceType, Table> tables = new HashMap<>();
    private final BindLedger ledger = new BindLedger();
    private long revision;

    public Store(ObjectMapper json, int historyLimit) {
        this.json = requireNonNull(json, "json");
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be >= 1");
        }
        this.historyLimit = historyLimit;
        for (ResourceType t : ResourceType.ALL) {
            tables.put(t, new Table(t));
        }
    }

    /** Binds and creations of pods, for the load test's report. Read it with the store's lock held. */
    BindLedger ledger() {
        return ledger;
    }

    /** Runs {@code read} with the store's lock held, so that it sees one consistent state. */
    public synchronized <T> T locked(java.util.function.Function<BindLedger, T> read) {
        return read.apply(ledger);
    }

    public synchronized long revision() {
        return revision;
    }

    // ---- reads ----

    public synchronized Reply get(ResourceType type, String namespace, String name) {
        Stored s = tables.get(type).byKey.get(key(type, namespace, name));
        if (s == null) {
            throw ApiException.notFound(type, name);
        }
        return new Reply(200, s.json());
    }

    /** A list of the type, in a namespace ({@code null}: all), filtered by the selector. */
    public Reply list(ResourceType type, String namespace, Selector selector) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        synchronized (this) {
            Table table = tables.get(type);
            String head = "{\"apiVersion\":\"" + type.apiVersion() + "\",\"kind\":\"" + type.kind()
                    + "List\",\"metadata\":{\"resourceVersion\":\"" + revision + "\"},\"items\":[";
            out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
            boolean first = true;
            for (Stored s : table.candidates(namespace, selector)) {
                if ((namespace == null || namespace.equals(s.namespace())) && selector.matches(s.object())) {
                    if (!first) {
                        out.write(',');
                    }
                    first = false;
                    out.writeBytes(s.json());
                }
            }
        }
        out.writeBytes(ITEMS_END);
        return new Reply(200, out.toByteArray());
    }

    /**
     * Starts a watch from {@code resourceVersion} (exclusive). {@code null}, {@code ""} or {@code "0"} start with
     * an ADDED event for every object that matches, then the changes after it, as the API server does.
     */
    public synchronized Watch watch(ResourceType type, String namespace, Selector selector, String resourceVersion,
            WatchSink sink) {
        Table table = tables.get(type);
        Selector.Term indexed = selector.indexedTerm(type).orElse(null);
        Watcher w = new Watcher(namespace, selector, indexed, sink);
        if (resourceVersion == null || resourceVersion.isEmpty() || resourceVersion.equals("0")) {
            for (Stored s : table.candidates(namespace, selector)) {
                if (w.matches(s)) {
                    sink.send(frame("ADDED", s.json()));
                }
            }
        } else {
            long from;
            try {
                from = Long.parseLong(resourceVersion);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("resourceVersion '" + resourceVersion + "' is not a number");
            }
            if (from < table.forgottenUpTo) {
                sink.send(frame("ERROR", status(410, "Expired", "too old resource version: " + from + " ("
                        + table.forgottenUpTo + ")")));
                sink.close();
                return new Watch(table, w);
            }
            for (Change c : table.history) {
                if (c.rv() > from) {
                    deliver(w, c, new Frames(c));
                }
            }
        }
        table.add(w);
        return new Watch(table, w);
    }

    // ---- writes ----

    /** Creates the object in the namespace of the path ({@code null} for cluster-scoped types or none given). */
    public Reply create(ResourceType type, String pathNamespace, ObjectNode object) {
        checkKind(type, object);
        ObjectNode meta = metadata(object);
        String namespace = null;
        if (type.namespaced()) {
            String bodyNs = meta.path("namespace").asString("");
            if (pathNamespace != null && !bodyNs.isEmpty() && !bodyNs.equals(pathNamespace)) {
                throw ApiException.badRequest("the namespace of the provided object (" + bodyNs + ") does not match "
                        + "the namespace sent on the request (" + pathNamespace + ")");
            }
            namespace = pathNamespace != null ? pathNamespace : bodyNs.isEmpty() ? "default" : bodyNs;
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        String name = meta.path("name").asString("");
        if (name.isEmpty()) {
            String prefix = meta.path("generateName").asString("");
            if (prefix.isEmpty()) {
                throw ApiException.invalid(type.kind() + ": metadata.name or metadata.generateName is required");
            }
            name = prefix + randomSuffix();
            meta.put("name", name);
        }
        object.put("apiVersion", type.apiVersion());
        object.put("kind", type.kind());
        meta.put("uid", uid());
        meta.put("creationTimestamp", now());
        if (type == ResourceType.PODS && object.path("status").path("phase").asString("").isEmpty()) {
            object.withObjectProperty("status").put("phase", "Pending");
        }
        synchronized (this) {
            Table table = tables.get(type);
            String key = key(type, namespace, name);
            if (table.byKey.containsKey(key)) {
                throw ApiException.alreadyExists(type, name);
            }
            Stored s = commit(table, null, key, namespace, name, object);
            if (type == ResourceType.PODS) {
                ledger.created(key, System.nanoTime());
            }
            return new Reply(201, s.json());
        }
    }

    /** Replaces the object (PUT); a {@code metadata.resourceVersion} in the body must be the current one. */
    public synchronized Reply update(ResourceType type, String namespace, String name, String subresource,
            ObjectNode object) {
        checkKind(type, object);
        Table table = tables.get(type);
        String key = key(type, namespace, name);
        Stored current = table.byKey.get(key);
        if (current == null) {
            throw ApiException.notFound(type, name);
        }
        String bodyName = metadata(object).path("name").asString(name);
        if (!bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the "
                    + "URL (" + name + ")");
        }
        checkResourceVersion(type, current, object);
        ObjectNode next;
        if ("status".equals(subresource)) {
            next = current.object().deepCopy();
            next.set("status", object.path("status").deepCopy());
        } else if (subresource == null) {
            next = object;
            ObjectNode meta = metadata(next);
            keepIdentity(current, meta);
            next.put("apiVersion", type.apiVersion());
            next.put("kind", type.kind());
        } else {
            throw ApiException.notFound(type, name + "/" + subresource);
        }
        return new Reply(200, commit(table, current, key, namespace, name, next).json());
    }

    /**
     * Patches the object: {@code application/merge-patch+json}, {@code application/strategic-merge-patch+json} (see
     * {@link Patches}) or {@code application/json-patch+json} (RFC 6902, through fabric8's zjsonpatch).
     */
    public Reply patch(ResourceType type, String namespace, String name, String subresource, String contentType,
            byte[] body) {
        String media = contentType == null ? "" : contentType.split(";")[0].trim();
        JsonNode patch;
        try {
            patch = json.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the patch is not JSON: " + e.getMessage());
        }
        switch (media) {
            case "application/merge-patch+json", "application/strategic-merge-patch+json" -> {
                if (!patch.isObject()) {
                    throw ApiException.badRequest("a merge patch must be a JSON object");
                }
            }
            case "application/json-patch+json" -> {
                if (!patch.isArray()) {
                    throw ApiException.badRequest("a JSON patch must be an array of operations");
                }
            }
            default -> throw ApiException.unsupportedMediaType("patch type '" + media + "' is not supported by this "
                    + "API server; send application/merge-patch+json, application/strategic-merge-patch+json or "
                    + "application/json-patch+json");
        }
        return patch(type, namespace, name, subresource, media, patch);
    }

    private synchronized Reply patch(ResourceType type, String namespace, String name, String subresource,
            String media, JsonNode patch) {
        Table table = tables.get(type);
        String key = key(type, namespace, name);
        Stored current = table.byKey.get(key);
        if (current == null) {
            throw ApiException.notFound(type, name);
        }
        if (subresource != null && !subresource.equals("status")) {
            throw ApiException.notFound(type, name + "/" + subresource);
        }
        ObjectNode patched;
        if (media.equals("application/json-patch+json")) {
            patched = Patches.jsonPatch(current.object(), patch);
        } else {
            checkResourceVersion(type, current, patch);
            patched = current.object().deepCopy();
            if (media.equals("application/merge-patch+json")) {
                Patches.merge(patched, patch);
            } else {
                Patches.strategic(patched, patch, "");
            }
        }
        checkResourceVersion(type, current, patched);
        ObjectNode next;
        if ("status".equals(subresource)) {
            next = current.object().deepCopy();
            next.set("status", patched.path("status").deepCopy());
        } else {
            next = patched;
        }
        keepIdentity(current, metadata(next));
        return new Reply(200, commit(table, current, key, namespace, name, next).json());
    }

    public synchronized Reply delete(ResourceType type, String namespace, String name) {
        Table table = tables.get(type);
        String key = key(type, namespace, name);
        Stored current = table.byKey.get(key);
        if (current == null) {
            throw ApiException.notFound(type, name);
        }
        long rv = ++revision;
        ObjectNode gone = current.object().deepCopy();
        metadata(gone).put("resourceVersion", Long.toString(rv));
        Stored deleted = new Stored(key, current.namespace(), current.name(), rv, gone, bytes(gone));
        table.unindex(current);
        table.byKey.remove(key);
        if (current.namespace() != null) {
            Map<String, Stored> inNs = table.byNamespace.get(current.namespace());
            inNs.remove(key);
        }
        record(table, new Change(rv, current, null, deleted));
        return new Reply(200, deleted.json());
    }

    /**
     * {@code POST pods/{name}/eviction} (policy/v1 Eviction), as the API server answers it where no
     * PodDisruptionBudget covers the pod: 404 for a missing pod, 409 when the Eviction's
     * {@code deleteOptions.preconditions.uid} is not the pod's, else 201. This server has no kubelets, so a granted
     * eviction deletes the pod at once, as a grace period of 0 would; one of a pod already being deleted is granted
     * again without another deletion, as the API server does. PodDisruptionBudgets are not served here, so none can
     * refuse an eviction (the sandbox of {@code gantry-kube-sandbox} answers 429 for them; the load test has none).
     * {@code dryRun} ({@code ?dryRun=All}, or {@code deleteOptions.dryRun: [All]}) changes nothing.
     */
    public Reply evict(String namespace, String name, JsonNode eviction, boolean dryRun) {
        JsonNode options = eviction.path("deleteOptions");
        String uid = options.path("preconditions").path("uid").asString("");
        boolean dry = dryRun;
        for (JsonNode d : options.path("dryRun")) {
            dry |= "All".equals(d.asString(""));
        }
        synchronized (this) {
            String key = key(ResourceType.PODS, namespace, name);
            Stored current = tables.get(ResourceType.PODS).byKey.get(key);
            if (current == null) {
                throw ApiException.notFound(ResourceType.PODS, name);
            }
            String actual = current.object().path("metadata").path("uid").asString("");
            if (!uid.isEmpty() && !uid.equals(actual)) {
                throw ApiException.conflict("Operation cannot be fulfilled on Pod \"" + name + "\": Precondition "
                        + "failed: UID in precondition: " + uid + ", UID in object meta: " + actual);
            }
            if (!dry) {
                delete(ResourceType.PODS, namespace, name);
                ledger.evicted(key);
            }
        }
        return new Reply(201, status(201, null, null));
    }

    /**
     * {@code POST pods/{name}/binding}: sets {@code spec.nodeName}, copies the Binding's annotations onto the pod
     * and sets {@code PodScheduled=True}, as the API server does. 404 for a missing pod; 409 for a pod with another
     * UID than the Binding's precondition, being deleted, already bound or with scheduling gates.
     */
    public Reply bind(String namespace, String name, JsonNode binding) {
        JsonNode target = binding.path("target");
        String node = target.path("name").asString("");
        if (node.isEmpty()) {
            throw ApiException.invalid("Binding \"" + name + "\" is invalid: target.name: Required value");
        }
        String targetKind = target.path("kind").asString("");
        if (!targetKind.isEmpty() && !targetKind.equals("Node")) {
            throw ApiException.invalid("Binding \"" + name + "\" is invalid: target.kind: must be Node, got "
                    + targetKind);
        }
        JsonNode annotations = binding.path("metadata").path("annotations");
        String uid = binding.path("metadata").path("uid").asString("");
        synchronized (this) {
            Table table = tables.get(ResourceType.PODS);
            String key = key(ResourceType.PODS, namespace, name);
            Stored current = table.byKey.get(key);
            if (current == null) {
                throw ApiException.notFound(ResourceType.PODS, name);
            }
            JsonNode meta = current.object().path("metadata");
            if (!uid.isEmpty() && !uid.equals(meta.path("uid").asString(""))) {
                throw ApiException.conflict("Operation cannot be fulfilled on pods/binding \"" + name + "\": "
                        + "Precondition failed: UID in precondition: " + uid + ", UID in object meta: "
                        + meta.path("uid").asString(""));
            }
            // The API server's checks, in its order (pkg/registry/core/pod/storage/storage.go,
            // setPodHostAndAnnotations), each a 409 "Operation cannot be fulfilled on pods/binding".
            String bound = current.object().path("spec").path("nodeName").asString("");
            JsonNode gates = current.object().path("spec").path("schedulingGates");
            String refused = null;
            if (!meta.path("deletionTimestamp").asString("").isEmpty()) {
                refused = "pod " + name + " is being deleted, cannot be assigned to a host";
            } else if (!bound.isEmpty()) {
                refused = "pod " + name + " is already assigned to node \"" + bound + "\"";
            } else if (gates.isArray() && !gates.isEmpty()) {
                refused = "pod " + name + " has non-empty .spec.schedulingGates";
            }
            if (refused != null) {
                ledger.conflict(key);
                throw ApiException.conflict("Operation cannot be fulfilled on pods/binding \"" + name + "\": "
                        + refused);
            }
            ObjectNode next = current.object().deepCopy();
            next.withObjectProperty("spec").put("nodeName", node);
            if (annotations.isObject() && !annotations.isEmpty()) {
                ObjectNode into = metadata(next).withObjectProperty("annotations");
                annotations.properties().forEach(e -> into.set(e.getKey(), e.getValue().deepCopy()));
            }
            setCondition(next.withObjectProperty("status"), "PodScheduled", "True");
            commit(table, current, key, namespace, name, next);
            ledger.bound(key, System.nanoTime());
        }
        return new Reply(201, status(201, null, null));
    }

    // ---- internals ----

    private static void setCondition(ObjectNode status, String type, String value) {
        JsonNode existing = status.get("conditions");
        ArrayNode conditions = existing instanceof ArrayNode a ? a : status.putArray("conditions");
        for (int i = 0; i < conditions.size(); i++) {
            if (conditions.get(i).path("type").asString("").equals(type)) {
                ObjectNode c = (ObjectNode) conditions.get(i).deepCopy();
                if (!value.equals(c.path("status").asString(""))) {
                    c.put("lastTransitionTime", now());
                }
                c.put("status", value);
                c.remove("reason");
                c.remove("message");
                conditions.set(i, c);
                return;
            }
        }
        conditions.addObject().put("type", type).put("status", value).put("lastTransitionTime", now());
    }

    private Stored commit(Table table, Stored before, String key, String namespace, String name, ObjectNode object) {
        long rv = ++revision;
        metadata(object).put("resourceVersion", Long.toString(rv));
        Stored after = new Stored(key, namespace, name, rv, object, bytes(object));
        if (before != null) {
            table.unindex(before);
        }
        table.byKey.put(key, after);
        if (namespace != null) {
            table.byNamespace.computeIfAbsent(namespace, k -> new LinkedHashMap<>()).put(key, after);
        }
        table.index(after);
        record(table, new Change(rv, before, after, null));
        return after;
    }

    private void record(Table table, Change change) {
        table.history.addLast(change);
        while (table.history.size() > historyLimit) {
            table.forgottenUpTo = table.history.removeFirst().rv();
        }
        Frames frames = new Frames(change);
        for (Watcher w : table.watchersFor(change)) {
            deliver(w, change, frames);
        }
    }

    /** The event frames of one change, serialized at most once each. */
    private final class Frames {
        private final Change change;
        private byte[] added;
        private byte[] modified;
        private byte[] deleted;

        Frames(Change change) {
            this.change = change;
        }

        byte[] added() {
            return added != null ? added : (added = frame("ADDED", change.after().json()));
        }

        byte[] modified() {
            return modified != null ? modified : (modified = frame("MODIFIED", change.after().json()));
        }

        byte[] deleted() {
            if (deleted == null) {
                if (change.deleted() != null) {
                    deleted = frame("DELETED", change.deleted().json());
                } else {
                    // The object no longer matches the watch: its previous state at the change's version.
                    ObjectNode before = change.before().object().deepCopy();
                    metadata(before).put("resourceVersion", Long.toString(change.rv()));
                    deleted = frame("DELETED", bytes(before));
                }
            }
            return deleted;
        }
    }

    private static void deliver(Watcher w, Change c, Frames frames) {
        boolean was = w.matches(c.before());
        boolean is = w.matches(c.after());
        if (was && is) {
            w.sink().send(frames.modified());
        } else if (is) {
            w.sink().send(frames.added());
        } else if (was) {
            w.sink().send(frames.deleted());
        }
    }

    private static byte[] frame(String type, byte[] object) {
        byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + object.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(object, 0, out, head.length, object.length);
        out[out.length - 2] = '}';
        out[out.length - 1] = '\n';
        return out;
    }

    private byte[] bytes(JsonNode node) {
        return json.writeValueAsBytes(node);
    }

    /** A Status object as the API server writes it. */
    public static byte[] status(int code, String reason, String message) {
        StringBuilder b = new StringBuilder("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},");
        if (code < 300) {
            b.append("\"status\":\"Success\",\"code\":").append(code).append('}');
        } else {
            b.append("\"status\":\"Failure\",\"message\":\"").append(escape(message)).append("\",\"reason\":\"")
                    .append(reason).append("\",\"code\":").append(code).append('}');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static void checkKind(ResourceType type, ObjectNode object) {
        String kind = object.path("kind").asString("");
        if (!kind.isEmpty() && !kind.equals(type.kind())) {
            throw ApiException.badRequest("the body is a " + kind + ", the URL names " + type.plural());
        }
    }

    private static void checkResourceVersion(ResourceType type, Stored current, JsonNode body) {
        String rv = body.path("metadata").path("resourceVersion").asString("");
        if (!rv.isEmpty() && !rv.equals(Long.toString(current.rv()))) {
            throw ApiException.conflict("Operation cannot be fulfilled on " + type.plural() + " \"" + current.name()
                    + "\": the object has been modified; please apply your changes to the latest version and try "
                    + "again");
        }
    }

    private static void keepIdentity(Stored current, ObjectNode meta) {
        JsonNode was = current.object().path("metadata");
        meta.put("name", current.name());
        if (current.namespace() != null) {
            meta.put("namespace", current.namespace());
        }
        meta.set("uid", was.path("uid").deepCopy());
        meta.set("creationTimestamp", was.path("creationTimestamp").deepCopy());
    }

    private static ObjectNode metadata(ObjectNode object) {
        JsonNode m = object.get("metadata");
        if (m instanceof ObjectNode o) {
            return o;
        }
        if (m != null && !m.isNull()) {
            throw ApiException.badRequest("metadata must be an object");
        }
        return object.putObject("metadata");
    }

    static String key(ResourceType type, String namespace, String name) {
        return type.namespaced() ? namespace + "/" + name : name;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String uid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL)
                | 0x8000000000000000L).toString();
    }

    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder b = new StringBuilder(5);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** The objects, indexes, history and watchers of one type. Guarded by the store's lock. */
    private static final class Table {
        final ResourceType type;
        final Map<String, Stored> byKey = new LinkedHashMap<>();
        final Map<String, Map<String, Stored>> byNamespace = new HashMap<>();
        /** field -> value -> keys. */
        final Map<String, Map<String, Set<String>>> index = new HashMap<>();
        final ArrayDeque<Change> history = new ArrayDeque<>();
        long forgottenUpTo;
        final List<Watcher> plainWatchers = new ArrayList<>();
        /** field -> value -> watchers selecting field=value. */
        final Map<String, Map<String, List<Watcher>>> indexedWatchers = new HashMap<>();

        Table(ResourceType type) {
            this.type = type;
            for (String f : type.indexedFields()) {
                index.put(f, new HashMap<>());
                indexedWatchers.put(f, new HashMap<>());
            }
        }

        void index(Stored s) {
            for (String f : type.indexedFields()) {
                index.get(f).computeIfAbsent(ObjectFields.text(s.object(), f), k -> new LinkedHashSet<>())
                        .add(s.key());
            }
        }

        void unindex(Stored s) {
            for (String f : type.indexedFields()) {
                Map<String, Set<String>> byValue = index.get(f);
                String v = ObjectFields.text(s.object(), f);
                Set<String> keys = byValue.get(v);
                if (keys != null) {
                    keys.remove(s.key());
                    if (keys.isEmpty()) {
                        byValue.remove(v);
                    }
                }
            }
        }

        /** The objects a query has to look at: the index's answer when it has one, else the namespace or all. */
        Collection<Stored> candidates(String namespace, Selector selector) {
            Optional<Selector.Term> term = selector.indexedTerm(type);
            if (term.isPresent()) {
                Set<String> keys = index.get(term.get().key()).getOrDefault(term.get().value(), Set.of());
                List<Stored> out = new ArrayList<>(keys.size());
                for (String k : keys) {
                    out.add(byKey.get(k));
                }
                return out;
            }
            if (namespace != null && type.namespaced()) {
                return byNamespace.getOrDefault(namespace, Map.of()).values();
            }
            return byKey.values();
        }

        void add(Watcher w) {
            if (w.indexed() == null) {
                plainWatchers.add(w);
            } else {
                indexedWatchers.get(w.indexed().key()).computeIfAbsent(w.indexed().value(), k -> new ArrayList<>())
                        .add(w);
            }
        }

        void remove(Watcher w) {
            if (w.indexed() == null) {
                plainWatchers.remove(w);
            } else {
                Map<String, List<Watcher>> byValue = indexedWatchers.get(w.indexed().key());
                List<Watcher> list = byValue.get(w.indexed().value());
                if (list != null) {
                    list.remove(w);
                    if (list.isEmpty()) {
                        byValue.remove(w.indexed().value());
                    }
                }
            }
        }

        /** The watchers a change may concern: all plain ones, and the indexed ones filed under its values. */
        Collection<Watcher> watchersFor(Change c) {
            if (indexedWatchers.values().stream().allMatch(Map::isEmpty)) {
                return plainWatchers;
            }
            Set<Watcher> out = new LinkedHashSet<>(plainWatchers);
            for (Map.Entry<String, Map<String, List<Watcher>>> e : indexedWatchers.entrySet()) {
                Set<String> values = new HashSet<>(2);
                if (c.before() != null) {
                    values.add(ObjectFields.text(c.before().object(), e.getKey()));
                }
                if (c.after() != null) {
                    values.add(ObjectFields.text(c.after().object(), e.getKey()));
                }
                for (String v : values) {
                    out.addAll(e.getValue().getOrDefault(v, List.of()));
                }
            }
            return out;
        }
    }
}
