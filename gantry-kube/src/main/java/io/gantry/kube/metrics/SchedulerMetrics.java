package io.gantry.kube.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scheduler's Prometheus metrics: pending pods, attempts by result, decision latency and pod creation-to-bind
 * latency as histograms, and GPUs allocated, total and over-committed per node and model. Thread-safe; the per-node gauges read a
 * snapshot the scheduling loop publishes, so scraping never touches the engine.
 */
public final class SchedulerMetrics {

    /** Results of one scheduling attempt, the values of the {@code result} label. */
    public enum Result { SCHEDULED, UNSCHEDULABLE, INVALID, ERROR, CONFLICT }

    /**
     * GPUs of one node: its model, how many, how many are taken (fractions included), and how many its pods hold
     * beyond what it has (0 unless pods were bound past Gantry).
     */
    public record NodeGpus(String model, int total, double allocated, double overcommitted) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger leader = new AtomicInteger();
    private final Map<Result, Counter> attempts = new HashMap<>();
    private final Timer decision;
    private final Timer podToBind;
    private final Map<String, NodeGpus> nodes = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> nodeMeters = new ConcurrentHashMap<>();

    public SchedulerMetrics() {
        Gauge.builder("gantry.pending.pods", pending, AtomicInteger::get)
                .description("Pods waiting to be scheduled (queued, backing off, unschedulable, gated, held or being bound)")
                .register(registry);
        Gauge.builder("gantry.leader", leader, AtomicInteger::get)
                .description("1 while this instance holds the leader lease and binds pods").register(registry);
        for (Result r : Result.values()) {
            attempts.put(r, Counter.builder("gantry.scheduling.attempts")
                    .description("Scheduling attempts by result").tag("result", r.name().toLowerCase())
                    .register(registry));
        }
        decision = Timer.builder("gantry.scheduling.decision")
                .description("Time the engine takes to decide where one pod goes")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(1)).register(registry);
        podToBind = Timer.builder("gantry.pod.scheduling.duration")
                .description("Time from pod creation to a successful bind")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        Gauge.builder("gantry.cluster.gpus", nodes, m -> m.values().stream().mapToInt(NodeGpus::total).sum())
                .description("GPUs in the cluster").register(registry);
        Gauge.builder("gantry.cluster.gpus.allocated", nodes,
                m -> m.values().stream().mapToDouble(NodeGpus::allocated).sum())
                .description("GPUs allocated in the cluster, shares counted as fractions").register(registry);
    }

    public void attempt(Result result) {
        attempts.get(result).increment();
    }

    public double attempts(Result result) {
        return attempts.get(result).count();
    }

    public void decision(long nanos) {
        decision.record(Duration.ofNanos(nanos));
    }

    public void boundAfter(Duration sinceCreation) {
        if (!sinceCreation.isNegative()) {
            podToBind.record(sinceCreation);
        }
    }

    public void pending(int count) {
        pending.set(count);
    }

    public void leader(boolean isLeader) {
        leader.set(isLeader ? 1 : 0);
    }

    /** Replaces the per-node GPU figures; gauges appear and disappear with nodes. */
    public synchronized void publishNodes(Map<String, NodeGpus> snapshot) {
        List<String> gone = new ArrayList<>();
        for (String node : nodes.keySet()) {
            if (!snapshot.containsKey(node)) {
                gone.add(node);
            }
        }
        updateNodes(snapshot, gone);
    }

    /**
     * Changes the figures of some nodes only, so a publisher that knows which nodes changed does not walk them all:
     * {@code changed} are set (gauges appear for new nodes), {@code gone} lose their gauges.
     */
    public synchronized void updateNodes(Map<String, NodeGpus> changed, Collection<String> gone) {
        for (String node : gone) {
            removeNode(node);
        }
        for (Map.Entry<String, NodeGpus> e : changed.entrySet()) {
            String node = e.getKey();
            NodeGpus before = nodes.get(node);
            if (before != null && !before.model().equals(e.getValue().model())) {
                removeNode(node); // the model is a tag: new gauges
            }
            boolean added = nodes.put(node, e.getValue()) == null;
            if (added) {
                String model = e.getValue().model();
                Meter total = Gauge.builder("gantry.node.gpus", nodes, m -> value(m, node, false))
                        .description("GPUs of the node").tags("node", node, "model", model).register(registry);
                Meter allocated = Gauge.builder("gantry.node.gpus.allocated", nodes, m -> value(m, node, true))
                        .description("GPUs of the node allocated, shares counted as fractions")
                        .tags("node", node, "model", model).register(registry);
                Meter over = Gauge.builder("gantry.node.gpu.overcommitted", nodes,
                        m -> m.get(node) == null ? Double.NaN : m.get(node).overcommitted())
                        .description("GPUs the node's bound pods hold beyond what it has (pods bound by another"
                                + " scheduler or by hand); 0 normally")
                        .tags("node", node, "model", model).register(registry);
                nodeMeters.put(node, List.of(total, allocated, over));
            }
        }
    }

    private void removeNode(String node) {
        if (nodes.remove(node) != null) {
            for (Meter m : nodeMeters.remove(node)) {
                registry.remove(m);
            }
        }
    }

    private static double value(Map<String, NodeGpus> m, String node, boolean allocated) {
        NodeGpus g = m.get(node);
        return g == null ? Double.NaN : allocated ? g.allocated() : g.total();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
