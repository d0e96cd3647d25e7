package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.kube.metrics.SchedulerMetrics.Result;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.scheduling.KubeApi.EvictOutcome;
import io.gantry.kube.scheduling.KubeApi.EvictResult;
import io.gantry.kube.scheduling.SchedulingQueue.Entry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's half of preemption: the engine names victims (QueuePreemption at PostFilter), this evicts them through
 * the Eviction API (policy/v1, so PodDisruptionBudgets hold and each victim terminates with its own grace period),
 * sets the preemptor's {@code status.nominatedNodeName} and tells both sides who and why. Every victim is first asked
 * in a dry run, so that when a budget refuses one (429) none is evicted for nothing: the preemptor then backs off and
 * says which budget blocks it. While its victims terminate the preemptor waits for them and evicts no more.
 *
 * <p>{@link #preempt} and the outcomes run on the loop thread; the requests on a worker.
 */
final class Preemptions {

    private static final Logger LOG = LoggerFactory.getLogger(Preemptions.class);

    private final KubeApi api;
    private final DerivedEngine engine;
    private final ExecutorService workers;
    /** Where outcomes go back to: the loop's inbox, mirror, queue, recorder and metrics. */
    private final LoopOutcomes loop;
    /** Preemptor → the victims evicted for it that still hold resources (terminating). */
    private final Map<String, Set<String>> terminating = new HashMap<>();

    Preemptions(KubeApi api, ExecutorService workers, LoopOutcomes loop, DerivedEngine engine) {
        this.engine = requireNonNull(engine, "engine");
        this.api = requireNonNull(api, "api");
        this.workers = requireNonNull(workers, "workers");
        this.loop = requireNonNull(loop, "loop");
    }

    /** How many pods evicted for this preemptor still hold resources; 0 when none (or it evicted none). */
    int stillTerminating(String preemptor) {
        Set<String> victims = terminating.get(preemptor);
        if (victims == null) {
            return 0;
        }
        victims.removeIf(v -> loop.mirror().placement(v).isEmpty());
        if (victims.isEmpty()) {
            terminating.remove(preemptor);
            return 0;
        }
        return victims.size();
    }

    /**
     * The preemptors all of whose victims are gone now, each once: the loop tries them at once, before any other pod
     * can take the room they made (the engine's Nominations keep it from pods of lower or equal priority meanwhile).
     */
    List<String> takeReady() {
        List<String> ready = new ArrayList<>();
        for (var it = terminating.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().stream().allMatch(v -> loop.mirror().placement(v).isEmpty())) {
                ready.add(e.getKey());
                it.remove();
            }
        }
        return ready;
    }

    /** The preemptor is bound or gone: nothing more to wait for. */
    void forget(String preemptor) {
        terminating.remove(preemptor);
    }

    /**
     * Evicts the result's victims for the popped pod {@code e}, which stays in flight until the outcome is back:
     * then it waits for the room (the victims' deletion is a cluster change) or, refused, backs off.
     */
    void preempt(Entry e, PodRequest preemptor, ScheduleResult.Unschedulable result) {
        List<Victim> victims = new ArrayList<>();
        for (String key : result.victims()) {
            PlacedPod p = loop.mirror().placement(key).orElse(null);
            String why = p == null ? "" : why(preemptor, p.request());
            victims.add(new Victim(key, p == null ? "" : p.uid(), why));
        }
        String node = result.nominatedNode();
        String uid = Objects.toString(e.uid(), "");
        workers.execute(() -> {
            Outcome outcome = evictAll(e.key, uid, node, victims);
            loop.inbox().accept(() -> finished(e.key, uid, node, victims, outcome));
        });
    }

    private record Victim(String key, String uid, String why) {
    }

    /** What became of one preemption: all evicted, or which victim was refused and why. */
    private record Outcome(boolean evicted, String refused, EvictResult result) {
    }

    /** On a worker: dry runs first, then the evictions, the nomination and the victims' events. */
    private Outcome evictAll(String preemptor, String uid, String node, List<Victim> victims) {
        for (boolean dryRun : new boolean[] {true, false}) {
            for (Victim v : victims) {
                EvictResult r = api.evict(PodKeys.namespace(v.key()), PodKeys.name(v.key()), v.uid(), dryRun);
                if (r.outcome() == EvictOutcome.BLOCKED || r.outcome() == EvictOutcome.ERROR) {
                    return new Outcome(false, v.key(), r);
                }
                if (!dryRun && r.outcome() == EvictOutcome.EVICTED) {
                    try {
                        api.podEvent(PodKeys.namespace(v.key()), PodKeys.name(v.key()), v.uid(), "Normal",
                                "Preempted", "Preempting", "Preempted by " + preemptor + " on node " + node
                                        + (v.why().isEmpty() ? "" : " " + v.why()));
                    } catch (RuntimeException ex) {
                        LOG.warn("could not record the preemption event on {}: {}", v.key(), ex.getMessage());
                    }
                }
            }
        }
        try {
            api.nominate(PodKeys.namespace(preemptor), PodKeys.name(preemptor), node);
        } catch (RuntimeException ex) {
            LOG.warn("could not set nominatedNodeName of {}: {}", preemptor, ex.getMessage());
        }
        return new Outcome(true, "", null);
    }

    /** On the loop thread. */
    private void finished(String preemptor, String uid, String node, List<Victim> victims, Outcome outcome) {
        Entry e = loop.queue().get(preemptor).filter(x -> uid.equals(Objects.toString(x.uid(), ""))).orElse(null);
        if (!outcome.evicted()) {
            engine.forgetNomination(preemptor); // refused: it waits for nothing
        }
        if (outcome.evicted()) {
            Set<String> keys = new LinkedHashSet<>();
            victims.forEach(v -> keys.add(v.key()));
            terminating.put(preemptor, keys);
            LOG.info("{}: evicted {} on {}", preemptor, keys, node);
        }
        if (e == null || e.state() != SchedulingQueue.State.BINDING) {
            return;
        }
        String whys = victims.stream().map(Victim::why).filter(w -> !w.isEmpty()).distinct()
                .reduce((a, b) -> a + "; " + b).orElse("");
        if (outcome.evicted()) {
            loop.metrics().attempt(Result.UNSCHEDULABLE);
            loop.queue().unschedulable(e, System.nanoTime());
            loop.recorder().preempting(e, "Preempting " + victims.size() + " pod(s) on node " + node + ": "
                    + String.join(", ", victims.stream().map(Victim::key).toList())
                    + (whys.isEmpty() ? "" : " (" + whys + ")"));
            return;
        }
        loop.metrics().attempt(Result.UNSCHEDULABLE);
        loop.queue().backoff(e, System.nanoTime());
        EvictResult r = outcome.result();
        String message = r.outcome() == EvictOutcome.BLOCKED
                ? "preemption on node " + node + " blocked: evicting " + outcome.refused()
                        + " would violate its PodDisruptionBudget (" + r.message() + "); no pod was evicted;"
                        + " will retry"
                : "preemption on node " + node + " failed: evicting " + outcome.refused() + " (HTTP " + r.code()
                        + "): " + r.message() + "; will retry";
        LOG.info("{}: {}", preemptor, message);
        loop.recorder().unschedulable(e, message);
    }

    /** Why the preemptor may take the victim's place, in words for both pods' events. */
    static String why(PodRequest preemptor, PodRequest victim) {
        String mine = TenancyKeys.queueOf(preemptor);
        String theirs = TenancyKeys.queueOf(victim);
        if (mine.equals(theirs)) {
            return "for a pod of higher priority in queue " + mine + " (" + preemptor.priority() + " > "
                    + victim.priority() + ")";
        }
        return "to reclaim queue " + mine + "'s guarantee from queue " + theirs + ", which borrows";
    }
}
