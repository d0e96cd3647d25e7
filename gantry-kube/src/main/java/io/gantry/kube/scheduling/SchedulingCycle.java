package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.metrics.SchedulerMetrics.Result;
import io.gantry.kube.model.PodDemand;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The scheduling cycle, one pod at a time on the loop thread: the next ready pod from the queue, the engine's
 * decision, and then one of
 * <ul>
 *   <li>placed: assumed on its node (the mirror holds it, the engine has reserved it) and handed to the binding
 *       cycle; a gang's last member goes together with the members held for it;</li>
 *   <li>held at Permit (a gang member while its gang is incomplete): assumed and kept in {@link HeldGangs}, and its
 *       siblings are tried right away, before anything else takes the room the gang counted on; when the gang is
 *       rejected or times out, every held member gives its reservation back and waits again;</li>
 *   <li>not placed, with victims: {@link Preemptions} evicts them;</li>
 *   <li>not placed: {@code FailedScheduling} with the explanation and a wait for a cluster change.</li>
 * </ul>
 */
final class SchedulingCycle {

    private final SchedulingQueue queue;
    private final ClusterMirror mirror;
    private final DerivedEngine engine;
    private final BindingCycle binding;
    private final PodRecorder recorder;
    private final SchedulerMetrics metrics;
    private final HeldGangs held;
    /** Null when tenancy is off: no preemption. */
    private final Preemptions preemptions;

    SchedulingCycle(SchedulingQueue queue, ClusterMirror mirror, DerivedEngine engine, BindingCycle binding,
            PodRecorder recorder, SchedulerMetrics metrics) {
        this(queue, mirror, engine, binding, recorder, metrics, new HeldGangs(), null);
    }

    SchedulingCycle(SchedulingQueue queue, ClusterMirror mirror, DerivedEngine engine, BindingCycle binding,
            PodRecorder recorder, SchedulerMetrics metrics, HeldGangs held, Preemptions preemptions) {
        this.queue = requireNonNull(queue, "queue");
        this.mirror = requireNonNull(mirror, "mirror");
        this.engine = requireNonNull(engine, "engine");
        this.binding = requireNonNull(binding, "binding");
        this.recorder = requireNonNull(recorder, "recorder");
        this.metrics = requireNonNull(metrics, "metrics");
        this.held = requireNonNull(held, "held");
        this.preemptions = preemptions;
    }

    /** Tries the next ready pod; false when none is ready. */
    boolean scheduleOne(long now) {
        Optional<Entry> next = queue.pop(now);
        if (next.isEmpty()) {
            return false;
        }
        turn(next.get(), now);
        return true;
    }

    /** One popped (or taken) pod's turn: its attempt, its siblings if it is held, and what Permit let go. */
    private void turn(Entry e, long now) {
        ScheduleResult result = attempt(e, now);
        if (result instanceof ScheduleResult.Waiting && held.contains(e.key)) {
            pullSiblings(e);
        }
        settle("");
    }

    /** Preemptors whose victims are all gone get the next turn, out of the queue's order. */
    void preemptorsFirst() {
        if (preemptions == null) {
            return;
        }
        for (String key : preemptions.takeReady()) {
            queue.take(key).ifPresent(e -> turn(e, System.nanoTime()));
        }
    }

    /** One pod through the engine, and what follows from the result. */
    private ScheduleResult attempt(Entry e, long now) {
        if (!(e.demand instanceof PodDemand.Valid valid) || !e.unsupported.isEmpty()) {
            queue.invalid(e, now);
            return null;
        }
        PodRequest request = valid.request();
        long t0 = System.nanoTime();
        ScheduleResult result = engine.schedule(request);
        metrics.decision(System.nanoTime() - t0);
        if (result instanceof ScheduleResult.Scheduled s) {
            assume(e, request, s.allocation());
            if (preemptions != null) {
                preemptions.forget(e.key);
                engine.forgetNomination(e.key);
            }
            List<BindingCycle.Member> gang = new ArrayList<>();
            gang.add(new BindingCycle.Member(e.pod, request, s.allocation()));
            gang.addAll(allowed());
            binding.bindGang(gang);
        } else if (result instanceof ScheduleResult.Waiting w) {
            assume(e, request, w.allocation());
            held.hold(new HeldGangs.Held(e, request, w.allocation(), w.deadlineNanos()));
        } else if (result instanceof ScheduleResult.Unschedulable u) {
            unschedulable(e, request, u);
        }
        return result;
    }

    private void assume(Entry e, PodRequest request, GpuAllocation a) {
        mirror.place(new PlacedPod(e.key, e.uid(), a.nodeName(), request, a.gpuIndices(), true));
    }

    private void unschedulable(Entry e, PodRequest request, ScheduleResult.Unschedulable u) {
        String message = KubeWording.message(u.explanation(), request);
        if (!u.victims().isEmpty() && preemptions != null) {
            int terminating = preemptions.stillTerminating(e.key);
            if (terminating == 0) {
                recorder.unschedulable(e, message);
                engine.preempting(request);
                preemptions.preempt(e, request, u); // stays in flight until the evictions are answered
                return;
            }
            message = message + " (waiting for " + terminating + " preempted pod(s) to terminate)";
        }
        queue.unschedulable(e, System.nanoTime());
        metrics.attempt(Result.UNSCHEDULABLE);
        recorder.unschedulable(e, message);
    }

    /**
     * The rest of a held member's gang goes next, out of turn (as the simulator takes them), while the member is
     * still held: each sibling waiting in the queue is tried once.
     */
    private void pullSiblings(Entry e) {
        GangSpec gang = TenancyKeys.gangOf(((PodDemand.Valid) e.demand).request());
        if (gang == null) {
            return;
        }
        for (String sibling : engine.gangMembersOf(gang.name())) {
            if (!held.contains(e.key)) {
                return; // the gang was released, or bound, meanwhile
            }
            if (sibling.equals(e.key) || mirror.placement(sibling).isPresent()) {
                continue;
            }
            Optional<Entry> taken = queue.take(sibling);
            if (taken.isPresent()) {
                attempt(taken.get(), System.nanoTime());
                settle("");
            }
        }
    }

    /** The held members Permit let go since the last look, to bind with the member that completed the gang. */
    private List<BindingCycle.Member> allowed() {
        List<BindingCycle.Member> out = new ArrayList<>();
        for (GpuAllocation a : engine.takeAllowed()) {
            held.remove(a.podName()).ifPresent(h -> out.add(new BindingCycle.Member(h.entry().pod, h.request(),
                    h.allocation())));
        }
        return out;
    }

    /**
     * After any change to what Permit holds: members let go are bound together; members no longer held (their gang
     * was rejected, timed out, or a member was deleted) give their reservations back and wait again.
     */
    void settle(String why) {
        if (held.isEmpty()) {
            return;
        }
        List<BindingCycle.Member> go = allowed();
        if (!go.isEmpty()) {
            binding.bindGang(go);
        }
        Set<String> waiting = new HashSet<>(engine.waitingPods());
        boolean released = false;
        for (HeldGangs.Held h : held.all()) {
            if (waiting.contains(h.entry().key)) {
                continue;
            }
            held.remove(h.entry().key);
            released = true;
            Optional<PlacedPod> placed = mirror.placement(h.entry().key);
            if (placed.isPresent() && placed.get().assumed()) {
                mirror.forget(h.entry().key); // the engine gave it back already; the mirror follows
            }
            Optional<Entry> e = queue.get(h.entry().key).filter(x -> x == h.entry());
            if (e.isPresent()) {
                queue.unschedulable(e.get(), System.nanoTime());
                metrics.attempt(Result.UNSCHEDULABLE);
                GangSpec gang = TenancyKeys.gangOf(h.request());
                recorder.unschedulable(e.get(), "pod group " + (gang == null ? "?" : gang.name())
                        + ": gave back its reservation on " + h.allocation().nodeName()
                        + (why.isEmpty() ? " (a member fits nowhere, or one was deleted or failed)" : " (" + why + ")")
                        + "; no member is bound until " + (gang == null ? "all" : gang.minMember())
                        + " fit at once; will retry");
            }
        }
        if (released) {
            queue.clusterChanged(System.nanoTime());
        }
    }

    /** Held members whose Permit wait is over give their reservations back. */
    void expire() {
        if (held.isEmpty()) {
            return;
        }
        List<String> expired = engine.expireWaiting();
        if (!expired.isEmpty()) {
            settle("its gang did not complete within its scheduleTimeoutSeconds");
        }
    }

    /** Gives back every held reservation (before the engine is rebuilt: a new engine holds nothing). */
    void releaseHeld(String why) {
        for (String key : held.keys()) {
            engine.reject(key);
        }
        settle(why);
    }

    /** Whether Permit holds any gang member now. */
    boolean holdsAny() {
        return !held.isEmpty();
    }

    /** When the earliest held member's wait ends, if one is held. */
    OptionalLong nextDeadline() {
        return held.nextDeadline();
    }
}
