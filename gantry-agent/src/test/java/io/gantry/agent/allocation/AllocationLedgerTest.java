package io.gantry.agent.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocationLedgerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final AllocationLedger ledger = new AllocationLedger(clock);

    private static Handout handout(String pod, String uid, String gpu) {
        return new Handout(ResourceKind.WHOLE, "ns", pod, uid, "main", List.of(gpu), 1000, List.of(gpu), true);
    }

    @Test
    void aPodRecreatedUnderTheSameNameReplacesItsPredecessor() {
        ledger.record(handout("db-0", "uid-1", "GPU-a"));
        ledger.record(handout("db-0", "uid-2", "GPU-b"));
        assertThat(ledger.holds("uid-1", "main", ResourceKind.WHOLE)).isFalse();
        assertThat(ledger.find("ns", "db-0", "main", ResourceKind.WHOLE).gpuUuids()).containsExactly("GPU-b");
        assertThat(ledger.all()).hasSize(1);
    }

    @Test
    void podsTheKubeletNoLongerListsArePrunedOnlyAfterTheGracePeriod() {
        ledger.record(handout("gone", "uid-1", "GPU-a"));
        ledger.record(handout("live", "uid-2", "GPU-b"));

        ledger.retainPods(Set.of("ns/live"));
        assertThat(ledger.all()).as("a fresh handout the kubelet has not listed yet stays").hasSize(2);

        clock.advance(AllocationLedger.PRUNE_GRACE.plus(Duration.ofSeconds(1)));
        ledger.retainPods(Set.of("ns/live"));
        assertThat(ledger.all()).extracting(Handout::pod).containsExactly("live");
    }

    @Test
    void handoutsWithoutAKnownOwnerAreNotRecorded() {
        ledger.record(new Handout(ResourceKind.WHOLE, "", "", "", "", List.of("GPU-a"), 1000, List.of("GPU-a"),
                false));
        assertThat(ledger.all()).isEmpty();
    }
}
