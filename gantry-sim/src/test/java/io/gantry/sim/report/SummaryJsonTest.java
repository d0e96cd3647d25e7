package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.engine.Policy;
import io.gantry.sim.experiment.RunResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class SummaryJsonTest {

    @TempDir
    Path dir;

    @Test
    void writesRunsAndSeedMeansAsValidJson() {
        DiscreteSeries fgdAlloc42 = ReportFixtures.series(95.29);
        double[] v = fgdAlloc42.values();
        v[100] = 95.14;
        RunResult fgd42 = ReportFixtures.run("openb_pod_list_default", Policy.FGD, 42, 1.3, new DiscreteSeries(v),
                ReportFixtures.series(4.69), ReportFixtures.series(Double.NaN), 2532);
        RunResult fgd43 = ReportFixtures.run("openb_pod_list_default", Policy.FGD, 43, 1.3,
                ReportFixtures.series(95.39), ReportFixtures.series(4.71), ReportFixtures.series(99.5), 2500);
        RunResult best = ReportFixtures.run("openb_pod_list_default", Policy.BESTFIT, 42, 1.3,
                ReportFixtures.series(93.13), ReportFixtures.series(6.8), ReportFixtures.series(99.0), 2676);
        Path file = dir.resolve("summary.json");
        SummaryJson.write(file, List.of(fgd43, best, fgd42));

        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode runs = root.get("runs");
        assertThat(runs.isArray()).isTrue();
        assertThat(runs).hasSize(3);
        JsonNode first = runs.get(0);
        assertThat(first.get("workload").asString()).isEqualTo("openb_pod_list_default");
        assertThat(first.get("policy").asString()).isEqualTo("fgd");
        assertThat(first.get("sc_policy").asString()).isEqualTo("06-FGD");
        assertThat(first.get("scoring").asString()).isEqualTo("paper");
        assertThat(first.get("seed").asLong()).isEqualTo(43);
        assertThat(first.get("tune").asDouble()).isEqualTo(1.3);
        assertThat(first.get("total_gpus").asInt()).isEqualTo(6212);
        assertThat(first.get("pods").asInt()).isEqualTo(10_866);
        assertThat(first.get("failed_pods").asInt()).isEqualTo(2500);
        assertThat(first.get("final_used_gpu_milli").asLong()).isEqualTo(5_919_410);
        assertThat(first.get("alloc_130").asDouble()).isEqualTo(95.39);
        assertThat(first.get("frag_130").asDouble()).isEqualTo(4.71);
        assertThat(first.get("frag_ratio_130").asDouble()).isEqualTo(99.5);
        assertThat(first.get("wall_ms").asLong()).isEqualTo(2500);
        assertThat(runs.get(1).get("sc_policy").asString()).isEqualTo("05-BestFit");
        JsonNode third = runs.get(2);
        assertThat(third.get("alloc_100").asDouble()).isEqualTo(95.14);
        assertThat(third.get("frag_ratio_130").isNull()).as("NaN is written as null").isTrue();

        JsonNode means = root.get("means");
        assertThat(means).hasSize(2);
        JsonNode bestMean = means.get(0);
        assertThat(bestMean.get("policy").asString()).isEqualTo("bestfit");
        assertThat(bestMean.get("seeds").asInt()).isEqualTo(1);
        assertThat(bestMean.get("alloc_130").asDouble()).isEqualTo(93.13);
        JsonNode fgdMean = means.get(1);
        assertThat(fgdMean.get("policy").asString()).isEqualTo("fgd");
        assertThat(fgdMean.get("scoring").asString()).isEqualTo("paper");
        assertThat(fgdMean.get("seeds").asInt()).isEqualTo(2);
        assertThat(fgdMean.get("alloc_130").asDouble()).isCloseTo(95.34, within(1e-9));
        assertThat(fgdMean.get("alloc_100").asDouble()).isCloseTo((95.14 + 95.39) / 2, within(1e-9));
        assertThat(fgdMean.get("frag_130").asDouble()).isCloseTo(4.70, within(1e-9));
        assertThat(fgdMean.get("failed_pods").asDouble()).isEqualTo(2516.0);
    }

    @Test
    void policySummaryGroupsBySeed() {
        RunResult a = ReportFixtures.run("w", Policy.FGD, 44, 1.3, ReportFixtures.series(90), ReportFixtures.series(5),
                ReportFixtures.series(99), 10);
        RunResult b = ReportFixtures.run("w", Policy.FGD, 42, 1.3, ReportFixtures.series(92), ReportFixtures.series(7),
                ReportFixtures.series(99), 20);
        List<PolicySummary> s = PolicySummary.of(List.of(a, b));
        assertThat(s).hasSize(1);
        assertThat(s.get(0).seeds()).containsExactly(42L, 44L);
        assertThat(s.get(0).allocationAt130()).isEqualTo(91.0);
        assertThat(s.get(0).fragmentationAt130()).isEqualTo(6.0);
        assertThat(s.get(0).failedPods()).isEqualTo(15.0);
        assertThat(s.get(0).meanRunSeconds()).isEqualTo(2.5);
    }
}
