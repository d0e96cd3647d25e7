package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.GpuAssignment;
import io.gantry.contract.GpuAssignmentCodec;
import io.gantry.engine.Explanation;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.metrics.SchedulerMetrics.Result;
import io.gantry.kube.model.NodeTranslator;
import io.gantry.kube.model.PodDemand;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.model.PodTranslator;
import io.gantry.kube.model.VolumeCatalog;
import io.gantry.kube.scheduling.KubeApi.BindResult;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import io.gantry.kube.scheduling.SchedulingQueue.State;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduling loop, on one thread that owns the engine: watch events come in through an inbox and update the
 * cluster mirror; then, while this instance leads, pending pods are taken from the queue one at a time, placed by the
 * engine and assumed, and their annotate-and-bind calls go to a pool of workers, as kube-scheduler's binding cycle
 * runs beside its scheduling cycle. A failed bind gives the resources back and the pod is retried with backoff; a
 * pod that fits nowhere gets {@code FailedScheduling} and waits for a cluster change.
 */
public final class SchedulerLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerLoop.class);
    /** Pods scheduled between two looks at the inbox, so watch events are never starved by a burst. */
    private static final int BATCH = 64;
    private static final long TARGET_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long METRICS_PUBLISH_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final SchedulerConfig config;
    private final VolumeCatalog volumes;
    private final KubeApi api;
    private final SchedulerMetrics metrics;
    private final ClusterMirror mirror;
    private final SchedulingQueue queue;
    private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final ExecutorService binders;
    private final ExecutorService recorder;
    private final AtomicInteger bindsInFlight = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean leader;
    private volatile boolean schedulingEnabled = true;
    private volatile boolean synced;
    private volatile long heartbeatNanos = System.nanoTime();
    private long lastTargetRefresh = System.nanoTime();
    private long lastMetricsPublish;

    /** @param volumes where pods' claims are looked up; null when another scheduler checks volumes (extender) */
    public SchedulerLoop(SchedulerConfig config, KubeApi api, SchedulerMetrics metrics, VolumeCatalog volumes) {
        this.volumes = volumes;
        this.config = requireNonNull(config, "config");
        this.api = requireNonNull(api, "api");
        this.metrics = requireNonNull(metrics, "metrics");
        this.mirror = new ClusterMirror(config.policy(), config.scoring(), 42);
        this.queue = new SchedulingQueue(config.backoffInitial(), config.backoffMax());
        this.binders = Executors.newFixedThreadPool(config.bindingWorkers(), daemon("gantry-bind"));
        this.recorder = Executors.newFixedThreadPool(4, daemon("gantry-events"));
        this.thread = new Thread(this::run, "gantry-scheduling-loop");
        this.thread.setDaemon(true);
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public void start() {
        thread.start();
    }

    // ---- inputs, from any thread ---------------------------------------------------------------------------

    public void nodeChanged(Node node) {
        inbox.add(() -> applyNode(node));
    }

    public void nodeDeleted(Node node) {
        inbox.add(() -> {
            mirror.removeNode(node.getMetadata().getName());
            queue.clusterChanged(System.nanoTime());
        });
    }

    public void podChanged(Pod pod) {
        inbox.add(() -> applyPod(pod));
    }

    public void podDeleted(Pod pod) {
        inbox.add(() -> removePod(pod));
    }

    /** The watches have delivered the whole initial state; scheduling may start (when leading). */
    public void markSynced(Supplier<List<Node>> nodes, Supplier<List<Pod>> pods) {
        // The lists are read on the loop thread, so no watch event queued before them can be undone by them.
        inbox.add(() -> {
            nodes.get().forEach(this::applyNode);
            pods.get().forEach(this::applyPod);
            synced = true;
            LOG.info("cluster state loaded: {} nodes, {} pods holding resources, {} pending", mirror.nodes().size(),
                    mirror.placedPods().size(), queue.size());
        });
    }

    public void setLeader(boolean isLeader) {
        inbox.add(() -> {
            leader = isLeader;
            metrics.leader(isLeader);
            if (isLeader) {
                queue.entries().stream().filter(e -> e.state == State.INVALID).forEach(this::reportInvalid);
            }
        });
    }

    /** In extender mode kube-scheduler picks the nodes; the loop only keeps the mirror. */
    public void setSchedulingEnabled(boolean enabled) {
        schedulingEnabled = enabled;
    }

    public boolean isSynced() {
        return synced;
    }

    public boolean isLeader() {
        return leader;
    }

    /** The loop thread is alive and went round within the last 30 s. */
    public boolean isHealthy() {
        return thread.isAlive() && System.nanoTime() - heartbeatNanos < TimeUnit.SECONDS.toNanos(30);
    }

    /** Runs a read or a decision on the loop thread, in turn with the events. */
    public <T> CompletableFuture<T> call(Function<LoopView, T> fn) {
        CompletableFuture<T> result = new CompletableFuture<>();
        inbox.add(() -> {
            try {
                result.complete(fn.apply(view));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    // ---- the loop ------------------------------------------------------------------------------------------

    private void run() {
        while (running) {
            heartbeatNanos = System.nanoTime();
            try {
                Runnable task = inbox.poll(waitNanos(), TimeUnit.NANOSECONDS);
                if (task != null) {
                    runTask(task);
                }
                Runnable more;
                while ((more = inbox.poll()) != null) {
                    runTask(more);
                }
                housekeeping();
                if (leader && synced && schedulingEnabled) {
                    for (int i = 0; i < BATCH && inbox.isEmpty(); i++) {
                        if (!scheduleOne()) {
                            break;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("scheduling loop error (continuing)", e);
            }
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("error applying a cluster event (continuing)", e);
        }
    }

    private long waitNanos() {
        long now = System.nanoTime();
        if (leader && synced && schedulingEnabled && queue.hasReady(now)) {
            return 0;
        }
        long max = TimeUnit.MILLISECONDS.toNanos(500);
        long next = queue.nextWakeNanos();
        return next < 0 ? max : Math.max(0, Math.min(max, next - now));
    }

    private void housekeeping() {
        long now = System.nanoTime();
        if (now - lastTargetRefresh > TARGET_REFRESH_NANOS) {
            lastTargetRefresh = now;
            if (mirror.refreshTarget()) {
                LOG.info("FGD target workload re-learnt: {} pod types", mirror.target().types().size());
            }
        }
        if (now - lastMetricsPublish > METRICS_PUBLISH_NANOS) {
            lastMetricsPublish = now;
            metrics.pending(queue.size());
            Map<String, SchedulerMetrics.NodeGpus> gpus = new HashMap<>();
            var state = mirror.state();
            for (NodeSpec n : mirror.nodes()) {
                int slot = state.slotOf(n.name());
                int total = state.gpuCount(slot);
                if (total > 0) {
                    double used = total - state.gpuLeftTotal(slot) / (double) NodeSpec.MILLI_PER_GPU;
                    gpus.put(n.name(), new SchedulerMetrics.NodeGpus(n.gpuModel(), total, used));
                }
            }
            metrics.publishNodes(gpus);
        }
    }

    // ---- applying events -----------------------------------------------------------------------------------

    private void applyNode(Node node) {
        NodeSpec spec = NodeTranslator.translate(node);
        mirror.upsertNode(spec);
        mirror.setUnhealthyGpus(spec.name(), NodeTranslator.unhealthyGpus(node));
        queue.clusterChanged(System.nanoTime());
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

    private void applyPod(Pod pod) {
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
            mirror.unobserve(key);
            return;
        }
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node != null && !node.isEmpty()) {
            queue.remove(key);
            PlacedPod bound = boundPlacement(pod, key, uid, node);
            mirror.place(bound);
            if (ours(pod)) {
                mirror.observe(bound.request());
            }
            return;
        }
        if (!ours(pod)) {
            return;
        }
        Optional<PlacedPod> assumed = mirror.placement(key);
        if (assumed.isPresent() && assumed.get().assumed()) {
            queue.get(key).ifPresent(e -> e.pod = pod); // its bind is in flight
            return;
        }
        PodDemand demand = PodTranslator.translate(pod, volumes);
        Entry e = queue.upsert(key, pod, demand, System.nanoTime());
        if (demand instanceof PodDemand.Valid v) {
            mirror.observe(v.request());
        } else if (e.state == State.INVALID && leader) {
            reportInvalid(e);
        }
    }

    /** A bound pod's placement: its GPUs from Gantry's annotations, or charged as whole GPUs when there are none. */
    private PlacedPod boundPlacement(Pod pod, String key, String uid, String node) {
        PodRequest request;
        try {
            request = PodTranslator.request(pod);
        } catch (IllegalArgumentException e) {
            LOG.warn("pod {} on {} asks something Gantry cannot read ({}); charging no resources for it", key, node,
                    e.getMessage());
            request = PodRequest.of(key, 0, 0, 0, 0);
        }
        Map<String, String> ann = pod.getMetadata().getAnnotations();
        String idsText = ann == null ? null : ann.get(GpuAnnotations.GPU_IDS);
        if (idsText == null || !request.needsGpu()) {
            return new PlacedPod(key, uid, node, request, request.needsGpu() ? null : List.of(), false);
        }
        try {
            GpuAssignment assignment = GpuAssignmentCodec.decode(ann).orElseThrow();
            PodRequest charged = request.withName(key).withGpus(assignment.gpuIds().size(), assignment.milliPerGpu());
            return new PlacedPod(key, uid, node, charged, assignment.gpuIds(), false);
        } catch (IllegalArgumentException e) {
            LOG.warn("pod {} on {}: {}; charging it as whole GPUs", key, node, e.getMessage());
            return new PlacedPod(key, uid, node, request, null, false);
        }
    }

    private void removePod(Pod pod) {
        String key = PodKeys.key(pod);
        String uid = Objects.toString(pod.getMetadata().getUid(), "");
        Optional<PlacedPod> placed = mirror.placement(key);
        if (placed.isPresent() && (uid.isEmpty() || placed.get().uid().equals(uid))) {
            mirror.forget(key);
            queue.clusterChanged(System.nanoTime());
        }
        queue.get(key).filter(e -> uid.isEmpty() || uid.equals(e.uid())).ifPresent(e -> queue.remove(key));
        mirror.unobserve(key);
    }

    // ---- scheduling ----------------------------------------------------------------------------------------

    /** Tries the next ready pod; false when none is ready. */
    private boolean scheduleOne() {
        long now = System.nanoTime();
        Optional<Entry> next = queue.pop(now);
        if (next.isEmpty()) {
            return false;
        }
        Entry e = next.get();
        if (!(e.demand instanceof PodDemand.Valid valid)) {
            queue.invalid(e, now);
            return true;
        }
        long t0 = System.nanoTime();
        ScheduleResult result = mirror.schedule(valid.request(), e.uid());
        metrics.decision(System.nanoTime() - t0);
        if (result instanceof ScheduleResult.Scheduled s) {
            queue.binding(e);
            bindAsync(e.pod, s.allocation());
        } else if (result instanceof ScheduleResult.Unschedulable u) {
            queue.unschedulable(e, System.nanoTime());
            metrics.attempt(Result.UNSCHEDULABLE);
            reportUnschedulable(e, u.explanation().message());
        }
        return true;
    }

    private void bindAsync(Pod pod, GpuAllocation allocation) {
        bindsInFlight.incrementAndGet();
        binders.execute(() -> {
            try {
                bindAndReport(pod, allocation);
            } finally {
                bindsInFlight.decrementAndGet();
            }
        });
    }

    private void bindAndReport(Pod pod, GpuAllocation allocation) {
        BindResult result;
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        try {
            api.annotate(ns, name, allocation);
            result = api.bind(ns, name, pod.getMetadata().getUid(), allocation.nodeName());
        } catch (KubernetesClientException ex) {
            result = new BindResult(ex.getCode() == 404 ? KubeApi.BindOutcome.GONE : KubeApi.BindOutcome.ERROR,
                    ex.getCode(), "writing the GPU annotations failed: " + ex.getMessage());
        } catch (RuntimeException ex) {
            result = new BindResult(KubeApi.BindOutcome.ERROR, 0, String.valueOf(ex));
        }
        BindResult done = result;
        if (done.outcome() == KubeApi.BindOutcome.BOUND) {
            record(pod, () -> api.event(pod, "Normal", "Scheduled", "Binding", "Successfully assigned " + ns + "/"
                    + name + " to " + allocation.nodeName() + gpuNote(allocation)));
            String created = pod.getMetadata().getCreationTimestamp();
            if (created != null) {
                metrics.boundAfter(Duration.between(Instant.parse(created), Instant.now()));
            }
        }
        inbox.add(() -> bindFinished(pod, allocation, done));
    }

    private static String gpuNote(GpuAllocation a) {
        if (a.gpuIndices().isEmpty()) {
            return "";
        }
        return a.gpuMilliPerGpu() < NodeSpec.MILLI_PER_GPU
                ? " (GPU " + a.gpuIndices().get(0) + ", " + a.gpuMilliPerGpu() + "/1000)"
                : " (GPUs " + GpuAssignmentCodec.encodeIds(a.gpuIndices()) + ")";
    }

    private void bindFinished(Pod pod, GpuAllocation allocation, BindResult result) {
        String key = PodKeys.key(pod);
        String uid = Objects.toString(pod.getMetadata().getUid(), "");
        if (result.outcome() == KubeApi.BindOutcome.BOUND) {
            metrics.attempt(Result.SCHEDULED);
            queue.get(key).filter(e -> uid.equals(e.uid())).ifPresent(e -> queue.remove(key));
            return;
        }
        // Give back what was assumed, unless the watch has already shown the pod bound.
        Optional<PlacedPod> placed = mirror.placement(key);
        if (placed.isPresent() && placed.get().assumed() && placed.get().uid().equals(uid)) {
            mirror.forget(key);
            queue.clusterChanged(System.nanoTime());
        }
        Optional<Entry> entry = queue.get(key).filter(e -> uid.equals(e.uid()));
        switch (result.outcome()) {
            case GONE -> {
                metrics.attempt(Result.ERROR);
                entry.ifPresent(e -> queue.remove(key));
            }
            case CONFLICT -> {
                metrics.attempt(Result.CONFLICT);
                LOG.info("bind of {} to {} refused ({}); waiting for the watch", key, allocation.nodeName(),
                        result.message());
                entry.ifPresent(e -> queue.backoff(e, System.nanoTime()));
            }
            default -> {
                metrics.attempt(Result.ERROR);
                String message = "binding to " + allocation.nodeName() + " failed (HTTP " + result.code() + "): "
                        + result.message() + "; will retry";
                LOG.warn("{}: {}", key, message);
                entry.ifPresent(e -> {
                    queue.backoff(e, System.nanoTime());
                    record(pod, () -> api.event(pod, "Warning", "FailedScheduling", "Scheduling", message));
                });
            }
        }
    }

    private void reportUnschedulable(Entry e, String message) {
        if (message.equals(e.lastMessage)) {
            return; // kube-scheduler's recorder would aggregate the repeat; skip the API calls
        }
        e.lastMessage = message;
        Pod pod = e.pod;
        record(pod, () -> {
            api.event(pod, "Warning", "FailedScheduling", "Scheduling", message);
            api.condition(pod, "False", "Unschedulable", message);
        });
    }

    private void reportInvalid(Entry e) {
        if (!(e.demand instanceof PodDemand.Invalid invalid) || invalid.problem().equals(e.lastMessage)) {
            return;
        }
        e.lastMessage = invalid.problem();
        metrics.attempt(Result.INVALID);
        String message = "invalid GPU request: " + invalid.problem();
        Pod pod = e.pod;
        record(pod, () -> {
            api.event(pod, "Warning", "FailedScheduling", "Scheduling", message);
            api.condition(pod, "False", "Unschedulable", message);
        });
    }

    private void record(Pod pod, Runnable write) {
        try {
            recorder.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException ex) {
                    LOG.warn("could not record an event for {}: {}", PodKeys.key(pod), ex.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            LOG.debug("shutting down; event for {} dropped", PodKeys.key(pod));
        }
    }

    // ---- reads for the HTTP API and the extender -----------------------------------------------------------

    private final LoopView view = new LoopView();

    /** What the loop thread offers to {@link #call}: reads, and the extender's decisions. */
    public final class LoopView {

        public ExplainReport explain(String namespace, String name) {
            String key = PodKeys.key(namespace, name);
            Optional<PlacedPod> placed = mirror.placement(key);
            if (placed.isPresent()) {
                PlacedPod p = placed.get();
                Optional<GpuAllocation> a = mirror.allocation(key);
                return new ExplainReport(key, p.assumed() ? "binding" : "scheduled", p.nodeName(),
                        a.map(GpuAllocation::gpuIndices).orElse(p.gpuIds()),
                        a.filter(x -> !x.gpuIndices().isEmpty()).map(GpuAllocation::gpuMilliPerGpu).orElse(null),
                        mirror.hasNode(p.nodeName()) ? "bound to " + p.nodeName()
                                : "bound to " + p.nodeName() + ", a node Gantry does not see (yet)",
                        Map.of(), 0);
            }
            Optional<Entry> entry = queue.get(key);
            if (entry.isEmpty()) {
                return new ExplainReport(key, "unknown", null, null, null, "Gantry is not scheduling a pod "
                        + key + " (not found, finished, or not using schedulerName " + config.schedulerName() + ")",
                        Map.of(), 0);
            }
            Entry e = entry.get();
            if (e.demand instanceof PodDemand.Invalid inv) {
                return new ExplainReport(key, "invalid", null, null, null, "invalid GPU request: " + inv.problem(),
                        Map.of(), e.attempts);
            }
            PodRequest request = ((PodDemand.Valid) e.demand).request();
            Optional<Explanation> why = mirror.explain(request);
            if (why.isPresent()) {
                return new ExplainReport(key, "pending", null, null, null, why.get().message(),
                        why.get().countsByMessage(), e.attempts);
            }
            String wait = !leader ? "this instance is not the leader; the leader schedules it"
                    : "fits now; waiting for its turn in the queue";
            return new ExplainReport(key, "pending", null, null, null, wait, Map.of(), e.attempts);
        }

        ClusterMirror mirror() {
            return mirror;
        }

        public boolean hasNode(String name) {
            return mirror.hasNode(name);
        }

        public io.gantry.engine.Assessment assess(PodRequest request) {
            return mirror.assess(request);
        }

        /** The extender's bind: place the pod on the chosen node and assume it. */
        public ScheduleResult placeOn(PodRequest request, String uid, String node) {
            if (!mirror.hasNode(node)) {
                throw new IllegalArgumentException("node " + node + " is not known to Gantry (yet)");
            }
            Optional<PlacedPod> placed = mirror.placement(request.name());
            if (placed.isPresent() && !placed.get().assumed()) {
                throw new IllegalStateException("pod " + request.name() + " is already bound to "
                        + placed.get().nodeName());
            }
            mirror.forget(request.name()); // an earlier bind attempt that did not finish
            return mirror.scheduleOn(request, uid, node);
        }

        /** The extender's bind failed: give back what {@link #placeOn} took. */
        public void unplace(String key, String uid) {
            mirror.placement(key).filter(p -> p.assumed() && p.uid().equals(uid)).ifPresent(p -> mirror.forget(key));
        }

        public int pending() {
            return queue.size();
        }

        public int placedPods() {
            return mirror.placedPods().size();
        }
    }

    /** Waits until every in-flight bind has finished (for tests and a clean shutdown). */
    public boolean awaitBinds(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (bindsInFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        binders.shutdown(); // binds in flight finish; their events still go out
        try {
            binders.awaitTermination(10, TimeUnit.SECONDS);
            recorder.shutdown();
            if (!recorder.awaitTermination(5, TimeUnit.SECONDS)) {
                int dropped = recorder.shutdownNow().size();
                LOG.info("stopping: {} events not yet written were dropped", dropped);
            }
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
