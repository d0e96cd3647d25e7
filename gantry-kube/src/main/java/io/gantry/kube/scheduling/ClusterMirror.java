package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.NodeSpec;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster as the API server last told it, and nothing else: every node (the GPUs its agent reports Unhealthy
 * are part of the node, {@link NodeSpec#unavailableGpus()}), and every pod that holds resources there (bound, or assumed while its bind is in flight). Pods stay
 * here when their node disappears and come back with it; pods seen before their node wait for it. The engine is
 * derived from this ({@link DerivedEngine}, told of every change through {@link Listener}) and can be rebuilt from it
 * at any time.
 *
 * <p>Not thread-safe: the scheduling loop owns it.
 */
final class ClusterMirror {

    /** Told of every change, after it is made. */
    interface Listener {
        void nodeAdded(NodeSpec node);

        void nodeChanged(NodeSpec before, NodeSpec after);

        void nodeRemoved(String name);

        void podPlaced(PlacedPod pod);

        void podForgotten(PlacedPod pod);
    }

    private static final Listener NONE = new Listener() {
        @Override
        public void nodeAdded(NodeSpec node) {
        }

        @Override
        public void nodeChanged(NodeSpec before, NodeSpec after) {
        }

        @Override
        public void nodeRemoved(String name) {
        }

        @Override
        public void podPlaced(PlacedPod pod) {
        }

        @Override
        public void podForgotten(PlacedPod pod) {
        }
    };

    private final Map<String, NodeSpec> nodes = new LinkedHashMap<>();
    private final Map<String, PlacedPod> placed = new LinkedHashMap<>();
    /** The same pods by node name, so one node's pods are found without walking them all. */
    private final Map<String, Map<String, PlacedPod>> placedByNode = new HashMap<>();
    /** Nodes added, changed or removed, or whose pods changed, since {@link #takeTouchedNodes}. */
    private Set<String> touched = new HashSet<>();
    private Listener listener = NONE;

    void listen(Listener l) {
        this.listener = requireNonNull(l, "listener");
    }

    // ---- nodes ---------------------------------------------------------------------------------------------

    /** Adds or changes a node. */
    void upsertNode(NodeSpec spec) {
        NodeSpec old = nodes.put(spec.name(), spec);
        if (old == null) {
            touched.add(spec.name());
            listener.nodeAdded(spec);
        } else if (!old.equals(spec)) {
            touched.add(spec.name());
            listener.nodeChanged(old, spec);
        }
    }

    void removeNode(String name) {
        if (nodes.remove(name) != null) {
            touched.add(name);
            listener.nodeRemoved(name); // its pods stay in `placed`, charged again if the node returns
        }
    }

    boolean hasNode(String name) {
        return nodes.containsKey(name);
    }

    Optional<NodeSpec> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    Collection<NodeSpec> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    // ---- pods ----------------------------------------------------------------------------------------------

    /**
     * Records a pod the API shows bound, or that Gantry assumed. Idempotent: the same placement again changes
     * nothing but may turn an assumed pod into a bound one.
     */
    void place(PlacedPod pod) {
        PlacedPod old = placed.get(pod.key());
        if (old != null) {
            if (old.samePlacement(pod)) {
                if (old.assumed() && !pod.assumed()) {
                    PlacedPod bound = new PlacedPod(old.key(), old.uid(), old.nodeName(), old.request(),
                            old.gpuIds(), false);
                    placed.put(pod.key(), bound);
                    placedByNode.get(old.nodeName()).put(pod.key(), bound);
                }
                return;
            }
            forget(pod.key());
        }
        placed.put(pod.key(), pod);
        placedByNode.computeIfAbsent(pod.nodeName(), n -> new LinkedHashMap<>()).put(pod.key(), pod);
        touched.add(pod.nodeName());
        listener.podPlaced(pod);
    }

    /** Gives back what the pod held, if anything. */
    Optional<PlacedPod> forget(String key) {
        PlacedPod p = placed.remove(key);
        if (p != null) {
            Map<String, PlacedPod> on = placedByNode.get(p.nodeName());
            on.remove(key);
            if (on.isEmpty()) {
                placedByNode.remove(p.nodeName());
            }
            touched.add(p.nodeName());
            listener.podForgotten(p);
        }
        return Optional.ofNullable(p);
    }

    Optional<PlacedPod> placement(String key) {
        return Optional.ofNullable(placed.get(key));
    }

    Collection<PlacedPod> placedPods() {
        return Collections.unmodifiableCollection(placed.values());
    }

    /** The pods holding resources on this node (whether or not the node is known). */
    Collection<PlacedPod> placedOn(String node) {
        Map<String, PlacedPod> on = placedByNode.get(node);
        return on == null ? List.of() : Collections.unmodifiableCollection(on.values());
    }

    /** The nodes touched (added, changed, removed, or a pod placed or forgotten there) since the last call. */
    Set<String> takeTouchedNodes() {
        Set<String> t = touched;
        touched = new HashSet<>();
        return t;
    }
}
