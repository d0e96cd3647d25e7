package io.gantry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.experiment.RunResult;
import io.gantry.sim.experiment.Simulation;
import io.gantry.sim.report.CsvReports;
import io.gantry.sim.report.DiscreteSeries;
import io.gantry.sim.report.PaperResults;
import io.gantry.sim.trace.openb.OpenbTraceReader;
import io.gantry.sim.workload.OpenbWorkloadBuilder;
import io.gantry.sim.workload.ReplayWorkload;
import io.gantry.sim.workload.Workload;
import io.gantry.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The openb acceptance checks of the protocol (§8, §9), on the real trace and the paper's rows. Where the shared data
 * is absent they are skipped, except in CI, where that fails them ({@link SharedData}).
 */
class OpenbAcceptanceTest {

    private static final String DEFAULT = "openb_pod_list_default";
    private static final String GPUSHARE40 = "openb_pod_list_gpushare40";
    private static final List<Policy> DETERMINISTIC = List.of(Policy.DOTPROD, Policy.GPUCLUSTERING,
            Policy.GPUPACKING, Policy.BESTFIT, Policy.FGD);

    private static final Map<String, Object> CACHE = new ConcurrentHashMap<>();

    static Path shared() {
        return SharedData.dir();
    }

    static Path traces() {
        return shared().resolve("traces/openb");
    }

    static Path replay(String trace, long seed) {
        return shared().resolve("benchmarks/openb-replay").resolve(trace).resolve("seed-" + seed);
    }

    static Path benchmark(String file) {
        return shared().resolve("benchmarks").resolve(file);
    }

    private static void requireData(String trace, long seed) {
        SharedData.require(traces());
        SharedData.require(replay(trace, seed));
        SharedData.require(benchmark("paper_analysis_allo_discrete.csv"));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cached(String key, java.util.function.Supplier<T> load) {
        Object v = CACHE.get(key);
        if (v == null) {
            v = load.get();
            CACHE.put(key, v);
        }
        return (T) v;
    }

    private static List<NodeSpec> nodes() {
        return cached("nodes", () -> OpenbTraceReader.readNodes(traces().resolve("openb_node_list_gpu_node.csv")));
    }

    private static List<PodRequest> pods(String trace) {
        return cached("pods/" + trace, () -> OpenbTraceReader.readPods(traces().resolve(trace + ".csv")));
    }

    private static PaperResults paper(String file) {
        return cached("paper/" + file, () -> PaperResults.read(benchmark(file)));
    }

    private static Workload workload(String trace, long seed) {
        return cached("workload/" + trace + "/" + seed,
                () -> ReplayWorkload.load(trace, replay(trace, seed), nodes(), pods(trace)));
    }

    private static RunResult run(String trace, long seed, Policy policy) {
        return cached("run/" + trace + "/" + seed + "/" + policy,
                () -> Simulation.run(workload(trace, seed), policy, ScoringMode.PAPER, seed, 1.3, 1));
    }

    static Stream<Arguments> replayCases() {
        List<Arguments> out = new ArrayList<>();
        for (Object[] c : new Object[][] {{DEFAULT, 42L}, {DEFAULT, 47L}, {GPUSHARE40, 43L}}) {
            for (Policy p : DETERMINISTIC) {
                out.add(Arguments.of(c[0], c[1], p));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed {1} {2}")
    @MethodSource("replayCases")
    void exactReplayMatchesThePapersRow(String trace, long seed, Policy policy) {
        requireData(trace, seed);
        RunResult r = run(trace, seed, policy);
        assertThat(r.workload()).isEqualTo(trace);
        assertThat(r.totalGpus()).isEqualTo(6212);
        assertColumns(r.allocation(), paper("paper_analysis_allo_discrete.csv").row(trace, policy.paperName(), seed),
                "allocation", trace, seed, policy);
        if (SharedData.present(benchmark("paper_analysis_frag_discrete.csv"))) {
            assertColumns(r.fragmentation(),
                    paper("paper_analysis_frag_discrete.csv").row(trace, policy.paperName(), seed), "fragmentation",
                    trace, seed, policy);
        }
        if (SharedData.present(benchmark("paper_analysis_frag_ratio_discrete.csv"))) {
            assertColumns(r.fragmentationRatio(),
                    paper("paper_analysis_frag_ratio_discrete.csv").row(trace, policy.paperName(), seed),
                    "fragmentation ratio", trace, seed, policy);
        }
    }

    private static void assertColumns(DiscreteSeries actual, double[] expected, String what, String trace, long seed,
            Policy policy) {
        assertThat(expected).as("paper %s row for %s %s seed %d", what, trace, policy.paperName(), seed).isNotNull()
                .hasSize(DiscreteSeries.COLUMNS);
        for (int j = 0; j < DiscreteSeries.COLUMNS; j++) {
            String desc = String.format("%s column %d, %s %s seed %d", what, j, trace, policy.paperName(), seed);
            if (Double.isNaN(expected[j])) {
                assertThat(actual.at(j)).as(desc).isNaN();
            } else {
                assertThat(Math.abs(actual.at(j) - expected[j])).as(desc + ": got " + actual.at(j) + ", paper "
                        + expected[j]).isLessThanOrEqualTo(0.01 + 1e-9);
            }
        }
    }

    @Test
    void checkValuesOfSection8() {
        requireData(DEFAULT, 42);
        RunResult fgd = run(DEFAULT, 42, Policy.FGD);
        assertThat(fgd.pods()).isEqualTo(10_866);
        assertThat(fgd.failedPods()).isEqualTo(2532);
        assertThat(fgd.finalUsedGpuMilli()).isEqualTo(5_919_410);
        assertThat(DiscreteSeries.round2(fgd.firstFailureArrivedPercent())).isBetween(94.85, 94.95);
        assertThat(new double[] {fgd.allocation().at(98), fgd.allocation().at(100), fgd.allocation().at(110),
                fgd.allocation().at(120), fgd.allocation().at(130)}).containsExactly(95.14, 95.14, 95.19, 95.24, 95.29);
        assertThat(fgd.fragmentation().at(130)).isEqualTo(4.69);
        assertThat(DiscreteSeries.round2(fgd.fragmentationRatio().at(130))).isEqualTo(99.58);

        RunResult best = run(DEFAULT, 42, Policy.BESTFIT);
        assertThat(best.failedPods()).isEqualTo(2676);
        assertThat(best.finalUsedGpuMilli()).isEqualTo(5_785_450);
        assertThat(DiscreteSeries.round2(best.firstFailureArrivedPercent())).isBetween(92.85, 92.95);
        assertThat(best.allocation().at(100)).isEqualTo(92.94);
        assertThat(best.allocation().at(130)).isEqualTo(93.13);
        assertThat(best.fragmentation().at(130)).isEqualTo(6.8);
    }

    @Test
    void replayedStreamOfSection8() {
        requireData(DEFAULT, 42);
        Workload w = workload(DEFAULT, 42);
        assertThat(w.nodes()).hasSize(1213);
        assertThat(w.gpuCapacityMilli()).isEqualTo(6_212_000);
        assertThat(w.nodes().stream().mapToLong(NodeSpec::cpuMilli).sum()).isEqualTo(107_018_000);
        assertThat(w.original()).hasSize(8152);
        assertThat(w.original().stream().mapToLong(PodRequest::totalGpuMilli).sum()).isEqualTo(6_086_800);
        assertThat(w.original().stream().mapToLong(PodRequest::cpuMilli).sum()).isEqualTo(85_436_012);
        assertThat(w.arrivals()).hasSize(10_866);
        assertThat(w.arrivals().subList(0, 5)).extracting(PodRequest::name).containsExactly("openb-pod-0255",
                "openb-pod-1685", "openb-pod-6784", "openb-pod-4463", "openb-pod-0602");
        assertThat(w.arrivals().get(8152).name()).isEqualTo("openb-pod-3888-tuned-0");
        assertThat(w.arrivals().get(10_865).name()).isEqualTo("openb-pod-5877-tuned-2713");
        assertThat(w.arrivedGpuMilli()).isEqualTo(8_075_080);
        String[] firstByPriority = new String[5];
        for (int i = 0; i < w.nodes().size(); i++) {
            if (w.nodeRanks()[i] < 5) {
                firstByPriority[w.nodeRanks()[i]] = w.nodes().get(i).name();
            }
        }
        assertThat(firstByPriority).containsExactly("openb-node-0260", "openb-node-0858", "openb-node-0619",
                "openb-node-0582", "openb-node-0882");
    }

    @Test
    void allocationRowIsWrittenAsThePapersFileWritesIt() throws IOException {
        requireData(DEFAULT, 42);
        List<String> lines = Files.readAllLines(benchmark("paper_analysis_allo_discrete.csv"));
        assertThat(lines.get(0)).isEqualTo(CsvReports.header());
        for (Policy policy : List.of(Policy.BESTFIT, Policy.FGD)) {
            String prefix = DEFAULT + "," + policy.paperName() + ",1.3,42,";
            String paperLine = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
            RunResult r = run(DEFAULT, 42, policy);
            assertThat(CsvReports.row(r, r.allocation(), true)).isEqualTo(paperLine);
        }
    }

    @Test
    void gantrysOwnStreamFollowsTheTuningRules() {
        SharedData.require(traces());
        List<PodRequest> pods = pods(DEFAULT);
        Workload w = OpenbWorkloadBuilder.build(DEFAULT, nodes(), pods, 42, 1.3, 1);
        assertThat(w.arrivals().subList(0, pods.size())).containsExactlyInAnyOrderElementsOf(pods);
        assertThat(w.arrivals().subList(pods.size(), w.arrivals().size()))
                .allMatch(p -> p.name().contains("-tuned-"));
        double target = 1.3 * 6_212_000;
        assertThat((double) w.arrivedGpuMilli()).isBetween(target - 1000, target + 7000);

        List<PodRequest> multi = pods("openb_pod_list_multigpu40");
        Workload down = OpenbWorkloadBuilder.build("openb_pod_list_multigpu40", nodes(), multi, 42, 1.3, 1);
        assertThat(down.arrivals().size()).isLessThan(multi.size());
        assertThat((double) down.arrivedGpuMilli()).isLessThanOrEqualTo(target).isGreaterThan(target - 8000);
        assertThat(down.arrivals()).noneMatch(p -> p.name().contains("-tuned-"));
    }
}
