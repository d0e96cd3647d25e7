package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.plugins.PermitPlugin;
import io.gantry.engine.plugins.ReservePlugin;
import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random clusters and pods under every policy, with reserve and permit plugins that fail at random: whatever fails
 * after the node was chosen leaves the state exactly as before the cycle, and so does unreserving a placed pod.
 */
class FrameworkPropertiesTest {

    private static final Reason NO = Reason.resolvable("No", "said no");

    /** One generated case: the cluster, the pods in arrival order, and which cycles fail where. */
    record Case(Policy policy, ScoringMode mode, List<NodeSpec> nodes, List<PodRequest> pods, List<String> verdicts) {
    }

    private static Case generate(Gen gen) {
        List<NodeSpec> nodes = new ArrayList<>();
        int n = gen.intBetween(1, 5);
        for (int i = 0; i < n; i++) {
            nodes.add(NodeSpec.of("node-" + i, gen.oneOf(4000L, 16000L, 64000L), gen.oneOf(8192L, 65536L),
                    gen.intBetween(0, 8), gen.oneOf("A", "B")));
        }
        List<PodRequest> pods = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        int count = gen.intBetween(1, 40);
        for (int i = 0; i < count; i++) {
            int[] gpu = gen.frequency(Gen.weight(2, g -> new int[] {0, 0}),
                    Gen.weight(4, g -> new int[] {1, g.oneOf(1, 500, 999, g.intBetween(1, 999))}),
                    Gen.weight(3, g -> new int[] {1, 1000}),
                    Gen.weight(1, g -> new int[] {g.oneOf(2, 4, 8), 1000}));
            pods.add(PodRequest.of("p" + i, gen.oneOf(0L, 500L, 2000L, 6000L), gen.oneOf(0L, 1024L, 30000L), gpu[0],
                    gpu[1]));
            verdicts.add(gen.frequency(Gen.weight(4, g -> "ok"), Gen.weight(1, g -> "reserve-fails"),
                    Gen.weight(1, g -> "permit-rejects"), Gen.weight(1, g -> "unreserve-after")));
        }
        return new Case(gen.oneOf(Policy.values()), gen.oneOf(ScoringMode.class), nodes, pods, verdicts);
    }

    @Test
    void everyFailureAfterFilteringRestoresTheExactState() {
        Property.check("failures after filtering restore the exact state", 300, FrameworkPropertiesTest::generate,
                c -> {
                    ClusterState state = new ClusterState();
                    c.nodes().forEach(state::addNode);
                    String[] verdict = new String[1];
                    ReservePlugin reserve = new ReservePlugin() {
                        @Override
                        public String name() {
                            return "MaybeReserve";
                        }

                        @Override
                        public Status reserve(ClusterState s, CycleContext cycle, GpuAllocation a) {
                            return verdict[0].equals("reserve-fails") ? Status.unschedulable(name(), NO)
                                    : Status.SUCCESS;
                        }

                        @Override
                        public void unreserve(ClusterState s, CycleContext cycle, GpuAllocation a) {
                        }
                    };
                    PermitPlugin permit = new PermitPlugin() {
                        @Override
                        public String name() {
                            return "MaybePermit";
                        }

                        @Override
                        public Status permit(ClusterState s, CycleContext cycle, GpuAllocation a) {
                            return verdict[0].equals("permit-rejects") ? Status.unschedulable(name(), NO)
                                    : Status.SUCCESS;
                        }
                    };
                    SchedulingProfile profile = c.policy().profile(c.mode(), TargetWorkload.fromPods(c.pods()),
                            new SplittableRandom(7)).toBuilder().reserve(reserve).permit(permit).build();
                    Scheduler s = new Scheduler(state, profile);
                    for (int i = 0; i < c.pods().size(); i++) {
                        verdict[0] = c.verdicts().get(i);
                        PodRequest pod = c.pods().get(i);
                        ClusterSnapshot before = ClusterSnapshot.of(state);
                        ScheduleResult r = s.schedule(pod);
                        boolean feasible = s.explain(pod).isEmpty() || r.isScheduled();
                        switch (verdict[0]) {
                            case "reserve-fails", "permit-rejects" -> {
                                assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
                                assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
                                assertThat(state.allocation(pod.name())).isEmpty();
                            }
                            case "unreserve-after" -> {
                                if (r.isScheduled()) {
                                    assertThat(s.unreserve(pod.name())).isPresent();
                                    assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
                                }
                            }
                            default -> assertThat(r.isScheduled()).isEqualTo(feasible);
                        }
                    }
                });
    }
}
