package io.gantry.sim.report;

import io.gantry.engine.Policy;
import io.gantry.engine.PolicyRegistry;
import io.gantry.engine.ScoringMode;
import io.gantry.sim.experiment.RunResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Seed means of one (workload, policy, scoring) group of runs. */
public record PolicySummary(String workload, Policy policy, ScoringMode scoring, List<Long> seeds,
        double allocationAt100, double allocationAt130, double fragmentationAt130, double failedPods,
        double meanRunSeconds) {

    public static List<PolicySummary> of(List<RunResult> runs) {
        Map<String, List<RunResult>> groups = runs.stream().collect(Collectors.groupingBy(
                r -> r.workload() + "\u0000" + r.policy() + "\u0000" + r.scoring(), LinkedHashMap::new,
                Collectors.toList()));
        List<PolicySummary> out = new ArrayList<>();
        for (List<RunResult> g : groups.values()) {
            RunResult first = g.get(0);
            out.add(new PolicySummary(first.workload(), first.policy(), first.scoring(),
                    g.stream().map(RunResult::seed).sorted().toList(),
                    mean(g, r -> r.allocation().at(100)), mean(g, r -> r.allocation().at(130)),
                    mean(g, r -> r.fragmentation().at(130)), mean(g, r -> (double) r.failedPods()),
                    mean(g, r -> r.wallNanos() / 1e9)));
        }
        out.sort(Comparator.comparing(PolicySummary::workload).thenComparing(PolicySummary::scoring)
                .thenComparingInt(s -> PolicyRegistry.STANDARD.names().indexOf(s.policy().name()))
                .thenComparing(s -> s.policy().name()));
        return out;
    }

    private static double mean(List<RunResult> runs, java.util.function.ToDoubleFunction<RunResult> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
