package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.metrics.SchedulerMetrics.Result;
import io.gantry.contract.GpuAssignment;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.kube.model.NodeTranslator;
import io.gantry.kube.model.PodDemand;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.model.PodTranslator;
import io.gantry.kube.model.TenancyTranslator;
import io.gantry.kube.model.VolumeCatalog;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import io.gantry.kube.scheduling.SchedulingQueue.State;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the watches report, on the loop thread: nodes into the mirror; bound pods into the mirror (charged
 * from Gantry's annotations, or as whole GPUs); pending pods of this scheduler into the queue (gated ones held,
 * deleting ones dropped, invalid ones and those asking constraints Gantry does not check held and reported); finished and deleted pods out of both. Any change that may make room
 * wakes the pods waiting for one.
 */
final class ClusterEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);

    private final SchedulerConfig config;
    private final ClusterMirror mirror;
    private final DerivedEngine engine;
    private final SchedulingQueue queue;
    private final PodRecorder recorder;
    private final SchedulerMetrics metrics;
    /** Where pods' claims are looked up; null when another scheduler checks volumes (extender). */
    private final VolumeCatalog volumes;
    /** Queues, namespaces' queues and PodGroups; null when tenancy is off (extender mode). */
    private final TenantObjects tenants;
    private boolean leader;

    ClusterEvents(SchedulerConfig config, ClusterMirror mirror, DerivedEngine engine, SchedulingQueue queue,
            PodRecorder recorder, SchedulerMetrics metrics, VolumeCatalog volumes) {
        this(config, mirror, engine, queue, recorder, metrics, volumes, null);
    }

    ClusterEvents(SchedulerConfig config, ClusterMirror mirror, DerivedEngine engine, SchedulingQueue queue,
            PodRecorder recorder, SchedulerMetrics metrics, VolumeCatalog volumes, TenantObjects tenants) {
        this.volumes = volumes;
        this.tenants = tenants;
        this.config = requireNonNull(config, "config");
        this.mirror = requireNonNull(mirror, "mirror");
        this.engine = requireNonNull(engine, "engine");
        this.queue = requireNonNull(queue, "queue");
        this.recorder = requireNonNull(recorder, "recorder");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Only the leader writes; a new leader reports what is waiting on the pods themselves (invalid, gated). */
    void leading(boolean isLeader) {
        leader = isLeader;
        if (isLeader) {
            for (Entry e : queue.entries()) {
                report(e);
            }
        }
    }

    void nodeChanged(Node node) {
        NodeSpec spec = NodeTranslator.translate(node);
        mirror.upsertNode(spec);
        queue.clusterChanged(System.nanoTime());
    }

    void nodeDeleted(Node node) {
        mirror.removeNode(node.getMetadata().getName());
        queue.clusterChanged(System.nanoTime());
    }

    void podChanged(Pod pod) {
        if (tenants != null) {
            tenants.podSeen(pod);
        }
        String key = PodKeys.key(pod);
        String uid = Objects.toString(pod.getMetadata().getUid(), "");
        Optional<PlacedPod> placed = mirror.placement(key);
        if (placed.isPresent() && !placed.get().uid().equals(uid)) {
            mirror.forget(key); // an older pod of the same name
        }
        if (terminal(pod)) {
            if (mirror.forget(key).isPresent()) {
                queue.clusterChanged(System.nanoTime());
            }
            queue.remove(key);
            engine.gangMemberGone(key);
            engine.profile().unobserve(key);
            return;
        }
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node != null && !node.isEmpty()) {
            queue.remove(key);
            PlacedPod known = mirror.placement(key).orElse(null);
            // The watch's echo of our own bind: the assumed placement is the truth, so the pod is not translated
            // again (a tenth of the loop thread in a burst); anything else is read from the pod.
            PlacedPod bound = known != null && echoOfOwnBind(known, pod, uid, node)
                    ? new PlacedPod(known.key(), known.uid(), node, known.request(), known.gpuIds(), false)
                    : boundPlacement(pod, key, uid, node);
            if (tenants != null) {
                bound = new PlacedPod(bound.key(), bound.uid(), bound.nodeName(),
                        TenancyTranslator.placed(bound.request(), tenants), bound.gpuIds(), bound.assumed());
                engine.gangMember(bound.request());
            }
            mirror.place(bound);
            if (ours(pod)) {
                engine.profile().observe(bound.request());
            }
            return;
        }
        if (!ours(pod)) {
            return;
        }
        if (deleting(pod)) {
            // Never bound (the API server would refuse it); a bind in flight fails and gives its resources back.
            queue.remove(key);
            engine.gangMemberGone(key);
            engine.profile().unobserve(key);
            return;
        }
        Optional<PlacedPod> assumed = mirror.placement(key);
        if (assumed.isPresent() && assumed.get().assumed()) {
            queue.get(key).ifPresent(e -> e.pod = pod); // its bind is in flight
            return;
        }
        PodDemand demand = PodTranslator.translate(pod, volumes, tenants);
        Entry e = queue.upsert(key, pod, demand, gated(pod), UnsupportedConstraints.required(pod),
                System.nanoTime());
        if (demand instanceof PodDemand.Valid v) {
            engine.profile().observe(v.request());
            if (engine.gangMember(v.request())) {
                queue.clusterChanged(System.nanoTime()); // its siblings waiting for members may be complete now
            }
        } else {
            engine.gangMemberGone(key);
        }
        if (leader) {
            report(e);
        }
    }

    void podDeleted(Pod pod) {
        if (tenants != null) {
            tenants.podDeleted(pod);
        }
        String key = PodKeys.key(pod);
        String uid = Objects.toString(pod.getMetadata().getUid(), "");
        Optional<PlacedPod> placed = mirror.placement(key);
        if (placed.isPresent() && (uid.isEmpty() || placed.get().uid().equals(uid))) {
            mirror.forget(key);
            queue.clusterChanged(System.nanoTime());
        }
        queue.get(key).filter(e -> uid.isEmpty() || uid.equals(e.uid())).ifPresent(e -> queue.remove(key));
        engine.gangMemberGone(key);
        engine.forgetNomination(key);
        engine.profile().unobserve(key);
    }

    /**
     * Queues, namespaces' queues or PodGroups changed: every pending pod is read again (a queue that appeared lets
     * its pods in; a PodGroup gives its members their gang), before the engine is rebuilt with the new queues.
     */
    void retranslatePending() {
        for (Entry e : queue.entries()) {
            if (e.state() != State.BINDING) {
                podChanged(e.pod);
            }
        }
    }

    /** A waiting pod whose wait is the pod's own doing (gated, or asking something invalid) is told so. */
    private void report(Entry e) {
        if (e.state() == State.GATED) {
            recorder.gated(e);
        } else if (e.state() == State.INVALID) {
            String message = e.demand instanceof PodDemand.Invalid invalid
                    ? invalid.message() : UnsupportedConstraints.heldMessage(e.unsupported);
            if (recorder.unschedulable(e, message)) {
                metrics.attempt(Result.INVALID);
            }
        }
    }

    private boolean ours(Pod pod) {
        String scheduler = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
        if (!config.schedulerName().equals(scheduler)) {
            return false;
        }
        return config.namespaces().isEmpty() || config.namespaces().contains(pod.getMetadata().getNamespace());
    }

    private static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static boolean deleting(Pod pod) {
        String ts = pod.getMetadata().getDeletionTimestamp();
        return ts != null && !ts.isEmpty();
    }

    private static boolean gated(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getSchedulingGates() != null
                && !pod.getSpec().getSchedulingGates().isEmpty();
    }

    /**
     * The pod is bound where Gantry assumed it, with the GPUs Gantry chose (the Binding's annotations, copied onto the
     * pod): its placement is the assumed one.
     */
    private static boolean echoOfOwnBind(PlacedPod known, Pod pod, String uid, String node) {
        if (!known.assumed() || !known.uid().equals(uid) || !known.nodeName().equals(node)) {
            return false;
        }
        if (!known.request().needsGpu()) {
            return true; // boundPlacement reads no GPU annotations for such a pod either
        }
        Map<String, String> ann = pod.getMetadata().getAnnotations();
        try {
            Optional<GpuAssignment> a = GpuAssignmentCodec.decode(ann == null ? Map.of() : ann);
            return a.isPresent() && a.get().gpuIds().equals(known.gpuIds())
                    && a.get().gpuIds().size() == known.request().gpuCount()
                    && a.get().milliPerGpu() == known.request().gpuMilliPerGpu();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A bound pod's placement: its GPUs from Gantry's annotations, or charged as whole GPUs when there are none. */
    private static PlacedPod boundPlacement(Pod pod, String key, String uid, String node) {
        PodRequest request;
        try {
            request = PodTranslator.request(pod);
        } catch (IllegalArgumentException e) {
            LOG.warn("pod {} on {} asks something Gantry cannot read ({}); charging no resources for it", key, node,
                    e.getMessage());
            request = PodRequest.of(key, 0, 0, 0, 0);
        }
        Map<String, String> ann = pod.getMetadata().getAnnotations();
        if (!request.needsGpu()) {
            return new PlacedPod(key, uid, node, request, List.of(), false);
        }
        try {
            Optional<GpuAssignment> assignment = GpuAssignmentCodec.decode(ann == null ? Map.of() : ann);
            if (assignment.isEmpty()) {
                return new PlacedPod(key, uid, node, request, null, false);
            }
            PodRequest charged = request.withName(key).withGpus(assignment.get().gpuIds().size(),
                    assignment.get().milliPerGpu());
            return new PlacedPod(key, uid, node, charged, assignment.get().gpuIds(), false);
        } catch (IllegalArgumentException e) {
            LOG.warn("pod {} on {}: {}; charging it as whole GPUs", key, node, e.getMessage());
            return new PlacedPod(key, uid, node, request, null, false);
        }
    }
}
