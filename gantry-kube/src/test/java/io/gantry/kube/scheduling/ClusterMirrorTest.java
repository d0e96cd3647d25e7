package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mirror's per-node index and its record of touched nodes, which the metrics publisher relies on. */
class ClusterMirrorTest {

    private static PlacedPod pod(String key, String node, boolean assumed) {
        return new PlacedPod(key, "uid-" + key, node, PodRequest.of(key, 100, 100, 1, 1000), List.of(0), assumed);
    }

    @Test
    void everyChangeTouchesItsNodeOnceUntilTaken() {
        ClusterMirror mirror = new ClusterMirror();
        mirror.upsertNode(NodeSpec.of("a", 1000, 1000, 8, "A100"));
        mirror.upsertNode(NodeSpec.of("b", 1000, 1000, 8, "A100"));
        assertThat(mirror.takeTouchedNodes()).containsExactlyInAnyOrder("a", "b");
        assertThat(mirror.takeTouchedNodes()).isEmpty();

        mirror.upsertNode(NodeSpec.of("a", 1000, 1000, 8, "A100")); // the same node again: no change
        assertThat(mirror.takeTouchedNodes()).isEmpty();

        mirror.place(pod("ns/p", "a", true));
        assertThat(mirror.takeTouchedNodes()).containsExactly("a");
        mirror.place(pod("ns/p", "b", false)); // moved: both nodes changed
        assertThat(mirror.takeTouchedNodes()).containsExactlyInAnyOrder("a", "b");
        mirror.forget("ns/p");
        mirror.removeNode("a");
        assertThat(mirror.takeTouchedNodes()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void placedOnFollowsPlacementsAndTheAssumedToBoundChange() {
        ClusterMirror mirror = new ClusterMirror();
        mirror.place(pod("ns/p", "a", true));
        mirror.place(pod("ns/q", "a", false));
        mirror.place(pod("ns/r", "b", false));
        assertThat(mirror.placedOn("a")).extracting(PlacedPod::key).containsExactly("ns/p", "ns/q");

        mirror.place(pod("ns/p", "a", false)); // the watch shows the assumed pod bound
        assertThat(mirror.placedOn("a")).filteredOn(p -> p.key().equals("ns/p")).singleElement()
                .satisfies(p -> assertThat(p.assumed()).isFalse());

        mirror.forget("ns/q");
        mirror.forget("ns/p");
        assertThat(mirror.placedOn("a")).isEmpty();
        assertThat(mirror.placedOn("b")).extracting(PlacedPod::key).containsExactly("ns/r");
    }
}
