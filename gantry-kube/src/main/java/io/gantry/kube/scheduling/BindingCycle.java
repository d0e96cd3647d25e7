package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.metrics.SchedulerMetrics.Result;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.scheduling.KubeApi.BindOutcome;
import io.gantry.kube.scheduling.KubeApi.BindResult;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The binding cycle, beside the scheduling cycle as in kube-scheduler: a pool of workers runs the engine's
 * pre-bind and bind plugins for an assumed pod (Bind being {@link ApiBinding}: the Binding, with its GPUs as
 * annotations), and the outcome goes back to the loop's inbox. There a failure gives
 * the assumed resources back (unless the watch already shows the pod bound) and the pod backs off; a pod gone or
 * bound by someone else leaves the queue.
 */
final class BindingCycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BindingCycle.class);

    private final DerivedEngine engine;
    private final ExecutorService workers;
    private final Consumer<Runnable> inbox;
    private final ClusterMirror mirror;
    private final SchedulingQueue queue;
    private final PodRecorder recorder;
    private final SchedulerMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();

    BindingCycle(DerivedEngine engine, ExecutorService workers, LoopOutcomes loop) {
        this.engine = requireNonNull(engine, "engine");
        this.workers = requireNonNull(workers, "workers");
        this.inbox = loop.inbox();
        this.mirror = loop.mirror();
        this.queue = loop.queue();
        this.recorder = loop.recorder();
        this.metrics = loop.metrics();
    }

    /** One assumed pod to bind: the pod object, what it asked, where it goes. */
    record Member(Pod pod, PodRequest request, GpuAllocation allocation) {
    }

    /** Binds the assumed pod; called on the loop thread, returns at once. */
    void bind(Pod pod, PodRequest request, GpuAllocation allocation) {
        bindGang(List.of(new Member(pod, request, allocation)));
    }

    /**
     * Binds a gang's members, one after another on one worker, so that when one bind fails the members after it are
     * not bound either: they give their reservations back and wait again. (Members bound before the failure stay
     * bound, as in scheduler-plugins: a bound pod is not taken back.) Called on the loop thread, returns at once.
     */
    void bindGang(List<Member> members) {
        List<Member> all = List.copyOf(members);
        inFlight.incrementAndGet();
        workers.execute(() -> {
            try {
                for (int i = 0; i < all.size(); i++) {
                    Member m = all.get(i);
                    BindResult result = post(m.pod(), m.request(), m.allocation());
                    inbox.accept(() -> finished(m.pod(), m.allocation(), result));
                    if (result.outcome() != BindOutcome.BOUND) {
                        List<Member> rest = all.subList(i + 1, all.size());
                        String failed = PodKeys.key(m.pod());
                        inbox.accept(() -> rest.forEach(r -> notBound(r, failed, result)));
                        return;
                    }
                }
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    /** On a worker: the engine's binding cycle (pre-bind, then {@link ApiBinding}) and the event. */
    private BindResult post(Pod pod, PodRequest request, GpuAllocation allocation) {
        PodRequest withUid = request.withAttribute(ApiBinding.UID, Objects.toString(pod.getMetadata().getUid(), ""));
        BindResult result;
        try {
            result = ApiBinding.outcome(engine.bind(withUid, allocation));
        } catch (RuntimeException ex) {
            result = new BindResult(BindOutcome.ERROR, 0, String.valueOf(ex));
        }
        if (result.outcome() == BindOutcome.BOUND) {
            recorder.scheduled(pod, allocation);
            List<String> ignored = UnsupportedConstraints.preferred(pod);
            if (!ignored.isEmpty()) {
                recorder.ignoredPreferences(pod, UnsupportedConstraints.ignoredMessage(ignored));
            }
            String created = pod.getMetadata().getCreationTimestamp();
            if (created != null) {
                metrics.boundAfter(Duration.between(Instant.parse(created), Instant.now()));
            }
        }
        return result;
    }

    /** On the loop thread: a gang member not bound because another member's bind failed first. */
    private void notBound(Member m, String failed, BindResult why) {
        String key = PodKeys.key(m.pod());
        String uid = Objects.toString(m.pod().getMetadata().getUid(), "");
        Optional<PlacedPod> placed = mirror.placement(key);
        if (placed.isPresent() && placed.get().assumed() && placed.get().uid().equals(uid)) {
            mirror.forget(key);
            queue.clusterChanged(System.nanoTime());
        }
        metrics.attempt(Result.ERROR);
        String message = "not bound: the bind of " + failed + ", of the same pod group, failed first (HTTP "
                + why.code() + ": " + why.message() + "), and a gang is never bound in part; will retry";
        LOG.info("{}: {}", key, message);
        queue.get(key).filter(e -> uid.equals(e.uid())).ifPresent(e -> {
            queue.backoff(e, System.nanoTime());
            recorder.bindFailed(m.pod(), message);
        });
    }

    /** On the loop thread. */
    private void finished(Pod pod, GpuAllocation allocation, BindResult result) {
        String key = PodKeys.key(pod);
        String uid = Objects.toString(pod.getMetadata().getUid(), "");
        if (result.outcome() == BindOutcome.BOUND) {
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
                    recorder.bindFailed(pod, message);
                });
            }
        }
    }

    /** Waits until every bind in flight has finished (for tests and a clean shutdown). */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Binds in flight finish; their events still go out. */
    @Override
    public void close() {
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
