package io.gantry.engine.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.PodRequest;
import io.gantry.engine.plugins.PrioritySort;
import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of queue operations against a model that only knows which pods were added and not yet
 * removed, and which are popped: the queue never loses or duplicates a pod, pops in QueueSort order, and never lets
 * a pod out of backoff or unschedulable before its time.
 */
class SchedulingQueuePropertiesTest {

    enum Op { ADD, UPDATE, POP, DONE, UNSCHEDULABLE, BACKOFF, DELETE, CLUSTER_CHANGE, FLUSH, ADVANCE }

    record Step(Op op, int pod, int priority, long dt) {
    }

    record Case(QueueConfig config, List<Step> steps) {
    }

    private static Case generate(Gen gen) {
        QueueConfig config = new QueueConfig(gen.longBetween(0, 50), gen.longBetween(50, 400), gen.longBetween(0, 900));
        List<Step> steps = gen.listOf(1, 200, () -> new Step(gen.oneOf(Op.class), gen.intBetween(0, 12),
                gen.intBetween(0, 3), gen.longBetween(0, 120)));
        return new Case(config, steps);
    }

    @Test
    void theQueueNeverLosesOrDuplicatesAPodAndKeepsOrderAndTimes() {
        Property.check("scheduling queue bookkeeping, order and times", 400, SchedulingQueuePropertiesTest::generate,
                c -> run(c.config(), c.steps()));
    }

    private static void run(QueueConfig config, List<Step> steps) {
        SchedulingQueue queue = new SchedulingQueue(new PrioritySort(), config);
        Set<String> present = new HashSet<>();
        Set<String> popped = new HashSet<>();
        // When each waiting pod entered unschedulable, and the cluster-change count then; updates count as changes.
        Map<String, Long> unschedulableSince = new HashMap<>();
        Map<String, Long> changesAtFailure = new HashMap<>();
        long changes = 0;
        long now = 0;
        for (Step s : steps) {
            String name = "pod-" + s.pod();
            now += s.dt() / 4; // time moves on a little with every step, sometimes not at all
            switch (s.op()) {
                case ADD -> {
                    if (!present.contains(name)) {
                        queue.add(PodRequest.of(name, 1, 1, 0, 0).withPriority(s.priority()), now);
                        present.add(name);
                    }
                }
                case UPDATE -> {
                    queue.update(PodRequest.of(name, 1, 1, 0, 0).withPriority(s.priority()), now);
                    present.add(name);
                    unschedulableSince.remove(name);
                }
                case POP -> {
                    List<QueuedPod> activeBefore = active(queue);
                    var next = queue.pop();
                    assertThat(next.isPresent()).isEqualTo(!activeBefore.isEmpty());
                    if (next.isPresent()) {
                        QueuedPod p = next.get();
                        for (QueuedPod other : activeBefore) {
                            assertThat(SchedulingQueue.order(new PrioritySort(), p, other)).as("pop order").isLessThanOrEqualTo(0);
                        }
                        if (p.attempts() > 0) {
                            assertThat(now).as("popped before its backoff ended").isGreaterThanOrEqualTo(
                                    p.lastFailure() + config.backoff(p.attempts()));
                        }
                        Long since = unschedulableSince.remove(p.name());
                        if (since != null && changesAtFailure.get(p.name()) == changes) {
                            assertThat(now - since).as("left unschedulable without a change before the maximum stay")
                                    .isGreaterThanOrEqualTo(config.maxUnschedulableStay());
                        }
                        popped.add(p.name());
                    }
                }
                case DONE, UNSCHEDULABLE, BACKOFF -> {
                    if (popped.isEmpty()) {
                        break;
                    }
                    String victim = popped.stream().sorted().toList().get(s.pod() % popped.size());
                    popped.remove(victim);
                    if (s.op() == Op.DONE) {
                        queue.done(victim);
                        present.remove(victim);
                    } else if (s.op() == Op.UNSCHEDULABLE) {
                        queue.requeueUnschedulable(victim, now);
                        if (queue.where(victim).orElseThrow() == SchedulingQueue.Where.UNSCHEDULABLE) {
                            unschedulableSince.put(victim, now);
                            changesAtFailure.put(victim, changes);
                        }
                    } else {
                        queue.requeueBackoff(victim, now);
                    }
                }
                case DELETE -> {
                    assertThat(queue.delete(name).isPresent()).isEqualTo(present.contains(name));
                    present.remove(name);
                    popped.remove(name);
                    unschedulableSince.remove(name);
                }
                case CLUSTER_CHANGE -> {
                    queue.onClusterChange(now);
                    changes++;
                    unschedulableSince.clear();
                }
                case FLUSH -> queue.flush(now);
                case ADVANCE -> now += s.dt() * 3;
            }
            checkBooks(queue, present, popped);
        }
    }

    private static List<QueuedPod> active(SchedulingQueue queue) {
        List<QueuedPod> active = new ArrayList<>();
        for (QueuedPod p : queue.pods()) {
            if (queue.where(p.name()).orElseThrow() == SchedulingQueue.Where.ACTIVE) {
                active.add(p);
            }
        }
        return active;
    }

    private static void checkBooks(SchedulingQueue queue, Set<String> present, Set<String> popped) {
        assertThat(queue.size()).isEqualTo(present.size());
        assertThat(queue.activeCount() + queue.backoffCount() + queue.unschedulableCount() + queue.inFlightCount())
                .isEqualTo(present.size());
        List<String> names = queue.pods().stream().map(QueuedPod::name).toList();
        assertThat(names).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(present);
        for (String name : present) {
            assertThat(queue.contains(name)).isTrue();
            assertThat(queue.where(name).orElseThrow() == SchedulingQueue.Where.IN_FLIGHT)
                    .as("in flight: " + name).isEqualTo(popped.contains(name));
        }
        assertThat(queue.inFlightCount()).isEqualTo(popped.size());
    }
}
