package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.engine.Assessment;
import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.model.VolumeCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop: one thread that owns the mirror, the queue and the engine, and its inbox. Watch events, bind
 * outcomes and reads come in through the inbox and run in turn ({@link ClusterEvents} applies the watches); between
 * them, while this instance leads, the {@link SchedulingCycle} places pending pods one at a time and hands them to
 * the {@link BindingCycle}. The {@link PodRecorder} writes events and conditions, the {@link MetricsPublisher} the
 * figures, the {@link Explainer} answers {@code /api/explain}.
 */
public final class SchedulerLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerLoop.class);
    /** Pods scheduled between two looks at the inbox, so watch events are never starved by a burst. */
    private static final int BATCH = 64;
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final ClusterMirror mirror = new ClusterMirror();
    private final SchedulingQueue queue;
    private final DerivedEngine engine;
    private final PodRecorder recorder;
    private final BindingCycle binding;
    private final SchedulingCycle cycle;
    private final ClusterEvents events;
    private final MetricsPublisher publisher;
    private final Explainer explainer;
    private final SchedulerMetrics metrics;
    /** Queues, namespaces' queues, PodGroups; unused when tenancy is off. */
    private final TenantObjects tenants = new TenantObjects();
    private final boolean tenancy;
    private final QueueStatusWriter queueStatus;
    private final PodGroupStatusWriter podGroupStatus;
    /** The status writes of queues and of PodGroups, each coalesced by its own objects. */
    private final CoalescedWrites queueWrites;
    private final CoalescedWrites groupWrites;
    private final Thread thread;
    private final LoopView view = new LoopView();
    private volatile boolean running = true;
    private volatile boolean leader;
    private volatile boolean schedulingEnabled = true;
    private volatile boolean synced;
    private volatile long heartbeatNanos = System.nanoTime();

    public SchedulerLoop(SchedulerConfig config, KubeApi api, SchedulerMetrics metrics) {
        this(config, api, metrics, null);
    }

    /** @param volumes where pods' claims are looked up; null when another scheduler checks volumes (extender) */
    public SchedulerLoop(SchedulerConfig config, KubeApi api, SchedulerMetrics metrics, VolumeCatalog volumes) {
        this(config, api, metrics, volumes, true);
    }

    /**
     * @param tenancy whether queues, gangs and preemption apply ({@code config.admission()}); off in extender mode,
     *     where kube-scheduler admits pods
     */
    public SchedulerLoop(SchedulerConfig config, KubeApi api, SchedulerMetrics metrics, VolumeCatalog volumes,
            boolean tenancy) {
        requireNonNull(config, "config");
        requireNonNull(api, "api");
        this.metrics = requireNonNull(metrics, "metrics");
        this.tenancy = tenancy;
        PolicyProfile profile = new PolicyProfile(config.policy(), config.scoring(), 42, System.nanoTime(),
                new ApiBinding(api));
        this.queue = new SchedulingQueue(config.backoffInitial(), config.backoffMax(), profile.queueSort());
        this.engine = new DerivedEngine(mirror, profile, tenancy ? config.admission() : null, tenants);
        this.recorder = new PodRecorder(api, Executors.newFixedThreadPool(4, daemon("gantry-events")));
        LoopOutcomes outcomes = new LoopOutcomes(inbox::add, mirror, queue, recorder, metrics);
        this.binding = new BindingCycle(engine, Executors.newFixedThreadPool(config.bindingWorkers(),
                daemon("gantry-bind")), outcomes);
        HeldGangs held = new HeldGangs();
        Preemptions preemptions = tenancy ? new Preemptions(api, Executors.newFixedThreadPool(2,
                daemon("gantry-evict")), outcomes, engine) : null;
        this.cycle = new SchedulingCycle(queue, mirror, engine, binding, recorder, metrics, held, preemptions);
        engine.beforeRebuild(() -> cycle.releaseHeld("the engine was rebuilt with new queues or a new profile"));
        this.events = new ClusterEvents(config, mirror, engine, queue, recorder, metrics, volumes,
                tenancy ? tenants : null);
        this.publisher = new MetricsPublisher(metrics, mirror, engine, queue, recorder);
        this.explainer = new Explainer(config.schedulerName(), mirror, engine, queue, held);
        this.queueWrites = new CoalescedWrites(Executors.newSingleThreadExecutor(daemon("gantry-queue-status")));
        this.groupWrites = new CoalescedWrites(Executors.newSingleThreadExecutor(daemon("gantry-podgroup-status")));
        this.queueStatus = new QueueStatusWriter(tenants, engine, queue, api::queueStatus, queueWrites);
        this.podGroupStatus = new PodGroupStatusWriter(tenants, held, api::podGroupStatus, groupWrites);
        this.thread = new Thread(this::run, "gantry-scheduling-loop");
        this.thread.setDaemon(true);
    }

    private static ThreadFactory daemon(String prefix) {
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
        inbox.add(() -> events.nodeChanged(node));
    }

    public void nodeDeleted(Node node) {
        inbox.add(() -> events.nodeDeleted(node));
    }

    public void podChanged(Pod pod) {
        inbox.add(() -> events.podChanged(pod));
    }

    public void podDeleted(Pod pod) {
        inbox.add(() -> events.podDeleted(pod));
    }

    public void queueChanged(GenericKubernetesResource q) {
        inbox.add(() -> tenants.queueChanged(q));
    }

    public void queueDeleted(GenericKubernetesResource q) {
        inbox.add(() -> tenants.queueDeleted(q));
    }

    public void podGroupChanged(GenericKubernetesResource g) {
        inbox.add(() -> tenants.podGroupChanged(g));
    }

    public void podGroupDeleted(GenericKubernetesResource g) {
        inbox.add(() -> tenants.podGroupDeleted(g));
    }

    public void namespaceChanged(Namespace ns) {
        inbox.add(() -> tenants.namespaceChanged(ns));
    }

    public void namespaceDeleted(Namespace ns) {
        inbox.add(() -> tenants.namespaceDeleted(ns));
    }

    /** Whether queues, gangs and preemption apply (not in extender mode). */
    public boolean tenancy() {
        return tenancy;
    }

    /** The watches have delivered the whole initial state; scheduling may start (when leading). */
    public void markSynced(Supplier<List<Node>> nodes, Supplier<List<Pod>> pods) {
        markSynced(() -> { }, nodes, pods);
    }

    /**
     * The same, with the tenancy objects' lists applied first ({@code tenancyLists}, on the loop thread), so that
     * pods are read with their queues and gangs known.
     */
    public void markSynced(Runnable tenancyLists, Supplier<List<Node>> nodes, Supplier<List<Pod>> pods) {
        // The lists are read on the loop thread, so no watch event queued before them can be undone by them.
        inbox.add(() -> {
            tenancyLists.run();
            applyTenancyChanges();
            nodes.get().forEach(events::nodeChanged);
            pods.get().forEach(events::podChanged);
            synced = true;
            LOG.info("cluster state loaded: {} nodes, {} pods holding resources, {} pending", mirror.nodes().size(),
                    mirror.placedPods().size(), queue.size());
        });
    }

    public void setLeader(boolean isLeader) {
        inbox.add(() -> {
            leader = isLeader;
            metrics.leader(isLeader);
            events.leading(isLeader);
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

    private boolean scheduling() {
        return leader && synced && schedulingEnabled;
    }

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
                long now = System.nanoTime();
                applyTenancyChanges();
                // re-learning rebuilds the engine, which holds nothing: wait while a gang is held
                if (!cycle.holdsAny() && engine.refreshProfile(now)) {
                    LOG.info("FGD target workload re-learnt: {} pod types", engine.profile().targetTypes());
                }
                publisher.publishIfDue(now, leader);
                if (tenancy) {
                    queueStatus.publishIfDue(now, leader && synced);
                    podGroupStatus.publishIfDue(now, leader && synced);
                }
                cycle.expire();
                cycle.settle("");
                if (scheduling()) {
                    cycle.preemptorsFirst();
                    for (int i = 0; i < BATCH && inbox.isEmpty(); i++) {
                        if (!cycle.scheduleOne(System.nanoTime())) {
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

    /** Queues, namespaces' queues or PodGroups changed: pending pods are read again; for queues, a new engine. */
    private void applyTenancyChanges() {
        TenantObjects.Change change = tenancy ? tenants.takeChange() : TenantObjects.Change.NONE;
        if (change == TenantObjects.Change.NONE) {
            return;
        }
        if (change == TenantObjects.Change.QUEUES) {
            cycle.releaseHeld("the queues changed");
        }
        events.retranslatePending();
        if (change == TenantObjects.Change.QUEUES) {
            engine.rebuild();
        }
        queue.clusterChanged(System.nanoTime());
    }

    /** For reads on the loop thread: the multi-tenant objects the watches delivered. */
    TenantObjects tenants() {
        return tenants;
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
        if (scheduling() && queue.hasReady(now)) {
            return 0;
        }
        OptionalLong next = queue.nextWakeNanos();
        OptionalLong deadline = cycle.nextDeadline();
        long wake = Math.min(next.orElse(Long.MAX_VALUE), deadline.orElse(Long.MAX_VALUE));
        return wake == Long.MAX_VALUE ? MAX_WAIT_NANOS : Math.max(0, Math.min(MAX_WAIT_NANOS, wake - now));
    }

    // ---- reads for the HTTP API and the extender -----------------------------------------------------------

    /** What the loop thread offers to {@link #call}: reads, and the extender's decisions. */
    public final class LoopView {

        public ExplainReport explain(String namespace, String name) {
            return explainer.explain(namespace, name, leader);
        }

        public boolean hasNode(String name) {
            return mirror.hasNode(name);
        }

        public Assessment assess(PodRequest request) {
            return engine.assess(request);
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
            ScheduleResult result = engine.scheduleOn(request, node);
            if (result instanceof ScheduleResult.Scheduled s) {
                mirror.place(new PlacedPod(request.name(), uid, node, request, s.allocation().gpuIndices(), true));
            }
            return result;
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
        return binding.awaitIdle(timeout);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        binding.close(); // binds in flight finish; their events still go out
        recorder.close();
        queueWrites.close();
        groupWrites.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
