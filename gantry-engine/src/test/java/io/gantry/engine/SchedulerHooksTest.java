package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.plugins.BestFitGpuSelector;
import io.gantry.engine.plugins.GpuModelFilter;
import io.gantry.engine.plugins.ClusterListener;
import io.gantry.engine.plugins.ResourceFitFilter;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The score cache is opt-in, and reserve plugins hear of node changes; one state holds one record of pods. */
class SchedulerHooksTest {

    /** Scores by a counter outside the node state: caching it would be wrong. */
    private static final class CountingScore implements ScorePlugin {
        int calls;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public double score(ClusterState state, CycleContext cycle, int node) {
            calls++;
            return 0;
        }
    }

    private static final class Recorder implements ClusterListener {
        final List<String> events = new ArrayList<>();

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void placed(ClusterState state, GpuAllocation allocation) {
            events.add("reserved " + allocation.podName());
        }

        @Override
        public void removed(ClusterState state, GpuAllocation allocation) {
            events.add("released " + allocation.podName());
        }

        @Override
        public void nodeChanged(ClusterState state, String nodeName) {
            events.add("node " + nodeName + (state.hasNode(nodeName) ? "" : " gone"));
        }
    }

    private static SchedulingProfile profile(ScorePlugin score, ClusterListener... listeners) {
        SchedulingProfile.Builder b = SchedulingProfile.builder("test").filter(new ResourceFitFilter())
                .filter(new GpuModelFilter()).score(score).gpuSelector(new BestFitGpuSelector());
        for (ClusterListener l : listeners) {
            b.listener(l);
        }
        return b.build();
    }

    @Test
    void aScoreThatDoesNotOptInIsNeverCached() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("a", 8000, 8000, 2, "T4"));
        state.addNode(NodeSpec.of("b", 8000, 8000, 2, "T4"));
        CountingScore score = new CountingScore();
        Scheduler s = new Scheduler(state, profile(score));
        s.schedule(PodRequest.of("p1", 100, 0, 0, 0));
        s.schedule(PodRequest.of("p2", 100, 0, 0, 0));
        assertThat(score.calls).isEqualTo(4); // 2 nodes x 2 pods of the same shape, nothing reused
    }

    @Test
    void reservePluginsHearOfPodsAndNodes() {
        ClusterState state = new ClusterState();
        Recorder recorder = new Recorder();
        Scheduler s = new Scheduler(state, profile(new CountingScore(), recorder));
        s.addNode(NodeSpec.of("a", 8000, 8000, 2, "T4"));
        s.schedule(PodRequest.of("p", 100, 0, 1, 500));
        s.updateNode(NodeSpec.of("a", 4000, 8000, 2, "T4"));
        s.release("p");
        s.removeNode("a");
        assertThat(recorder.events).containsExactly("node a", "reserved p", "node a", "released p", "node a gone");
    }

    @Test
    void twoSchedulersOnOneStateShareOneRecordOfPods() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("a", 8000, 8000, 2, "T4"));
        Scheduler first = new Scheduler(state, profile(new CountingScore()));
        Scheduler second = new Scheduler(state, profile(new CountingScore()));
        first.schedule(PodRequest.of("p", 100, 0, 1, 1000));
        assertThat(second.allocation("p")).isPresent();
        assertThat(second.release("p")).isPresent();
        assertThat(first.release("p")).isEmpty(); // given back once only
        assertThat(state.gpuLeftTotal(0)).isEqualTo(2000);
    }
}
