package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.QueueObjects;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.QueueTree;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.model.TenancyCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-tenant objects as the watches last showed them: Queue objects (parsed by the engine's
 * {@link QueueObjects}; one that does not parse is kept with its error, never dropped silently), the queue each
 * Namespace's label names, and PodGroups. The valid queues form the {@link QueueTree} the engine is built with; when
 * the valid queues together do not form a tree (a missing parent, a cycle, children guaranteed more than their
 * parent), the last tree that worked stays in force and every queue reports why. {@link #takeChange()} says when the
 * engine must be rebuilt and pending pods translated again.
 *
 * <p>Not thread-safe: the scheduling loop owns it.
 */
final class TenantObjects implements TenancyCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(TenantObjects.class);

    /** A PodGroup member as its PodGroup's status counts it. */
    record MemberState(String phase, boolean bound) {
    }

    /** One Queue object: its spec when it parsed, else the reason it did not. */
    record QueueEntry(String name, QueueSpec spec, String problem) {
    }

    private final Map<String, QueueEntry> queues = new TreeMap<>();
    private final Map<String, String> namespaceQueues = new HashMap<>();
    private final Map<String, PodGroupSpec> podGroups = new HashMap<>();
    private final Map<String, String> podGroupProblems = new HashMap<>();
    /** Per PodGroup ({@code namespace/name}), its pods' phases and whether they are bound, for its status. */
    private final Map<String, Map<String, MemberState>> members = new HashMap<>();
    /** Each labelled pod's PodGroup, so a pod whose label changes leaves the old one. */
    private final Map<String, String> groupOfPod = new HashMap<>();
    /** The queues the engine runs with: the last valid set that formed a tree. */
    private List<QueueSpec> inForce = List.of();
    private QueueTree tree = QueueTree.of(List.of());
    /** Why the valid queues do not form a tree now; empty when they do. */
    private String treeProblem = "";
    /** Queues or namespaces' queues changed: what every pod is charged to, so the engine is rebuilt. */
    private boolean changed;
    /** Only PodGroups changed: pending pods are read again; what is placed keeps its gang. */
    private boolean groupsChanged;

    // ---- watch events --------------------------------------------------------------------------------------

    void queueChanged(GenericKubernetesResource queue) {
        String name = queue.getMetadata().getName();
        QueueEntry entry;
        try {
            entry = new QueueEntry(name, QueueObjects.parse(asMap(queue), "Queue " + name), null);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; pods naming queue {} wait until it is fixed", e.getMessage(), name);
            entry = new QueueEntry(name, null, e.getMessage());
        }
        if (!entry.equals(queues.put(name, entry))) {
            retree();
        }
    }

    void queueDeleted(GenericKubernetesResource queue) {
        if (queues.remove(queue.getMetadata().getName()) != null) {
            retree();
        }
    }

    void namespaceChanged(Namespace ns) {
        Map<String, String> labels = ns.getMetadata().getLabels();
        String queue = labels == null ? null : labels.get(QUEUE_LABEL);
        String name = ns.getMetadata().getName();
        String old = queue == null ? namespaceQueues.remove(name) : namespaceQueues.put(name, queue);
        if (!java.util.Objects.equals(old, queue)) {
            changed = true;
        }
    }

    void namespaceDeleted(Namespace ns) {
        if (namespaceQueues.remove(ns.getMetadata().getName()) != null) {
            changed = true;
        }
    }

    void podGroupChanged(GenericKubernetesResource group) {
        String ns = group.getMetadata().getNamespace();
        String name = group.getMetadata().getName();
        String key = ns + "/" + name;
        PodGroupSpec spec = null;
        String problem = null;
        try {
            spec = podGroupSpec(ns, name, group.getAdditionalProperties().get("spec"),
                    group.getMetadata().getAnnotations() == null ? Map.of() : group.getMetadata().getAnnotations());
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
            LOG.warn("PodGroup {}: {}; its pods wait until it is fixed", key, problem);
        }
        boolean differs = !java.util.Objects.equals(spec, podGroups.get(key))
                || !java.util.Objects.equals(problem, podGroupProblems.get(key));
        put(podGroups, key, spec);
        put(podGroupProblems, key, problem);
        groupsChanged |= differs;
    }

    void podGroupDeleted(GenericKubernetesResource group) {
        String key = group.getMetadata().getNamespace() + "/" + group.getMetadata().getName();
        groupsChanged |= podGroups.remove(key) != null | podGroupProblems.remove(key) != null;
    }

    /** A pod as the watch shows it: counted in its PodGroup (by the label), whoever schedules it. */
    void podSeen(Pod pod) {
        String key = PodKeys.key(pod);
        Map<String, String> labels = pod.getMetadata().getLabels();
        String group = labels == null ? null : labels.get(POD_GROUP_LABEL);
        String gang = group == null ? null : pod.getMetadata().getNamespace() + "/" + group;
        String old = gang == null ? groupOfPod.remove(key) : groupOfPod.put(key, gang);
        if (old != null && !old.equals(gang)) {
            podGone(old, key);
        }
        if (gang != null) {
            String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending"
                    : pod.getStatus().getPhase();
            boolean bound = pod.getSpec() != null && pod.getSpec().getNodeName() != null
                    && !pod.getSpec().getNodeName().isEmpty();
            members.computeIfAbsent(gang, k -> new HashMap<>()).put(key, new MemberState(phase, bound));
        }
    }

    /** A pod deleted. */
    void podDeleted(Pod pod) {
        String key = PodKeys.key(pod);
        String gang = groupOfPod.remove(key);
        if (gang != null) {
            podGone(gang, key);
        }
    }

    private void podGone(String gang, String key) {
        Map<String, MemberState> m = members.get(gang);
        if (m != null && m.remove(key) != null && m.isEmpty()) {
            members.remove(gang);
        }
    }

    /** The PodGroup's pods as the watch shows them. */
    Map<String, MemberState> membersOf(String gang) {
        return java.util.Collections.unmodifiableMap(members.getOrDefault(gang, Map.of()));
    }

    /** Every PodGroup that exists and can be used. */
    java.util.Collection<PodGroupSpec> podGroups() {
        return java.util.Collections.unmodifiableCollection(podGroups.values());
    }

    private static <V> void put(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    /** What changed since the last call. */
    enum Change { NONE, POD_GROUPS, QUEUES }

    /**
     * Once after a change: {@link Change#QUEUES} when queues or namespaces' queues changed (the engine is rebuilt),
     * {@link Change#POD_GROUPS} when only PodGroups did (pending pods are read again; held and placed members keep
     * the gang they were placed with, so a busy cluster's new PodGroups release no other gang).
     */
    Change takeChange() {
        Change c = changed ? Change.QUEUES : groupsChanged ? Change.POD_GROUPS : Change.NONE;
        changed = false;
        groupsChanged = false;
        return c;
    }

    // ---- what the engine and the status writer read --------------------------------------------------------

    /** The queues the engine is built with (the default queue is added by the engine). */
    List<QueueSpec> queuesInForce() {
        return inForce;
    }

    QueueTree tree() {
        return tree;
    }

    /** Every Queue object, valid or not, by name. */
    Map<String, QueueEntry> queueObjects() {
        return java.util.Collections.unmodifiableMap(queues);
    }

    /** Why the valid queues do not form a tree (the previous tree stays in force); empty when they do. */
    String treeProblem() {
        return treeProblem;
    }

    private void retree() {
        changed = true;
        List<QueueSpec> valid = new ArrayList<>();
        for (QueueEntry e : queues.values()) {
            if (e.spec() != null) {
                valid.add(e.spec());
            }
        }
        try {
            tree = QueueTree.of(valid);
            inForce = List.copyOf(valid);
            treeProblem = "";
        } catch (IllegalArgumentException e) {
            treeProblem = e.getMessage();
            LOG.warn("the queues do not form a tree ({}); the previous {} queue(s) stay in force until fixed",
                    treeProblem, inForce.size());
        }
    }

    // ---- TenancyCatalog ------------------------------------------------------------------------------------

    @Override
    public Optional<String> namespaceQueue(String namespace) {
        return Optional.ofNullable(namespaceQueues.get(namespace));
    }

    @Override
    public Optional<String> queueProblem(String name) {
        int q = tree.indexOf(name);
        if (q >= 0) {
            if (!tree.isLeaf(q)) {
                List<String> children = new ArrayList<>();
                for (int c : tree.children(q)) {
                    children.add(tree.name(c));
                }
                return Optional.of("has child queues (" + String.join(", ", children)
                        + "); pods go to a leaf queue: label the pod or its namespace with one of those");
            }
            return Optional.empty();
        }
        QueueEntry e = queues.get(name);
        if (e != null && e.problem() != null) {
            return Optional.of("is not valid: " + e.problem());
        }
        if (e != null) {
            return Optional.of("is not in force: " + treeProblem);
        }
        return Optional.of("does not exist; create the Queue (kubectl get queues lists them) or fix the label");
    }

    @Override
    public Optional<PodGroupSpec> podGroup(String namespace, String name) {
        return Optional.ofNullable(podGroups.get(namespace + "/" + name));
    }

    @Override
    public Optional<String> podGroupProblem(String namespace, String name) {
        return Optional.ofNullable(podGroupProblems.get(namespace + "/" + name));
    }

    // ---- parsing -------------------------------------------------------------------------------------------

    /** The object as the map {@link QueueObjects#parse} reads: every top-level field, metadata by name only. */
    private static Map<String, Object> asMap(GenericKubernetesResource r) {
        Map<String, Object> m = new LinkedHashMap<>(r.getAdditionalProperties());
        m.put("apiVersion", r.getApiVersion());
        m.put("kind", r.getKind());
        m.put("metadata", Map.of("name", r.getMetadata().getName()));
        return m;
    }

    /** A PodGroup's spec; throws naming the field when it cannot be used. */
    static PodGroupSpec podGroupSpec(String ns, String name, Object rawSpec, Map<String, String> annotations) {
        Map<?, ?> spec = rawSpec instanceof Map<?, ?> m ? m : Map.of();
        if (rawSpec != null && !(rawSpec instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("spec must be a mapping, got " + rawSpec);
        }
        long minMember = whole(spec.get("minMember"), "spec.minMember", 1);
        long timeout = whole(spec.get("scheduleTimeoutSeconds"), "spec.scheduleTimeoutSeconds",
                GangSpec.DEFAULT_TIMEOUT_SECONDS);
        Map<String, String> minResources = new TreeMap<>();
        Object raw = spec.get("minResources");
        if (raw instanceof Map<?, ?> res) {
            res.forEach((k, v) -> minResources.put(String.valueOf(k), String.valueOf(v)));
        } else if (raw != null) {
            throw new IllegalArgumentException("spec.minResources must be a mapping of resource to quantity, got "
                    + raw);
        }
        String required = annotations.getOrDefault(TenancyCatalog.REQUIRED_TOPOLOGY, "").trim();
        String preferred = annotations.getOrDefault(TenancyCatalog.PREFERRED_TOPOLOGY, "").trim();
        if (!required.isEmpty() && !preferred.isEmpty()) {
            throw new IllegalArgumentException("annotations " + TenancyCatalog.REQUIRED_TOPOLOGY + " and "
                    + TenancyCatalog.PREFERRED_TOPOLOGY + " are both set; keep one (a node label key such as"
                    + " topology.kubernetes.io/zone)");
        }
        // scheduler-plugins treats 0 as "no minimum": one member is a gang of one.
        return new PodGroupSpec(ns, name, (int) Math.max(1, minMember), timeout == 0
                ? GangSpec.DEFAULT_TIMEOUT_SECONDS : timeout, minResources, required.isEmpty() ? preferred : required,
                !required.isEmpty());
    }

    private static long whole(Object raw, String field, long fallback) {
        if (raw == null) {
            return fallback;
        }
        if (raw instanceof Integer || raw instanceof Long) {
            long v = ((Number) raw).longValue();
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(field + " must be from 0 to " + Integer.MAX_VALUE + ", got " + v);
            }
            return v;
        }
        throw new IllegalArgumentException(field + " must be a whole number, got " + raw);
    }
}
