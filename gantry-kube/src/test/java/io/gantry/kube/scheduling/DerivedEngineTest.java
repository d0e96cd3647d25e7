package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.ClusterState;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.plugins.BindPlugin;
import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The mirror is the truth: the engine kept in step with it equals one rebuilt from it, after any changes. */
class DerivedEngineTest {

    /** One change to the mirror. */
    private sealed interface Op {
        void apply(ClusterMirror mirror, DerivedEngine engine);
    }

    private record AddNode(String name, int gpus, List<Integer> unhealthy) implements Op {
        public void apply(ClusterMirror m, DerivedEngine e) {
            m.upsertNode(new NodeSpec(name, 64_000, 256_000, gpus, "A100", 110).withUnavailableGpus(
                    new java.util.TreeSet<>(unhealthy)));
        }
    }

    private record RemoveNode(String name) implements Op {
        public void apply(ClusterMirror m, DerivedEngine e) {
            m.removeNode(name);
        }
    }

    private record Bound(String key, String node, int gpus, int milli, boolean recorded) implements Op {
        public void apply(ClusterMirror m, DerivedEngine e) {
            List<Integer> ids = new ArrayList<>();
            for (int g = 0; g < gpus; g++) {
                ids.add(g);
            }
            m.place(new PlacedPod(key, "u-" + key, node, PodRequest.of(key, 500, 1024, gpus, gpus == 0 ? 0 : milli),
                    recorded ? ids : null, false));
        }
    }

    private record Assume(String key, int gpus, int milli) implements Op {
        public void apply(ClusterMirror m, DerivedEngine e) {
            if (m.placement(key).isPresent()) {
                return;
            }
            PodRequest r = PodRequest.of(key, 500, 1024, gpus, milli);
            if (e.schedule(r) instanceof ScheduleResult.Scheduled s) {
                m.place(new PlacedPod(key, "u-" + key, s.allocation().nodeName(), r, s.allocation().gpuIndices(),
                        true));
            }
        }
    }

    private record Forget(String key) implements Op {
        public void apply(ClusterMirror m, DerivedEngine e) {
            m.forget(key);
        }
    }

    private static Op op(Gen g) {
        String node = "n" + g.intBetween(0, 3);
        String pod = "ns/p" + g.intBetween(0, 11);
        return switch (g.intBetween(0, 5)) {
            case 0 -> new AddNode(node, g.oneOf(0, 2, 4, 8), g.chance(0.3) ? List.of(g.intBetween(0, 3)) : List.of());
            case 1 -> new RemoveNode(node);
            case 2 -> g.bool() ? new Bound(pod, node, 1, g.oneOf(250, 500, 1000), g.bool())
                    : new Bound(pod, node, g.intBetween(0, 3), 1000, g.bool());
            case 3 -> new Assume(pod, 1, g.oneOf(250, 500, 1000));
            default -> new Forget(pod);
        };
    }

    /** Per node: CPU, memory and pod slots left, and GPU thousandths left in all. */
    private static Map<String, List<Long>> totals(ClusterMirror m, DerivedEngine e) {
        ClusterState s = e.state();
        Map<String, List<Long>> out = new TreeMap<>();
        for (NodeSpec n : m.nodes()) {
            int slot = s.slotOf(n.name());
            out.put(n.name(), List.of(s.cpuLeft(slot), s.memoryLeft(slot), (long) s.podsLeft(slot),
                    s.gpuLeftTotal(slot)));
        }
        return out;
    }

    @Test
    void theEngineKeptInStepEqualsOneRebuiltFromTheMirror() {
        Property.check("incremental engine == rebuilt engine", 300, g -> g.listOf(1, 40, () -> op(g)), ops -> {
            ClusterMirror mirror = new ClusterMirror();
            DerivedEngine engine = new DerivedEngine(mirror, new PolicyProfile(Policy.BESTFIT, ScoringMode.EXACT, 1,
                    0, BindPlugin.INSTANT));
            for (Op op : ops) {
                op.apply(mirror, engine);
                Map<String, List<Long>> incremental = totals(mirror, engine);
                engine.rebuild();
                assertThat(totals(mirror, engine)).as("after %s", op).isEqualTo(incremental);
            }
        });
    }

    @Test
    void anUnhealthyGpuTakesNoPodAndIsFreeAgainWhenHealed() {
        ClusterMirror mirror = new ClusterMirror();
        DerivedEngine engine = new DerivedEngine(mirror, new PolicyProfile(Policy.BESTFIT, ScoringMode.EXACT, 1, 0, BindPlugin.INSTANT));
        mirror.upsertNode(new NodeSpec("n", 64_000, 256_000, 2, "A100", 110).withUnavailableGpus(java.util.Set.of(1)));
        var first = (ScheduleResult.Scheduled) engine.schedule(PodRequest.of("ns/a", 1, 1, 1, 1000));
        assertThat(first.allocation().gpuIndices()).containsExactly(0);
        mirror.place(new PlacedPod("ns/a", "u", "n", PodRequest.of("ns/a", 1, 1, 1, 1000), List.of(0), true));
        assertThat(engine.schedule(PodRequest.of("ns/b", 1, 1, 1, 1000))).isInstanceOf(ScheduleResult.Unschedulable.class);
        mirror.upsertNode(new NodeSpec("n", 64_000, 256_000, 2, "A100", 110));
        var second = (ScheduleResult.Scheduled) engine.schedule(PodRequest.of("ns/b", 1, 1, 1, 1000));
        assertThat(second.allocation().gpuIndices()).containsExactly(1);
    }
}
