package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Assessment;
import io.gantry.engine.ClusterState;
import io.gantry.engine.Explanation;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The engine (a {@link Scheduler} on its {@link ClusterState}), kept in step with the {@link ClusterMirror} it
 * listens to and rebuilt from it whenever the profile changes: every mirrored pod is charged to its node, pods whose
 * GPU indices nobody recorded on the node's freest GPUs. (GPUs the node's agent reports Unhealthy are the node's own
 * data, {@link NodeSpec#unavailableGpus()}, which the engine leaves unused.)
 *
 * <p>Not thread-safe: the scheduling loop owns it.
 */
final class DerivedEngine implements ClusterMirror.Listener {

    private final ClusterMirror mirror;
    private final PolicyProfile profile;
    /** Replaced on the loop thread by a rebuild; read by binding workers for {@link #bind}. */
    private volatile Scheduler scheduler;

    DerivedEngine(ClusterMirror mirror, PolicyProfile profile) {
        this.mirror = requireNonNull(mirror, "mirror");
        this.profile = requireNonNull(profile, "profile");
        this.scheduler = new Scheduler(new ClusterState(), profile.newProfile());
        rebuild();
        mirror.listen(this);
    }

    PolicyProfile profile() {
        return profile;
    }

    // ---- decisions -----------------------------------------------------------------------------------------

    /** One scheduling cycle: on success the engine has reserved the node and GPUs (the caller assumes the pod). */
    ScheduleResult schedule(PodRequest request) {
        return scheduler.schedule(request);
    }

    /**
     * The binding cycle for a placed pod: the profile's pre-bind and bind plugins. Touches no cluster state, so a
     * binding worker runs it; a failure is undone on the loop thread, by forgetting the assumed pod.
     */
    Status bind(PodRequest request, GpuAllocation allocation) {
        return scheduler.bind(request, allocation);
    }

    /** Rejects a pod Permit holds: its reservation is undone. */
    void reject(String key) {
        scheduler.reject(key);
    }

    /** Places the pod on a node chosen elsewhere (an extender's bind). */
    ScheduleResult scheduleOn(PodRequest request, String node) {
        return scheduler.scheduleOn(request, node);
    }

    Optional<Explanation> explain(PodRequest request) {
        return scheduler.explain(request);
    }

    Assessment assess(PodRequest request) {
        return scheduler.assess(request);
    }

    /** The GPUs the engine charged for the pod (known once its node is). */
    Optional<GpuAllocation> allocation(String key) {
        return scheduler.allocation(key);
    }

    ClusterState state() {
        return scheduler.state();
    }

    /** Re-learns the profile when due; rebuilds the engine when it changed. True when it did. */
    boolean refreshProfile(long now) {
        if (!profile.refresh(now)) {
            return false;
        }
        rebuild();
        return true;
    }

    /** A fresh engine charged with every node and placed pod: the mirror is the truth, the engine derived. */
    void rebuild() {
        scheduler = new Scheduler(new ClusterState(), profile.newProfile());
        for (NodeSpec n : mirror.nodes()) {
            scheduler.addNode(n);
        }
        for (PlacedPod p : mirror.placedPods()) {
            if (mirror.hasNode(p.nodeName())) {
                charge(p);
            }
        }
    }

    // ---- the mirror's changes ------------------------------------------------------------------------------

    @Override
    public void nodeAdded(NodeSpec node) {
        scheduler.addNode(node);
        for (PlacedPod p : mirror.placedPods()) {
            if (p.nodeName().equals(node.name())) {
                charge(p);
            }
        }
    }

    @Override
    public void nodeChanged(NodeSpec before, NodeSpec after) {
        if (before.gpuCount() == after.gpuCount()) {
            scheduler.updateNode(after);
            return;
        }
        // Charges on GPUs the node did not have (or no longer has) change with its count: charge its pods afresh.
        scheduler.removeNode(after.name());
        nodeAdded(after);
    }

    @Override
    public void nodeRemoved(String name) {
        scheduler.removeNode(name);
    }

    @Override
    public void podPlaced(PlacedPod pod) {
        // An assumed pod was reserved by the cycle that chose it; a bound one is charged here.
        if (scheduler.allocation(pod.key()).isEmpty() && mirror.hasNode(pod.nodeName())) {
            charge(pod);
        }
    }

    @Override
    public void podForgotten(PlacedPod pod) {
        if (pod.assumed()) {
            scheduler.unreserve(pod.key()); // its bind failed or never happened: the reserve plugins undo theirs
        } else {
            scheduler.release(pod.key());
        }
    }

    // ---- charging ------------------------------------------------------------------------------------------

    private void charge(PlacedPod p) {
        List<Integer> ids = p.gpuIds();
        PodRequest request = p.request();
        if (request.needsGpu() && ids == null) {
            ids = guessGpus(p.nodeName(), request.gpuCount());
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
    private List<Integer> guessGpus(String node, int count) {
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
}
