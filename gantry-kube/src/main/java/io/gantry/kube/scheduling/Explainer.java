package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.gantry.engine.Explanation;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.kube.model.PodDemand;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import io.gantry.kube.scheduling.SchedulingQueue.State;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where one pod stands and why, for {@code /api/explain}: read on the loop thread, placing nothing. */
final class Explainer {

    private final String schedulerName;
    private final ClusterMirror mirror;
    private final DerivedEngine engine;
    private final SchedulingQueue queue;
    private final HeldGangs held;

    Explainer(String schedulerName, ClusterMirror mirror, DerivedEngine engine, SchedulingQueue queue) {
        this(schedulerName, mirror, engine, queue, new HeldGangs());
    }

    Explainer(String schedulerName, ClusterMirror mirror, DerivedEngine engine, SchedulingQueue queue,
            HeldGangs held) {
        this.held = requireNonNull(held, "held");
        this.schedulerName = requireNonNull(schedulerName, "schedulerName");
        this.mirror = requireNonNull(mirror, "mirror");
        this.engine = requireNonNull(engine, "engine");
        this.queue = requireNonNull(queue, "queue");
    }

    ExplainReport explain(String namespace, String name, boolean leader) {
        String key = PodKeys.key(namespace, name);
        Optional<PlacedPod> placed = mirror.placement(key);
        Optional<HeldGangs.Held> waiting = held.get(key);
        if (waiting.isPresent()) {
            HeldGangs.Held h = waiting.get();
            GangSpec gang = TenancyKeys.gangOf(h.request());
            long left = Math.max(0, h.deadlineNanos() - System.nanoTime()) / 1_000_000_000L;
            String until = gang == null ? "a Permit plugin allows it"
                    : "pod group " + gang.name() + " has " + gang.minMember() + " members placed ("
                            + engine.tenancy().map(t -> t.ledger().gangPlaced(gang.name())).orElse(0) + " now)";
            return new ExplainReport(key, "waiting", h.allocation().nodeName(), h.allocation().gpuIndices(),
                    h.allocation().gpuIndices().isEmpty() ? null : h.allocation().gpuMilliPerGpu(),
                    "reserved on " + h.allocation().nodeName() + " and held until " + until + "; released in "
                            + left + " s if it has not", Map.of(), 0);
        }
        if (placed.isPresent()) {
            PlacedPod p = placed.get();
            Optional<GpuAllocation> a = engine.allocation(key);
            return new ExplainReport(key, p.assumed() ? "binding" : "scheduled", p.nodeName(),
                    a.map(GpuAllocation::gpuIndices).orElse(p.gpuIds()),
                    a.filter(x -> !x.gpuIndices().isEmpty()).map(GpuAllocation::gpuMilliPerGpu).orElse(null),
                    mirror.hasNode(p.nodeName()) ? "bound to " + p.nodeName()
                            : "bound to " + p.nodeName() + ", a node Gantry does not see (yet)",
                    Map.of(), 0);
        }
        Optional<Entry> entry = queue.get(key);
        if (entry.isEmpty()) {
            return new ExplainReport(key, "unknown", null, null, null, "Gantry is not scheduling a pod " + key
                    + " (not found, finished, being deleted, or not using schedulerName " + schedulerName + ")",
                    Map.of(), 0);
        }
        Entry e = entry.get();
        if (e.state() == State.GATED) {
            List<String> gates = e.pod.getSpec().getSchedulingGates().stream().map(PodSchedulingGate::getName)
                    .toList();
            // kube-scheduler's SchedulingGates plugin words it so (a Go slice: names between [ ] by spaces).
            return new ExplainReport(key, "gated", null, null, null, "waiting for scheduling gates: ["
                    + String.join(" ", gates) + "]", Map.of(), e.attempts());
        }
        if (e.demand instanceof PodDemand.Invalid inv) {
            return new ExplainReport(key, "invalid", null, null, null, inv.message(), Map.of(), e.attempts());
        }
        if (!e.unsupported.isEmpty()) {
            return new ExplainReport(key, "unsupported", null, null, null,
                    UnsupportedConstraints.heldMessage(e.unsupported), Map.of(), e.attempts());
        }
        PodRequest request = ((PodDemand.Valid) e.demand).request();
        Optional<Explanation> why = engine.explain(request);
        if (why.isPresent()) {
            return new ExplainReport(key, "pending", null, null, null, KubeWording.message(why.get(), request),
                    KubeWording.counts(why.get(), request), e.attempts());
        }
        String wait = !leader ? "this instance is not the leader; the leader schedules it"
                : "fits now; waiting for its turn in the queue";
        return new ExplainReport(key, "pending", null, null, null, wait, Map.of(), e.attempts());
    }
}
