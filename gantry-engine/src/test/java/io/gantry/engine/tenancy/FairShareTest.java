package io.gantry.engine.tenancy;

import static io.gantry.engine.tenancy.TenantCluster.pod;
import static io.gantry.engine.tenancy.TenantCluster.queue;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.queue.QueueConfig;
import io.gantry.engine.queue.QueuedPod;
import io.gantry.engine.plugins.PrioritySort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FairShareTest {

    private static final long NONE = QuotaLimit.UNLIMITED;

    private static QueueSpec weighted(String name, String parent, int weight) {
        return new QueueSpec(name, parent, weight, List.of(), ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY,
                WithinQueuePolicy.LOWER_PRIORITY);
    }

    private static long[] wanted(QueueTree tree, Object... pairs) {
        long[] w = new long[tree.size()];
        for (int i = 0; i < pairs.length; i += 2) {
            w[tree.indexOf((String) pairs[i])] = (Long) pairs[i + 1];
        }
        return w;
    }

    @Test
    void whatIsLeftIsSharedByWeight() {
        QueueTree tree = QueueTree.of(List.of(weighted("a", "", 1), weighted("b", "", 3)));
        long[] share = FairShare.entitlements(tree, wanted(tree, "a", 100_000L, "b", 100_000L), 8000);
        assertThat(share[tree.indexOf("a")]).isEqualTo(2000);
        assertThat(share[tree.indexOf("b")]).isEqualTo(6000);
    }

    @Test
    void guaranteesComeFirstAndNobodyGetsMoreThanItWants() {
        QueueTree tree = QueueTree.of(List.of(queue("a", "", 1, 6, NONE, NONE), weighted("b", "", 1)));
        long[] share = FairShare.entitlements(tree, wanted(tree, "a", 100_000L, "b", 100_000L), 8000);
        assertThat(share[tree.indexOf("a")]).isEqualTo(7000);
        assertThat(share[tree.indexOf("b")]).isEqualTo(1000);
        long[] small = FairShare.entitlements(tree, wanted(tree, "a", 1000L, "b", 100_000L), 8000);
        assertThat(small[tree.indexOf("a")]).isEqualTo(1000);
        assertThat(small[tree.indexOf("b")]).isEqualTo(7000);
    }

    @Test
    void sharesAreDividedDownTheHierarchy() {
        QueueTree tree = QueueTree.of(List.of(weighted("research", "", 1), weighted("prod", "", 1),
                weighted("team-a", "research", 1), weighted("team-b", "research", 1)));
        long[] share = FairShare.entitlements(tree, wanted(tree, "team-a", 9000L, "team-b", 9000L, "prod", 9000L),
                8000);
        assertThat(share[tree.indexOf("prod")]).isEqualTo(4000);
        assertThat(share[tree.indexOf("research")]).isEqualTo(4000);
        assertThat(share[tree.indexOf("team-a")]).isEqualTo(2000);
        assertThat(share[tree.indexOf("team-b")]).isEqualTo(2000);
    }

    @Test
    void theQueueWithTheSmallestWeightedShareIsServedFirst() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(weighted("a", "", 1), weighted("b", "", 2)),
                4, 4);
        FairShareQueue q = new FairShareQueue(c.tenancy.ledger(), new PrioritySort(), QueueConfig.kubeDefaultsMillis());
        for (int i = 0; i < 6; i++) {
            q.add(pod("a" + i, "a", 1, 0), 0);
            q.add(pod("b" + i, "b", 1, 0), 0);
        }
        List<String> order = new ArrayList<>();
        for (Optional<QueuedPod> next = q.pop(); next.isPresent(); next = q.pop()) {
            String name = next.get().name();
            order.add(name);
            assertThat(c.schedule(next.get().pod()).isScheduled()).isTrue();
            q.done(name);
        }
        // b weighs twice as much: it gets two pods for each of a's while both want more
        assertThat(order.subList(0, 9)).containsExactly("a0", "b0", "b1", "a1", "b2", "b3", "a2", "b4", "b5");
        assertThat(q.size()).isZero();
    }

    @Test
    void aQueueBelowItsGuaranteeGoesBeforeOneAboveIt() {
        TenantCluster c = new TenantCluster(Tenancy.Mode.FULL, List.of(queue("a", "", 1, 1, NONE, NONE),
                queue("b", "", 1, 8, NONE, NONE)), 4, 4);
        c.placeAll(pod("b-x", "b", 4, 0), pod("a-x", "a", 1, 0));
        FairShareQueue q = new FairShareQueue(c.tenancy.ledger(), new PrioritySort(), QueueConfig.kubeDefaultsMillis());
        q.add(pod("a1", "a", 1, 0), 0);
        q.add(pod("b1", "b", 1, 0), 0);
        assertThat(q.pop().orElseThrow().name()).isEqualTo("b1"); // b has 4 of 8; a is at its 1
    }
}
