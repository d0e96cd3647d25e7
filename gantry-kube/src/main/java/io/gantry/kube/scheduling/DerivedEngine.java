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
import io.gantry.engine.SchedulingProfile;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.Tenancy;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.kube.model.TenancyTranslator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** The admission policy, or null when tenancy is off (extender mode: kube-scheduler admits). */
    private final Tenancy.Mode admission;
    private final TenantObjects tenants;
    /** Every pod of a gang that exists (pending or placed), for Coscheduling; fed again into each new engine. */
    private final Map<String, PodRequest> gangMembers = new LinkedHashMap<>();
    /** Replaced on the loop thread by a rebuild; read by binding workers for {@link #bind}. */
    private volatile Scheduler scheduler;
    private Tenancy tenancy;

    DerivedEngine(ClusterMirror mirror, PolicyProfile profile) {
        this(mirror, profile, null, new TenantObjects());
    }

    /** @param admission the multi-tenant admission policy; null: none (no queues, gangs or preemption) */
    DerivedEngine(ClusterMirror mirror, PolicyProfile profile, Tenancy.Mode admission, TenantObjects tenants) {
        this.mirror = requireNonNull(mirror, "mirror");
        this.profile = requireNonNull(profile, "profile");
        this.admission = admission;
        this.tenants = requireNonNull(tenants, "tenants");
        this.scheduler = new Scheduler(new ClusterState(), profile.newProfile());
        rebuild();
        mirror.listen(this);
    }

    private Runnable beforeRebuild = () -> { };

    /** Run before every rebuild, while the old engine still holds what Permit held (the cycle gives it back). */
    void beforeRebuild(Runnable hook) {
        this.beforeRebuild = requireNonNull(hook, "hook");
    }

    /** The tenancy plugins of the current engine, if tenancy is on. */
    Optional<Tenancy> tenancy() {
        return Optional.ofNullable(tenancy);
    }

    // ---- gangs ---------------------------------------------------------------------------------------------

    /**
     * A pod of a gang exists (pending or placed); a pod whose gang changed leaves the old one. Idempotent. True when
     * the gang gained a member (its waiting members may be complete now).
     */
    boolean gangMember(PodRequest request) {
        if (tenancy == null) {
            return false;
        }
        GangSpec gang = TenancyKeys.gangOf(request);
        PodRequest old = gang == null ? gangMembers.remove(request.name()) : gangMembers.put(request.name(), request);
        boolean changed = old == null || !java.util.Objects.equals(TenancyKeys.gangOf(old), gang);
        if (old != null && changed) {
            tenancy.coscheduling().memberGone(old);
        }
        if (gang != null) {
            tenancy.coscheduling().memberAdded(request);
        }
        return gang != null && changed;
    }

    /** The pod is gone for good (deleted, finished) or no longer a member it could be (held for its PodGroup). */
    void gangMemberGone(String key) {
        PodRequest old = gangMembers.remove(key);
        if (old != null && tenancy != null) {
            tenancy.coscheduling().memberGone(old);
        }
    }

    /** A deleted (or bound) pod holds no room preemption made for it any more, and is owed nothing more. */
    void forgetNomination(String key) {
        if (tenancy != null) {
            tenancy.nominations().forget(key);
            tenancy.ledger().nominationDone(key);
        }
    }

    /**
     * The preemptor evicts pods and waits for them: its demand counts as its queue's for further reclaim, so that
     * its queue-mates do not evict again for the same guarantee. (Its victims may still be chosen by another
     * preemptor, as kube-scheduler lets terminating pods be: the same eviction then makes room for both.)
     */
    void preempting(PodRequest preemptor) {
        if (tenancy != null) {
            tenancy.ledger().nominate(preemptor);
        }
    }

    /** The members the gang has now, in the order they appeared. */
    List<String> gangMembersOf(String gang) {
        return tenancy == null ? List.of() : tenancy.coscheduling().members(gang);
    }

    /** Held pods Permit let go since the last call (a gang whose last member was just placed). */
    List<GpuAllocation> takeAllowed() {
        return scheduler.takeAllowed();
    }

    /** The pods Permit holds now. */
    List<String> waitingPods() {
        return scheduler.waitingPods();
    }

    /** Rejects every held pod whose Permit timeout has passed; returns them. */
    List<String> expireWaiting() {
        return scheduler.expireWaiting();
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

    /**
     * A fresh engine charged with every node and placed pod: the mirror is the truth, the engine derived. Pods Permit
     * held are not held by the new engine: the caller releases them first.
     */
    void rebuild() {
        beforeRebuild.run();
        ClusterState state = new ClusterState();
        SchedulingProfile plugins = profile.newProfile();
        if (admission != null) {
            tenancy = Tenancy.create(admission, tenants.queuesInForce(), state);
            plugins = tenancy.apply(plugins);
            for (Map.Entry<String, PodRequest> m : gangMembers.entrySet()) {
                m.setValue(TenancyTranslator.placed(m.getValue(), tenants));
                tenancy.coscheduling().memberAdded(m.getValue());
            }
        }
        scheduler = new Scheduler(state, plugins);
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
        PodRequest request = tenancy == null ? p.request() : TenancyTranslator.placed(p.request(), tenants);
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
