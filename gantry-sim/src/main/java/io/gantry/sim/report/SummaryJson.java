package io.gantry.sim.report;

import io.gantry.sim.experiment.RunResult;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code summary.json}: every run's counts and headline columns, and the seed means per policy. */
public final class SummaryJson {

    private SummaryJson() {
    }

    public static void write(Path file, List<RunResult> runs) {
        ObjectMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode runArray = root.putArray("runs");
        for (RunResult r : runs) {
            ObjectNode n = runArray.addObject();
            n.put("workload", r.workload());
            n.put("policy", r.policy().cliName());
            n.put("sc_policy", r.policy().paperName());
            n.put("scoring", r.scoring().name().toLowerCase(java.util.Locale.ROOT));
            n.put("seed", r.seed());
            n.put("tune", r.tune());
            n.put("scale", r.scale());
            n.put("total_gpus", r.totalGpus());
            n.put("pods", r.pods());
            n.put("failed_pods", r.failedPods());
            putNumber(n, "first_failure_arrived_percent", r.firstFailureArrivedPercent());
            n.put("final_used_gpu_milli", r.finalUsedGpuMilli());
            putNumber(n, "alloc_100", r.allocation().at(100));
            putNumber(n, "alloc_130", r.allocation().at(130));
            putNumber(n, "frag_130", r.fragmentation().at(130));
            putNumber(n, "frag_ratio_130", r.fragmentationRatio().at(130));
            n.put("wall_ms", r.wallNanos() / 1_000_000);
        }
        ArrayNode means = root.putArray("means");
        for (PolicySummary s : PolicySummary.of(runs)) {
            ObjectNode n = means.addObject();
            n.put("workload", s.workload());
            n.put("policy", s.policy().cliName());
            n.put("scoring", s.scoring().name().toLowerCase(java.util.Locale.ROOT));
            n.put("seeds", s.seeds().size());
            putNumber(n, "alloc_100", s.allocationAt100());
            putNumber(n, "alloc_130", s.allocationAt130());
            putNumber(n, "frag_130", s.fragmentationAt130());
            putNumber(n, "failed_pods", s.failedPods());
        }
        try {
            mapper.writeValue(file.toFile(), root);
        } catch (JacksonIOException e) {
            // Jackson 3 wraps the I/O failure unchecked; report the file system's own words, as before.
            throw new UncheckedIOException("cannot write " + file + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }
}
