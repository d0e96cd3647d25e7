package io.gantry.engine;


import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.plugins.GpuClusteringScore;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Drives a scheduler through a sequence of schedule and release operations and checks the books after each step
 * against an independent model (what the scheduler says is placed). Independent of how the inputs are generated.
 */
final class SchedulingRun {

    sealed interface Op permits Schedule, Release {
    }

    /** Schedule a pod of this shape (its name is replaced by a fresh one). */
    record Schedule(PodRequest shape) implements Op {
    }

    /** Release the placed pod at {@code pick} modulo the number placed (nothing if none is). */
    record Release(int pick) implements Op {
    }

    private final List<NodeSpec> nodes;
    private final Policy policy;
    private final ClusterState state = new ClusterState();
    private final Scheduler scheduler;
    private final List<String> placed = new ArrayList<>();
    private int nextName;

    SchedulingRun(List<NodeSpec> nodes, List<Op> ops, Policy policy, ScoringMode mode, long seed) {
        this.nodes = nodes;
        this.policy = policy;
        for (NodeSpec n : nodes) {
            state.addNode(n);
        }
        List<PodRequest> trace = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Schedule s) {
                trace.add(s.shape());
            }
        }
        scheduler = new Scheduler(state, policy.profile(mode, TargetWorkload.fromPods(trace),
                new SplittableRandom(seed)));
    }

    Scheduler scheduler() {
        return scheduler;
    }

    List<String> placed() {
        return placed;
    }

    /**
     * Runs the operations. With {@code releaseRightAway}, every successful schedule is first released and compared
     * with the state before it, then scheduled again for real.
     */
    void run(List<Op> ops, boolean releaseRightAway) {
        checkBooks();
        for (Op op : ops) {
            if (op instanceof Schedule s) {
                schedule(s.shape().withName("pod-" + nextName++), releaseRightAway);
            } else if (op instanceof Release r && !placed.isEmpty()) {
                String name = placed.remove(Math.floorMod(r.pick(), placed.size()));
                GpuAllocation expected = scheduler.allocation(name).orElseThrow();
                assertThat(scheduler.release(name)).contains(expected);
                assertThat(scheduler.allocation(name)).isEmpty();
            }
            checkBooks();
        }
    }

    private void schedule(PodRequest pod, boolean releaseRightAway) {
        ClusterSnapshot before = ClusterSnapshot.of(state);
        boolean fitsSomewhere = false;
        for (int slot = 0; slot < state.slotCount(); slot++) {
            fitsSomewhere |= state.isActive(slot) && fits(pod, slot);
        }
        ScheduleResult result = scheduler.schedule(pod);
        if (result instanceof ScheduleResult.Unschedulable u) {
            assertThat(fitsSomewhere).as("%s fits a node but was not placed: %s", pod, u.explanation().message())
                    .isFalse();
            assertThat(ClusterSnapshot.of(state)).isEqualTo(before);
            assertThat(u.podName()).isEqualTo(pod.name());
            assertThat(u.explanation().totalNodes()).isEqualTo(state.nodeCount());
            // every node rejected once, counted under each fault its rejecting filter found
            Map<String, Reason> rejected = scheduler.assess(pod).rejected();
            assertThat(rejected).hasSize(state.nodeCount());
            assertThat(u.explanation().nodesByReason().values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(rejected.values().stream().mapToInt(r -> r.faults().size()).sum());
            assertThat(scheduler.explain(pod)).contains(u.explanation());
            return;
        }
        GpuAllocation a = ((ScheduleResult.Scheduled) result).allocation();
        checkPlacement(pod, a, before);
        if (releaseRightAway) {
            assertThat(scheduler.release(pod.name())).contains(a);
            assertThat(ClusterSnapshot.of(state)).as("state after scheduling and releasing %s", pod).isEqualTo(before);
            ScheduleResult again = scheduler.schedule(pod);
            assertThat(again.isScheduled()).as("%s fitted a moment ago", pod).isTrue();
            if (policy != Policy.RANDOM) {
                // same state, same pod: a deterministic policy makes the same choice (cached scores included)
                assertThat(((ScheduleResult.Scheduled) again).allocation()).isEqualTo(a);
            } else {
                checkPlacement(pod, ((ScheduleResult.Scheduled) again).allocation(), before);
            }
        }
        placed.add(pod.name());
    }

    /** The allocation is one the pod could have had on that node in the state before. */
    private void checkPlacement(PodRequest pod, GpuAllocation a, ClusterSnapshot before) {
        assertThat(a.podName()).isEqualTo(pod.name());
        assertThat(a.cpuMilli()).isEqualTo(pod.cpuMilli());
        assertThat(a.memoryMib()).isEqualTo(pod.memoryMib());
        assertThat(a.gpuMilliPerGpu()).isEqualTo(pod.gpuMilliPerGpu());
        assertThat(a.gpuIndices()).hasSize(pod.gpuCount()).doesNotHaveDuplicates();
        int slot = state.slotOf(a.nodeName());
        ClusterSnapshot.NodeSnapshot node = before.nodes().get(a.nodeName());
        assertThat(node.cpuLeft()).isGreaterThanOrEqualTo(pod.cpuMilli());
        assertThat(node.memoryLeft()).isGreaterThanOrEqualTo(pod.memoryMib());
        assertThat(node.podsLeft()).isPositive();
        if (pod.needsGpu()) {
            assertThat(modelAccepted(pod, slot)).isTrue();
            for (int g : a.gpuIndices()) {
                assertThat(node.gpuLeft().get(g)).isGreaterThanOrEqualTo(pod.gpuMilliPerGpu());
            }
        }
    }

    private boolean modelAccepted(PodRequest pod, int slot) {
        return pod.allowedGpuModels().isEmpty()
                || pod.allowedGpuModels().contains(state.spec(slot).gpuModel());
    }

    /** Independent fit oracle (§3.2 of the protocol). */
    private boolean fits(PodRequest pod, int slot) {
        if (state.podsLeft(slot) < 1 || state.cpuLeft(slot) < pod.cpuMilli()
                || state.memoryLeft(slot) < pod.memoryMib()) {
            return false;
        }
        if (!pod.needsGpu()) {
            return true;
        }
        if (state.gpuCount(slot) == 0 || !modelAccepted(pod, slot)) {
            return false;
        }
        int holding = 0;
        for (int g = 0; g < state.gpuCount(slot); g++) {
            if (state.gpuLeft(slot, g) >= pod.gpuMilliPerGpu()) {
                holding++;
            }
        }
        return holding >= pod.gpuCount();
    }

    /**
     * (a) every amount left lies in [0, capacity]; (b) the GPU totals add up; and every node holds exactly what the
     * scheduler says is placed on it.
     */
    void checkBooks() {
        assertThat(state.nodeCount()).isEqualTo(nodes.size());
        Set<String> names = new HashSet<>();
        long used = 0;
        long total = 0;
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (!state.isActive(slot)) {
                continue;
            }
            NodeSpec spec = state.spec(slot);
            names.add(spec.name());
            long cpu = spec.cpuMilli();
            long mem = spec.memoryMib();
            int pods = spec.maxPods();
            int[] gpu = new int[spec.gpuCount()];
            java.util.Arrays.fill(gpu, NodeSpec.MILLI_PER_GPU);
            int[] tags = new int[spec.gpuCount() + 1];
            for (GpuAllocation a : scheduler.allocations()) {
                if (!a.nodeName().equals(spec.name())) {
                    continue;
                }
                cpu -= a.cpuMilli();
                mem -= a.memoryMib();
                pods--;
                for (int g : a.gpuIndices()) {
                    gpu[g] -= a.gpuMilliPerGpu();
                }
                if (!a.gpuIndices().isEmpty()) {
                    tags[a.gpuMilliPerGpu() < NodeSpec.MILLI_PER_GPU ? 0
                            : a.gpuIndices().size()]++;
                }
            }
            String n = spec.name();
            assertThat(state.cpuLeft(slot)).as("cpuLeft of %s", n).isEqualTo(cpu).isBetween(0L, spec.cpuMilli());
            assertThat(state.memoryLeft(slot)).as("memoryLeft of %s", n).isEqualTo(mem)
                    .isBetween(0L, spec.memoryMib());
            assertThat(state.podsLeft(slot)).as("podsLeft of %s", n).isEqualTo(pods).isBetween(0, spec.maxPods());
            long leftSum = 0;
            for (int g = 0; g < gpu.length; g++) {
                assertThat(state.gpuLeft(slot, g)).as("GPU %d of %s", g, n).isEqualTo(gpu[g])
                        .isBetween(0, NodeSpec.MILLI_PER_GPU);
                leftSum += state.gpuLeft(slot, g);
            }
            assertThat(state.gpuLeftTotal(slot)).as("gpuLeftTotal of %s", n).isEqualTo(leftSum);
            for (ScorePlugin p : scheduler.profile().scorePlugins()) {
                if (p instanceof GpuClusteringScore clustering) { // its own shape counts, cached per node version
                    assertThat(clustering.tagCounts(state, slot)).as("tagCounts of %s", n).containsExactly(tags);
                }
            }
            used += (long) state.gpuCount(slot) * NodeSpec.MILLI_PER_GPU - state.gpuLeftTotal(slot);
            total += (long) state.gpuCount(slot) * NodeSpec.MILLI_PER_GPU;
        }
        assertThat(names).hasSize(nodes.size());
        assertThat(state.usedGpuMilli()).isEqualTo(used);
        assertThat(state.totalGpuMilli()).isEqualTo(total);
        assertThat(scheduler.allocations()).hasSize(placed.size());
    }

    /** (d) releases every placed pod and checks that the cluster is as empty as a fresh one. */
    void releaseAllAndCheckEmpty() {
        for (String name : List.copyOf(placed)) {
            Optional<GpuAllocation> a = scheduler.release(name);
            assertThat(a).isPresent();
            placed.remove(name);
            checkBooks();
        }
        ClusterState fresh = new ClusterState();
        nodes.forEach(fresh::addNode);
        assertThat(ClusterSnapshot.of(state)).isEqualTo(ClusterSnapshot.of(fresh));
        assertThat(state.usedGpuMilli()).isZero();
        assertThat(scheduler.allocations()).isEmpty();
    }
}
