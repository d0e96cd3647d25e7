package io.gantry.engine.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.PodRequest;
import io.gantry.engine.plugins.PrioritySort;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {

    private final SchedulingQueue queue = new SchedulingQueue(new PrioritySort(), new QueueConfig(1_000, 10_000, 300_000));

    private static PodRequest pod(String name, int priority) {
        return PodRequest.of(name, 1000, 1024, 0, 0).withPriority(priority);
    }

    private List<String> drain() {
        List<String> names = new ArrayList<>();
        queue.pop().ifPresent(p -> {
            names.add(p.name());
            names.addAll(drain());
        });
        return names;
    }

    @Test
    void popsHigherPriorityFirstThenTheOneEnqueuedFirst() {
        queue.add(pod("late-low", 0), 5);
        queue.add(pod("early-low", 0), 0 + 5);
        queue.add(pod("high", 10), 6);
        assertThat(drain()).containsExactly("high", "late-low", "early-low");
        assertThat(queue.inFlightCount()).isEqualTo(3);
    }

    @Test
    void aFailedPodWaitsForAClusterChangeThenItsBackoff() {
        queue.add(pod("a", 0), 0);
        queue.pop();
        queue.requeueUnschedulable("a", 100);
        assertThat(queue.where("a")).contains(SchedulingQueue.Where.UNSCHEDULABLE);
        queue.flush(50_000);
        assertThat(queue.where("a")).contains(SchedulingQueue.Where.UNSCHEDULABLE); // no change, stay not over
        queue.onClusterChange(50_000);
        assertThat(queue.where("a")).contains(SchedulingQueue.Where.ACTIVE); // backoff (1 s) long passed
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        QueueConfig c = new QueueConfig(1_000, 10_000, 300_000);
        assertThat(List.of(c.backoff(1), c.backoff(2), c.backoff(3), c.backoff(4), c.backoff(5), c.backoff(30)))
                .containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L);
    }

    @Test
    void aClusterChangeRightAfterAFailureLeavesThePodInBackoffUntilItEnds() {
        queue.add(pod("a", 0), 0);
        for (int attempt = 1; attempt <= 3; attempt++) {
            long failedAt = attempt * 100_000L;
            queue.flush(failedAt);
            assertThat(queue.pop()).isPresent();
            queue.requeueUnschedulable("a", failedAt);
            queue.onClusterChange(failedAt);
            long backoff = queue.config().backoff(attempt);
            assertThat(queue.where("a")).contains(SchedulingQueue.Where.BACKOFF);
            assertThat(queue.nextWake()).hasValue(failedAt + backoff);
            queue.flushBackoffCompleted(failedAt + backoff - 1);
            assertThat(queue.where("a")).contains(SchedulingQueue.Where.BACKOFF);
            queue.flushBackoffCompleted(failedAt + backoff);
            assertThat(queue.where("a")).contains(SchedulingQueue.Where.ACTIVE);
        }
        assertThat(queue.get("a").orElseThrow().attempts()).isEqualTo(3);
    }

    @Test
    void aClusterChangeDuringTheAttemptSendsThePodToBackoffNotUnschedulable() {
        queue.add(pod("a", 0), 0);
        queue.pop();
        queue.onClusterChange(10);
        queue.requeueUnschedulable("a", 20);
        assertThat(queue.where("a")).contains(SchedulingQueue.Where.BACKOFF);
    }

    @Test
    void anUnschedulablePodIsTriedAgainAfterTheMaximumStay() {
        queue.add(pod("a", 0), 0);
        queue.pop();
        queue.requeueUnschedulable("a", 1_000);
        assertThat(queue.nextWake()).hasValue(301_000);
        queue.flush(300_999);
        assertThat(queue.where("a")).contains(SchedulingQueue.Where.UNSCHEDULABLE);
        queue.flush(301_000);
        assertThat(queue.where("a")).contains(SchedulingQueue.Where.ACTIVE);
    }

    @Test
    void updateMovesAnUnschedulablePodOnAndReordersAnActiveOne() {
        queue.add(pod("a", 0), 0);
        queue.add(pod("b", 0), 1);
        queue.update(pod("b", 5), 2);
        assertThat(queue.pop().orElseThrow().name()).isEqualTo("b");
        queue.requeueUnschedulable("b", 3);
        queue.update(pod("b", 6), 10_000);
        assertThat(queue.where("b")).contains(SchedulingQueue.Where.ACTIVE);
        assertThat(queue.pop().orElseThrow().pod().priority()).isEqualTo(6);
    }

    @Test
    void doneAndDeleteRemoveThePod() {
        queue.add(pod("a", 0), 0);
        queue.add(pod("b", 0), 0);
        queue.pop();
        assertThat(queue.done("a").name()).isEqualTo("a");
        assertThat(queue.delete("b")).isPresent();
        assertThat(queue.size()).isZero();
        assertThat(queue.delete("b")).isEmpty();
    }

    @Test
    void misuseIsRefusedInPlainWords() {
        queue.add(pod("a", 0), 10);
        assertThatThrownBy(() -> queue.add(pod("a", 0), 10)).hasMessageContaining("already in the queue");
        assertThatThrownBy(() -> queue.done("a")).hasMessageContaining("not in flight");
        assertThatThrownBy(() -> queue.flush(5)).hasMessageContaining("time went backwards");
        assertThatThrownBy(() -> new QueueConfig(10, 5, 0)).hasMessageContaining("initial <= max");
    }
}
