package io.gantry.engine.tenancy;

import static io.gantry.engine.tenancy.TenantCluster.queue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueueTreeTest {

    private static final long NONE = QuotaLimit.UNLIMITED;

    @Test
    void indexesTheHierarchyAndAddsTheDefaultQueue() {
        QueueTree tree = QueueTree.of(List.of(queue("research", "", 1, 8, NONE, NONE),
                queue("team-a", "research", 2, 4, 2, NONE), queue("team-b", "research", 1, 4, NONE, 1)));
        assertThat(tree.size()).isEqualTo(4);
        int a = tree.indexOf("team-a");
        int research = tree.indexOf("research");
        assertThat(tree.find(QueueSpec.DEFAULT_QUEUE)).isPresent();
        assertThat(tree.isLeaf(a)).isTrue();
        assertThat(tree.isLeaf(research)).isFalse();
        assertThat(tree.path(a)).containsExactly(a, research);
        assertThat(tree.limit(a, QueueTree.GPU)).isEqualTo(6000);
        assertThat(tree.reserved(tree.indexOf("team-b"), QueueTree.GPU)).isEqualTo(3000);
        assertThat(tree.limit(research, QueueTree.CPU)).isEqualTo(QuotaLimit.UNLIMITED);
        assertThat(tree.indexOf("nope")).isEqualTo(-1);
    }

    @Test
    void rejectsBrokenHierarchies() {
        assertThatThrownBy(() -> QueueTree.of(List.of(QueueSpec.unlimited("a"), QueueSpec.unlimited("a"))))
                .hasMessageContaining("queue a is declared twice");
        assertThatThrownBy(() -> QueueTree.of(List.of(queue("a", "ghost", 1, 1, NONE, NONE))))
                .hasMessageContaining("names parent ghost, which is not declared");
        assertThatThrownBy(() -> QueueTree.of(List.of(queue("a", "b", 1, 1, NONE, NONE),
                queue("b", "a", 1, 1, NONE, NONE)))).hasMessageContaining("cycle");
        assertThatThrownBy(() -> QueueTree.of(List.of(queue("p", "", 1, 4, NONE, NONE),
                queue("c1", "p", 1, 3, NONE, NONE), queue("c2", "p", 1, 2, NONE, NONE))))
                .hasMessageContaining("the children of queue p are guaranteed 5 GPUs in all, more than its own 4");
    }
}
