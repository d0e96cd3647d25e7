package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.Explanation;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.Assessment;
import io.gantry.engine.frag.TargetWorkload;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The cluster as the API server last told it, kept apart from the engine so the engine can be rebuilt from it at
 * any time: every node, and every pod that holds resources (bound, or assumed while its bind is in flight). Pods
 * stay here when their node disappears and come back with it; pods seen before their node wait for it.
 *
 * <p>The engine's FGD policy measures fragmentation against a target workload. Gantry learns it from the GPU pods it
 * sees, starting from a broad default mix, and rebuilds the engine when the learnt mix changes.
 *
 * <p>Not thread-safe: the scheduling loop owns it.
 */
final class ClusterMirror {

    /** Below this many observed GPU pods, the default mix is blended in. */
    static final int MIN_OBSERVED_FOR_TARGET = 20;

    private final Policy policy;
    private final ScoringMode mode;
    private final long seed;
    private final Map<String, NodeSpec> nodes = new LinkedHashMap<>();
    private final Map<String, PlacedPod> placed = new LinkedHashMap<>();
    /** GPU pods seen (pending or placed), for the target workload. */
    private final Map<String, PodRequest> observed = new LinkedHashMap<>();
    /** Per node, the GPU indices its agent reports Unhealthy: charged as full, so nothing new lands on them. */
    private final Map<String, List<Integer>> unhealthy = new LinkedHashMap<>();
    private Scheduler scheduler;
    private TargetWorkload target;
    private int rebuilds;

    ClusterMirror(Policy policy, ScoringMode mode, long seed) {
        this.policy = requireNonNull(policy, "policy");
        this.mode = requireNonNull(mode, "mode");
        this.seed = seed;
        this.target = targetFrom(observed.values());
        this.scheduler = newScheduler();
    }

    // ---- nodes ---------------------------------------------------------------------------------------------

    /** Adds or changes a node. Pods already known to be on it are charged to it. */
    void upsertNode(NodeSpec spec) {
        NodeSpec old = nodes.put(spec.name(), spec);
        if (old == null) {
            scheduler.addNode(spec);
            for (PlacedPod p : placed.values()) {
                if (p.nodeName().equals(spec.name())) {
                    charge(p);
                }
            }
            chargeUnhealthy(spec.name());
        } else if (!old.equals(spec)) {
            scheduler.updateNode(spec);
        }
    }

    void removeNode(String name) {
        if (nodes.remove(name) != null) {
            scheduler.removeNode(name); // its pods stay in `placed`, charged again if the node returns
        }
    }

    /** Sets the node's Unhealthy GPUs; GPUs no longer listed are free again. */
    void setUnhealthyGpus(String node, List<Integer> gpus) {
        List<Integer> before = unhealthy.getOrDefault(node, List.of());
        if (before.equals(gpus)) {
            return;
        }
        if (nodes.containsKey(node)) {
            for (int g : before) {
                scheduler.release(unhealthyKey(node, g));
            }
        }
        if (gpus.isEmpty()) {
            unhealthy.remove(node);
        } else {
            unhealthy.put(node, List.copyOf(gpus));
        }
        if (nodes.containsKey(node)) {
            chargeUnhealthy(node);
        }
    }

    private void chargeUnhealthy(String node) {
        NodeSpec spec = nodes.get(node);
        for (int g : unhealthy.getOrDefault(node, List.of())) {
            if (g < spec.gpuCount()) {
                scheduler.recordPlaced(PodRequest.of(unhealthyKey(node, g), 0, 0, 1, NodeSpec.MILLI_PER_GPU), node,
                        List.of(g));
            }
        }
    }

    /** Not a pod key (those are namespace/name): the placeholder of an Unhealthy GPU. */
    private static String unhealthyKey(String node, int gpu) {
        return "gpu-unhealthy:" + node + ":" + gpu;
    }

    boolean hasNode(String name) {
        return nodes.containsKey(name);
    }

    Collection<NodeSpec> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    // ---- pods ----------------------------------------------------------------------------------------------

    /**
     * Records a pod the API shows bound (or that Gantry assumed). Idempotent: the same placement again changes
     * nothing but may turn an assumed pod into a bound one.
     */
    void place(PlacedPod pod) {
        PlacedPod old = placed.get(pod.key());
        if (old != null) {
            if (old.samePlacement(pod)) {
                if (old.assumed() && !pod.assumed()) {
                    placed.put(pod.key(), new PlacedPod(old.key(), old.uid(), old.nodeName(), old.request(),
                            old.gpuIds(), false));
                }
                return;
            }
            forget(pod.key());
        }
        placed.put(pod.key(), pod);
        if (nodes.containsKey(pod.nodeName())) {
            charge(pod);
        }
    }

    /** Gives back what the pod held, if anything. */
    Optional<PlacedPod> forget(String key) {
        PlacedPod p = placed.remove(key);
        if (p != null) {
            scheduler.release(key);
        }
        return Optional.ofNullable(p);
    }

    Optional<PlacedPod> placement(String key) {
        return Optional.ofNullable(placed.get(key));
    }

    /** The GPUs the engine charged for the pod (known once its node is). */
    Optional<GpuAllocation> allocation(String key) {
        return scheduler.allocation(key);
    }

    Collection<PlacedPod> placedPods() {
        return Collections.unmodifiableCollection(placed.values());
    }

    private void charge(PlacedPod p) {
        List<Integer> ids = p.gpuIds();
        PodRequest request = p.request();
        if (request.needsGpu() && ids == null) {
            ids = guessGpus(p.nodeName(), request.gpuCount(), request.gpuMilliPerGpu());
        }
        if (ids == null) {
            ids = List.of();
        }
        if (ids.size() != request.gpuCount()) {
            request = request.withGpus(ids.size(), ids.isEmpty() ? 0 : request.gpuMilliPerGpu());
        }
        scheduler.recordPlaced(request, p.nodeName(), ids);
    }

    /**
     * GPUs for a pod whose indices nobody recorded: the ones with most left, so the charge lands where the device
     * plugin would most likely have put the pod, and an overcommitted node simply fits nothing more.
     */
    private List<Integer> guessGpus(String node, int count, int milli) {
        ClusterState state = scheduler.state();
        int slot = state.slotOf(node);
        int n = state.gpuCount(slot);
        List<Integer> order = new ArrayList<>();
        for (int g = n - 1; g >= 0; g--) {
            order.add(g);
        }
        order.sort((a, b) -> Integer.compare(state.gpuLeft(slot, b), state.gpuLeft(slot, a)));
        return List.copyOf(order.subList(0, Math.min(count, n)));
    }

    // ---- scheduling ----------------------------------------------------------------------------------------

    /** One scheduling cycle; on success the pod is assumed on the chosen node and GPUs. */
    ScheduleResult schedule(PodRequest request, String uid) {
        ScheduleResult result = scheduler.schedule(request);
        if (result instanceof ScheduleResult.Scheduled s) {
            placed.put(request.name(), new PlacedPod(request.name(), uid, s.allocation().nodeName(), request,
                    s.allocation().gpuIndices(), true));
        }
        return result;
    }

    /** Places the pod on a node chosen elsewhere (an extender's bind). */
    ScheduleResult scheduleOn(PodRequest request, String uid, String nodeName) {
        ScheduleResult result = scheduler.scheduleOn(request, nodeName);
        if (result instanceof ScheduleResult.Scheduled s) {
            placed.put(request.name(), new PlacedPod(request.name(), uid, nodeName, request,
                    s.allocation().gpuIndices(), true));
        }
        return result;
    }

    Optional<Explanation> explain(PodRequest request) {
        return scheduler.explain(request);
    }

    Assessment assess(PodRequest request) {
        return scheduler.assess(request);
    }

    ClusterState state() {
        return scheduler.state();
    }

    // ---- target workload -----------------------------------------------------------------------------------

    void observe(PodRequest request) {
        if (request.needsGpu()) {
            observed.put(request.name(), request);
        }
    }

    void unobserve(String key) {
        observed.remove(key);
    }

    /**
     * Rebuilds the engine when the target workload learnt from the observed pods differs from the one in use.
     * Returns whether it did.
     */
    boolean refreshTarget() {
        if (policy != Policy.FGD) {
            return false;
        }
        TargetWorkload fresh = targetFrom(observed.values());
        if (sameTypes(fresh, target)) {
            return false;
        }
        target = fresh;
        rebuild();
        return true;
    }

    int rebuilds() {
        return rebuilds;
    }

    TargetWorkload target() {
        return target;
    }

    /** A fresh engine charged with every node and placed pod: the mirror is the truth, the engine derived. */
    void rebuild() {
        scheduler = newScheduler();
        rebuilds++;
        for (NodeSpec n : nodes.values()) {
            scheduler.addNode(n);
        }
        for (PlacedPod p : placed.values()) {
            if (nodes.containsKey(p.nodeName())) {
                charge(p);
            }
        }
        for (String node : unhealthy.keySet()) {
            if (nodes.containsKey(node)) {
                chargeUnhealthy(node);
            }
        }
    }

    private Scheduler newScheduler() {
        return new Scheduler(new ClusterState(), policy.profile(mode, target, new SplittableRandom(seed)));
    }

    private static boolean sameTypes(TargetWorkload a, TargetWorkload b) {
        if (a.types().size() != b.types().size()) {
            return false;
        }
        Set<String> ka = new HashSet<>();
        for (var t : a.types()) {
            ka.add(t.cpuMilli() + "/" + t.gpuMilliPerGpu() + "/" + t.gpuCount() + "/" + t.gpuModelSpec() + "/"
                    + Math.round(t.popularity() * 20));
        }
        for (var t : b.types()) {
            if (!ka.contains(t.cpuMilli() + "/" + t.gpuMilliPerGpu() + "/" + t.gpuCount() + "/" + t.gpuModelSpec()
                    + "/" + Math.round(t.popularity() * 20))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The observed GPU pods; while there are few, blended with a broad default mix of quarter, half and whole GPUs
     * and 2-, 4- and 8-GPU jobs, so FGD has something sensible to measure against from the first pod.
     */
    static TargetWorkload targetFrom(Collection<PodRequest> observedPods) {
        List<PodRequest> pods = new ArrayList<>(observedPods);
        if (pods.size() < MIN_OBSERVED_FOR_TARGET) {
            int[][] mix = {{1, 250}, {1, 500}, {1, 1000}, {1, 1000}, {2, 1000}, {4, 1000}, {8, 1000}};
            int i = 0;
            for (int[] m : mix) {
                pods.add(PodRequest.of("default-mix-" + i++, 4000L * m[0], 16384L * m[0], m[0], m[1]));
            }
        }
        return TargetWorkload.fromPods(pods);
    }
}
