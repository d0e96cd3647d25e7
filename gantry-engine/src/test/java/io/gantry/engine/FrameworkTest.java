package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.plugins.BestFitGpuSelector;
import io.gantry.engine.plugins.BindPlugin;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.GpuModelFilter;
import io.gantry.engine.plugins.PermitPlugin;
import io.gantry.engine.plugins.PostFilterPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import io.gantry.engine.plugins.ReservePlugin;
import io.gantry.engine.plugins.ResourceFitFilter;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The extension points of the cycle: what each may do, and that every failure leaves the state as it was. */
class FrameworkTest {

    private static final Reason FULL = Reason.resolvable("Full", "node(s) were full for the test");

    private final List<String> calls = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();

    private static ClusterState cluster() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("a", 8000, 8000, 2, "T4"));
        state.addNode(NodeSpec.of("b", 8000, 8000, 2, "T4"));
        return state;
    }

    private SchedulingProfile.Builder base() {
        return SchedulingProfile.builder("test").filter(new GpuModelFilter()).filter(new ResourceFitFilter())
                .gpuSelector(new BestFitGpuSelector());
    }

    /** Scores the node named here highest; records its calls. */
    private ScorePlugin prefer(String node, String name) {
        return new ScorePlugin() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double score(ClusterState state, CycleContext cycle, int slot) {
                return state.nodeName(slot).equals(node) ? 10 : 0;
            }
        };
    }

    private ReservePlugin reserve(String name, boolean fail) {
        return new ReservePlugin() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Status reserve(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
                calls.add("reserve " + name + " " + allocation.podName());
                return fail ? FULL.status(name) : Status.SUCCESS;
            }

            @Override
            public void unreserve(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
                calls.add("unreserve " + name + " " + allocation.podName());
            }
        };
    }

    private PermitPlugin permit(String name, Status answer) {
        return new PermitPlugin() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Status permit(ClusterState state, CycleContext cycle, GpuAllocation allocation) {
                calls.add("permit " + name + " " + allocation.podName());
                return answer;
            }
        };
    }

    @Test
    void weightedScoresDecideTheNode() {
        // b: 1 x 10 = 10; a: 3 x 10 = 30
        Scheduler s = new Scheduler(cluster(), base().score(prefer("b", "B"), 1).score(prefer("a", "A"), 3).build());
        assertThat(((ScheduleResult.Scheduled) s.schedule(PodRequest.of("p", 100, 0, 1, 1000))).allocation()
                .nodeName()).isEqualTo("a");
        Assessment a = s.assess(PodRequest.of("q", 100, 0, 1, 1000));
        assertThat(a.scores()).containsEntry("a", 30.0).containsEntry("b", 10.0);

        Scheduler heavierB = new Scheduler(cluster(), base().score(prefer("b", "B"), 5).score(prefer("a", "A"), 3)
                .build());
        assertThat(((ScheduleResult.Scheduled) heavierB.schedule(PodRequest.of("p", 100, 0, 1, 1000))).allocation()
                .nodeName()).isEqualTo("b");
    }

    @Test
    void aPreFilterRejectionCountsEveryNodeAndSkipTurnsItsFilterOff() {
        final class Gate implements PreFilterPlugin, FilterPlugin {
            Status answer = Status.SUCCESS;
            int filtered;

            @Override
            public String name() {
                return "Gate";
            }

            @Override
            public Status preFilter(ClusterState state, CycleContext cycle) {
                return answer;
            }

            @Override
            public Reason filter(ClusterState state, CycleContext cycle, int node) {
                filtered++;
                return null;
            }
        }
        Gate gate = new Gate();
        Scheduler s = new Scheduler(cluster(), base().preFilter(gate).filter(gate).score(prefer("a", "A")).build());
        gate.answer = Status.unresolvable("Gate", Reason.unresolvable("Gated", "pod is gated"));
        ScheduleResult.Unschedulable u = (ScheduleResult.Unschedulable) s.schedule(PodRequest.of("p", 1, 0, 0, 0));
        assertThat(u.explanation().message()).isEqualTo("0/2 nodes are available: pod is gated.");
        assertThat(u.status().code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(gate.filtered).isZero();
        assertThat(s.allocations()).isEmpty();

        gate.answer = Status.skip("Gate");
        assertThat(s.schedule(PodRequest.of("p", 1, 0, 0, 0)).isScheduled()).isTrue();
        assertThat(gate.filtered).isZero();
        gate.answer = Status.SUCCESS;
        assertThat(s.schedule(PodRequest.of("q", 1, 0, 0, 0)).isScheduled()).isTrue();
        assertThat(gate.filtered).isEqualTo(2);
    }

    @Test
    void postFilterRunsOnlyWhenNothingFitsAndMayNominateANode() {
        List<Explanation> seen = new ArrayList<>();
        PostFilterPlugin preemption = new PostFilterPlugin() {
            @Override
            public String name() {
                return "Preemption";
            }

            @Override
            public PostFilterResult postFilter(ClusterState state, CycleContext cycle, Explanation filtered) {
                seen.add(filtered);
                return filtered.resolvableNodes() == 0
                        ? new PostFilterResult("", "preemption: 0/2 nodes are available: 2 Preemption is not helpful"
                                + " for scheduling.")
                        : new PostFilterResult("b", "");
            }
        };
        Scheduler s = new Scheduler(cluster(), base().postFilter(preemption).score(prefer("a", "A")).build());
        assertThat(s.schedule(PodRequest.of("fits", 100, 0, 1, 1000)).isScheduled()).isTrue();
        assertThat(seen).isEmpty();

        ScheduleResult.Unschedulable big = (ScheduleResult.Unschedulable) s.schedule(PodRequest.of("big", 100, 0, 3,
                1000));
        assertThat(big.nominatedNode()).isEqualTo("b"); // neither node has three GPUs free: both count as curable
        assertThat(seen.get(0).resolvableNodes()).isEqualTo(2);

        ScheduleResult.Unschedulable t4 = (ScheduleResult.Unschedulable) s.schedule(PodRequest.of("a100", 100, 0, 1,
                1000).withAllowedGpuModels(List.of("A100")));
        assertThat(t4.nominatedNode()).isEmpty();
        assertThat(t4.explanation().message()).isEqualTo("0/2 nodes are available: 2 node(s) didn't have the "
                + "requested GPU model. preemption: 0/2 nodes are available: 2 Preemption is not helpful for "
                + "scheduling.");
    }

    @Test
    void aFailingReserveUnreservesEveryPluginInReverseAndRestoresTheExactState() {
        ClusterState state = cluster();
        Scheduler s = new Scheduler(state, base().score(prefer("a", "A"))
                .reserve(reserve("first", false)).reserve(reserve("second", true)).build());
        ClusterSnapshot before = ClusterSnapshot.of(state);
        ScheduleResult.Unschedulable u = (ScheduleResult.Unschedulable) s.schedule(PodRequest.of("p", 100, 10, 1,
                500));
        assertThat(calls).containsExactly("reserve first p", "reserve second p", "unreserve second p",
                "unreserve first p");
        assertThat(u.status().plugin()).isEqualTo("second");
        assertThat(u.status().reasons()).containsExactly(FULL);
        assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
        assertThat(state.allocation("p")).isEmpty();
        assertThat(state.placedPod("p")).isEmpty();
    }

    @Test
    void aPermitRejectionLeavesNothingPlaced() {
        ClusterState state = cluster();
        Scheduler s = new Scheduler(state, base().score(prefer("a", "A")).reserve(reserve("r", false))
                .permit(permit("ok", Status.SUCCESS))
                .permit(permit("no", Status.unschedulable("no", FULL))).build());
        ClusterSnapshot before = ClusterSnapshot.of(state);
        ScheduleResult r = s.schedule(PodRequest.of("p", 100, 10, 1, 1000));
        assertThat(r).isInstanceOf(ScheduleResult.Unschedulable.class);
        assertThat(((ScheduleResult.Unschedulable) r).status().plugin()).isEqualTo("no");
        assertThat(calls).containsExactly("reserve r p", "permit ok p", "permit no p", "unreserve r p");
        assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
        assertThat(s.waitingPods()).isEmpty();
    }

    @Test
    void aWaitingPodHoldsItsReservationUntilAllowedRejectedOrTimedOut() {
        ClusterState state = cluster();
        Scheduler s = new Scheduler(state, base().score(prefer("a", "A")).reserve(reserve("r", false))
                .permit(permit("gang", Status.waitFor("gang", 1_000)))
                .permit(permit("quota", Status.waitFor("quota", 5_000))).build(), now::get);
        ClusterSnapshot empty = ClusterSnapshot.of(state);

        ScheduleResult.Waiting w = (ScheduleResult.Waiting) s.schedule(PodRequest.of("w", 100, 0, 1, 1000));
        assertThat(w.deadlineNanos()).isEqualTo(1_000); // the shortest wait
        assertThat(s.waitingPods()).containsExactly("w");
        assertThat(state.allocation("w")).contains(w.allocation()); // still reserved
        assertThat(s.allow("w", "gang")).isEmpty(); // quota still waits
        assertThat(s.allow("w", "quota")).contains(w.allocation());
        assertThat(s.waitingPods()).isEmpty();
        assertThat(state.allocation("w")).isPresent();

        s.schedule(PodRequest.of("x", 100, 0, 1, 1000));
        assertThat(s.reject("x")).isTrue();
        assertThat(state.allocation("x")).isEmpty();
        assertThat(calls).contains("unreserve r x");

        s.release("w");
        assertThat(ClusterSnapshot.of(state)).isEqualTo(empty);
        s.schedule(PodRequest.of("y", 100, 0, 1, 1000));
        now.set(999);
        assertThat(s.expireWaiting()).isEmpty();
        now.set(1_000);
        assertThat(s.expireWaiting()).containsExactly("y");
        assertThat(ClusterSnapshot.of(state)).isEqualTo(empty);
    }

    @Test
    void theBindingCycleRunsTheHostsBindAndAFailureIsUnreserved() {
        ClusterState state = cluster();
        List<String> bound = new ArrayList<>();
        BindPlugin api = new BindPlugin() {
            @Override
            public String name() {
                return "ApiBind";
            }

            @Override
            public Status bind(PodRequest pod, GpuAllocation allocation) {
                bound.add(pod.name() + "->" + allocation.nodeName());
                return pod.name().startsWith("bad") ? Status.error("ApiBind", "conflict") : Status.SUCCESS;
            }
        };
        Scheduler s = new Scheduler(state, base().score(prefer("a", "A")).reserve(reserve("r", false)).bind(api)
                .build());
        PodRequest good = PodRequest.of("good", 100, 0, 1, 1000);
        GpuAllocation g = ((ScheduleResult.Scheduled) s.schedule(good)).allocation();
        assertThat(s.bind(good, g)).isEqualTo(Status.SUCCESS);

        ClusterSnapshot before = ClusterSnapshot.of(state);
        PodRequest bad = PodRequest.of("bad", 100, 0, 1, 1000);
        GpuAllocation b = ((ScheduleResult.Scheduled) s.schedule(bad)).allocation();
        assertThat(s.bind(bad, b).code()).isEqualTo(Status.Code.ERROR);
        assertThat(s.unreserve("bad")).contains(b);
        assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
        assertThat(bound).containsExactly("good->a", "bad->a");
        assertThat(calls).containsExactly("reserve r good", "reserve r bad", "unreserve r bad");
        assertThat(s.unreserve("bad")).isEmpty();
    }

    @Test
    void aCopyOfTheClusterIsIndependent() {
        ClusterState state = cluster();
        Scheduler s = new Scheduler(state, base().score(prefer("a", "A")).build());
        s.schedule(PodRequest.of("p", 100, 0, 1, 500));
        ClusterSnapshot before = ClusterSnapshot.of(state);
        ClusterState copy = state.copy();
        assertThat(ClusterSnapshot.of(copy)).isEqualTo(before);

        Scheduler whatIf = new Scheduler(copy, base().score(prefer("a", "A")).build());
        whatIf.release("p");
        whatIf.schedule(PodRequest.of("q", 100, 0, 2, 1000));
        copy.addNode(NodeSpec.of("c", 1, 1, 1, "T4"));
        assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
        assertThat(state.allocation("q")).isEmpty();
        assertThat(state.hasNode("c")).isFalse();
        assertThat(copy.allocation("p")).isEmpty();
    }

    @Test
    void unavailableGpusOfferNothingAndStayEmptyThroughPlacementsAndReleases() {
        ClusterState state = new ClusterState();
        state.addNode(NodeSpec.of("n", 8000, 8000, 4, "T4").withUnavailableGpus(Set.of(1, 3, 9)));
        Scheduler s = new Scheduler(state, base().score(prefer("n", "N")).build());
        int n = state.slotOf("n");
        assertThat(state.gpuLeftTotal(n)).isEqualTo(2000);
        assertThat(state.gpuUnavailable(n, 1)).isTrue();
        assertThat(state.gpuUnavailable(n, 0)).isFalse();
        GpuAllocation two = ((ScheduleResult.Scheduled) s.schedule(PodRequest.of("two", 100, 0, 2, 1000)))
                .allocation();
        assertThat(two.gpuIndices()).containsExactly(0, 2);
        assertThat(s.schedule(PodRequest.of("more", 100, 0, 1, 100))).isInstanceOf(ScheduleResult.Unschedulable.class);
        // a pod recorded on a GPU that then turns Unhealthy: the GPU stays empty after the release
        s.release("two");
        s.recordPlaced(PodRequest.of("old", 100, 0, 1, 1000), "n", List.of(2));
        s.updateNode(NodeSpec.of("n", 8000, 8000, 4, "T4").withUnavailableGpus(Set.of(1, 2, 3)));
        assertThat(state.gpuLeftTotal(n)).isEqualTo(1000);
        s.release("old");
        assertThat(state.gpuLeft(n, 2)).isZero();
        assertThat(state.gpuLeftTotal(n)).isEqualTo(1000);
        assertThat(state.usedGpuMilli()).isEqualTo(3000); // unusable GPUs count as taken
        s.updateNode(NodeSpec.of("n", 8000, 8000, 4, "T4"));
        assertThat(state.gpuLeftTotal(n)).isEqualTo(4000);
        assertThat(state.usedGpuMilli()).isZero();
    }

    @Test
    void theCycleStateCarriesTypedValuesWithinOneCycle() {
        CycleContext.Key<String> key = CycleContext.Key.of("note", String.class);
        CycleContext cycle = CycleContext.of(PodRequest.of("p", 1, 0, 0, 0), cluster());
        assertThat(cycle.read(key)).isNull();
        cycle.write(key, "hello");
        assertThat(cycle.read(key)).isEqualTo("hello");
        assertThat(CycleContext.of(PodRequest.of("p", 1, 0, 0, 0), cluster()).read(key)).isNull();
    }

    @Test
    void podAttributesAreTypedAndImmutable() {
        PodAttributes.Key<Integer> limit = PodAttributes.Key.of("limit", Integer.class);
        PodRequest p = PodRequest.of("p", 1, 0, 0, 0);
        PodRequest q = p.withAttribute(limit, 3).withLabels(Map.of("app", "x"));
        assertThat(p.attributes().get(limit)).isEmpty();
        assertThat(q.attributes().get(limit)).contains(3);
        assertThat(q.labels()).containsEntry("app", "x");
        assertThat(q.withName("r").attributes()).isEqualTo(q.attributes());
    }
}
