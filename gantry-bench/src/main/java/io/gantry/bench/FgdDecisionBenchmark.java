package io.gantry.bench;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScheduleResult;
import io.gantry.engine.Scheduler;
import io.gantry.engine.SchedulingProfile;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.frag.TargetWorkload;
import io.gantry.engine.plugins.ScorePlugin;
import io.gantry.sim.trace.openb.OpenbTraceReader;
import io.gantry.sim.workload.SyntheticOpenb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One FGD scheduling decision (filter, score every feasible node, pick, choose GPUs, reserve) on a cluster about
 * 60 % full, followed by the release that undoes it. {@code cached} keeps the scheduler's per-node score cache (as
 * the simulator and a long-running scheduler have it); {@code uncached} rescoring every node shows the raw cost.
 *
 * <p>Nodes come from the openb node list when {@code -Dgantry.openb.nodes=FILE} names it, else from the built-in
 * openb-shaped cluster; they are replicated (as {@code --scale} does) up to {@code nodes}.
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FgdDecisionBenchmark {

    @Param({"1213", "10000"})
    public int nodes;

    @Param({"cached", "uncached"})
    public String scoreCache;

    private Scheduler scheduler;
    private List<PodRequest> probes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        List<NodeSpec> base = baseNodes();
        ClusterState state = new ClusterState();
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < nodes; i++) {
            NodeSpec n = base.get(i % base.size());
            int replica = i / base.size();
            int slot = state.addNode(replica == 0 ? n : new NodeSpec(n.name() + "-r" + replica, n.cpuMilli(),
                    n.memoryMib(), n.gpuCount(), n.gpuModel(), n.maxPods()));
            state.setTieRank(slot, random.nextInt(Integer.MAX_VALUE));
        }
        List<PodRequest> pods = SyntheticOpenb.pods(20_000 * Math.max(1, nodes / base.size()), 7);
        SchedulingProfile profile = Policy.FGD.profile(ScoringMode.PAPER, TargetWorkload.fromPods(pods), random);
        // Fill with the cached scheduler (fast), then measure with the variant asked for on the same state.
        Scheduler filler = new Scheduler(state, profile);
        int i = 0;
        while (state.usedGpuMilli() < 0.6 * state.totalGpuMilli() && i < pods.size()) {
            filler.schedule(pods.get(i++));
        }
        if (scoreCache.equals("uncached")) {
            // the same profile (pre-filters included), each score plugin without the scheduler's cache
            SchedulingProfile.Builder uncached = profile.toBuilder().clearScores();
            profile.scores().forEach(w -> uncached.score(new Uncached(w.plugin()), w.weight()));
            profile = uncached.build();
        }
        scheduler = new Scheduler(state, profile);
        probes = new ArrayList<>();
        for (int k = 0; k < 256; k++) {
            probes.add(pods.get(i + k).withName("probe-" + k));
        }
    }

    /** Decisions per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public ScheduleResult throughput() {
        return decide();
    }

    /** The distribution of one decision's latency (p50, p99 in the JMH report). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ScheduleResult latency() {
        return decide();
    }

    private ScheduleResult decide() {
        PodRequest pod = probes.get(next);
        next = (next + 1) & 255;
        ScheduleResult result = scheduler.schedule(pod);
        if (result.isScheduled()) {
            scheduler.release(pod.name());
        }
        return result;
    }

    private static List<NodeSpec> baseNodes() {
        String file = System.getProperty("gantry.openb.nodes");
        if (file != null && Files.isRegularFile(Path.of(file))) {
            return OpenbTraceReader.readNodes(Path.of(file));
        }
        return SyntheticOpenb.nodes();
    }

    /** The same score with the scheduler's cache turned off. */
    private record Uncached(ScorePlugin delegate) implements ScorePlugin {
        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public void preScore(ClusterState state, CycleContext cycle, int[] feasible, int count) {
            delegate.preScore(state, cycle, feasible, count);
        }

        @Override
        public boolean skipped() {
            return delegate.skipped();
        }

        @Override
        public double score(ClusterState state, CycleContext cycle, int node) {
            return delegate.score(state, cycle, node);
        }

        @Override
        public void normalize(double[] scores, int count) {
            delegate.normalize(scores, count);
        }

        @Override
        public boolean cacheable() {
            return false;
        }
    }
}
