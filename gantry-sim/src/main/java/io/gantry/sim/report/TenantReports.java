package io.gantry.sim.report;

import io.gantry.engine.tenancy.Backfill;
import io.gantry.engine.tenancy.RuntimePredictor;
import io.gantry.sim.experiment.TimedRunResult;
import io.gantry.sim.tenancy.TenantReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reports of runs under admission policies, side by side: a summary per policy (allocation, the invariants, fairness,
 * the wait of 8-GPU pods) and a table per queue, for stdout; {@code queues.csv} (per policy and queue) and
 * {@code summary.json} (per policy) with {@code --out}.
 */
public final class TenantReports {

    private TenantReports() {
    }

    public static String text(List<TimedRunResult> runs) {
        TextTable summary = new TextTable("admission", "placement", "seed", "alloc % arriving", "quota violations",
                "partial gangs", "priority inversions", "preemptions", "GPU-h lost", "Jain", "min entitlement met %",
                "8-gpu p99 wait s", "gangs run/seen", "backfilled", "predictor error %", "wall s");
        TextTable queues = new TextTable("admission", "seed", "queue", "parent", "guaranteed", "mean GPUs", "share %",
                "entitled", "met %", "backlogged h", "placed", "never placed", "p50 s", "p95 s", "p99 s", "max s",
                "preempted", "GPU-h lost", "longest below guarantee s", "8-gpu p99 s");
        for (TimedRunResult r : runs) {
            TenantReport t = r.tenants();
            if (t == null) {
                continue;
            }
            summary.row(t.admission(), r.policy().cliName(), r.seed(), TimedReport.f2(r.meanAllocationWhileArriving()),
                    t.quotaViolations(), t.partialGangs(), t.priorityInversions(), t.preemptions(),
                    TimedReport.f1(t.gpuHoursLost()), f3(t.jainIndex()), TimedReport.f1(100 * minEntitlementMet(t)), TimedReport.f1(p99Gpu8(r)),
                    t.gangsPlaced() + "/" + t.gangs(), t.backfill() == null ? "-" : t.backfill().backfilled(),
                    t.backfill() == null ? "-" : f0(t.backfill().predictorError().weightedAbsolutePercentError()),
                    TimedReport.f2(r.wallNanos() / 1e9));
            for (TenantReport.QueueRow q : t.queues()) {
                if (q.arrived() == 0 && q.guaranteedGpus() == 0) {
                    continue; // the built-in default queue, unused
                }
                queues.row(t.admission(), r.seed(), q.name(), q.parent().isEmpty() ? "-" : q.parent(),
                        TimedReport.f1(q.guaranteedGpus()), TimedReport.f1(q.meanAllocatedGpus()), TimedReport.f1(q.sharePercent()),
                        TimedReport.f1(q.meanEntitlementGpus()), TimedReport.f1(100 * q.entitlementMet()), TimedReport.f1(q.backloggedHours()), q.placed(),
                        q.neverPlaced(), f0(q.waitP50Seconds()), f0(q.waitP95Seconds()), f0(q.waitP99Seconds()),
                        f0(q.waitMaxSeconds()), q.preempted(), TimedReport.f1(q.gpuHoursLost()),
                        f0(q.longestBelowGuaranteeMillis() / 1000.0), f0(q.gpu8WaitP99Seconds()));
            }
        }
        return summary + "alloc % arriving: GPU allocation averaged from the first to the last arrival; Jain: fairness"
                + " index over the backlogged leaf queues' entitlement met (1 = equal); min entitlement met: the least"
                + " served backlogged leaf queue; backfilled: pods placed on nodes reserved for another queue's waiting"
                + " pod; predictor error: |predicted - actual| run time summed over pods, as a share of their run time\n" + queues
                + "mean GPUs, entitled: averages over the arrival span; met: GPUs held up to the fair-share"
                + " entitlement over the time the queue had pods waiting; waits from arrival to first start, but 8-gpu"
                + " p99 (as the summary's) to the last start, so that an evicted pod's second wait counts; longest"
                + " below guarantee: the longest stretch the queue was owed GPUs (below its guarantee, with a pod"
                + " waiting that the guarantee has room for)\n";
    }

    /** The smallest entitlement met over the backlogged leaf queues (1 when none was backlogged). */
    public static double minEntitlementMet(TenantReport t) {
        return t.queues().stream().filter(TenantReport.QueueRow::leaf).mapToDouble(TenantReport.QueueRow::entitlementMet)
                .filter(v -> !Double.isNaN(v)).min().orElse(1.0);
    }

    public static double p99Gpu8(TimedRunResult r) {
        return r.delays().stream().filter(d -> d.podClass() == PodClass.GPU_8).mapToDouble(DelayStats::p99Seconds)
                .findFirst().orElse(Double.NaN);
    }

    public static void writeQueuesCsv(Path file, List<TimedRunResult> runs) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("workload,admission,sc_policy,seed,queue,parent,leaf,guaranteed_gpus,mean_allocated_gpus,"
                    + "share_pct,mean_entitlement_gpus,entitlement_met_pct,backlogged_hours,arrived,placed,"
                    + "never_placed,wait_p50_s,wait_p95_s,wait_p99_s,wait_max_s,preempted,gpu_hours_lost,"
                    + "longest_below_guarantee_s,gpu8_wait_p99_s\n");
            for (TimedRunResult r : runs) {
                TenantReport t = r.tenants();
                if (t == null) {
                    continue;
                }
                for (TenantReport.QueueRow q : t.queues()) {
                    w.write(String.join(",", r.workload(), t.admission(), r.policy().cliName(),
                            String.valueOf(r.seed()), q.name(), q.parent(), String.valueOf(q.leaf()),
                            TimedReport.csv(q.guaranteedGpus()), TimedReport.csv(q.meanAllocatedGpus()), TimedReport.csv(q.sharePercent()),
                            TimedReport.csv(q.meanEntitlementGpus()), TimedReport.csv(100 * q.entitlementMet()), TimedReport.csv(q.backloggedHours()),
                            String.valueOf(q.arrived()), String.valueOf(q.placed()), String.valueOf(q.neverPlaced()),
                            TimedReport.csv(q.waitP50Seconds()), TimedReport.csv(q.waitP95Seconds()), TimedReport.csv(q.waitP99Seconds()),
                            TimedReport.csv(q.waitMaxSeconds()), String.valueOf(q.preempted()), TimedReport.csv(q.gpuHoursLost()),
                            TimedReport.csv(q.longestBelowGuaranteeMillis() / 1000.0),
                            TimedReport.csv(q.gpu8WaitP99Seconds())));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static void writeSummaryJson(Path file, List<TimedRunResult> runs) {
        ObjectMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        ArrayNode root = mapper.createArrayNode();
        for (TimedRunResult r : runs) {
            TenantReport t = r.tenants();
            if (t == null) {
                continue;
            }
            ObjectNode o = root.addObject();
            o.put("workload", r.workload());
            o.put("admission", t.admission());
            o.put("placement", r.policy().cliName());
            o.put("seed", r.seed());
            o.put("pods", r.pods());
            o.put("placed", r.placed());
            o.put("neverPlaced", r.neverPlaced());
            TimedReport.putNumber(o, "meanGpuAllocationPercentWhileArriving", r.meanAllocationWhileArriving());
            o.put("quotaViolations", t.quotaViolations());
            o.put("partialGangs", t.partialGangs());
            o.put("priorityInversions", t.priorityInversions());
            o.put("preemptions", t.preemptions());
            TimedReport.putNumber(o, "gpuHoursLost", t.gpuHoursLost());
            TimedReport.putNumber(o, "jainFairnessIndex", t.jainIndex());
            TimedReport.putNumber(o, "minEntitlementMet", minEntitlementMet(t));
            TimedReport.putNumber(o, "gpu8WaitP99Seconds", p99Gpu8(r));
            o.put("gangs", t.gangs());
            o.put("gangsRun", t.gangsPlaced());
            putBackfill(o, t.backfill());
            o.put("wallSeconds", r.wallNanos() / 1e9);
        }
        try {
            mapper.writeValue(file.toFile(), root);
        } catch (JacksonIOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Backfill's figures; null ones for a policy that does not backfill. */
    private static void putBackfill(ObjectNode o, Backfill.Stats b) {
        if (b == null) {
            o.putNull("backfillPredictorError");
            o.putNull("backfill");
            return;
        }
        RuntimePredictor.Error e = b.predictorError();
        ObjectNode err = o.putObject("backfillPredictorError");
        err.put("predictedPods", e.predicted());
        err.put("unpredictedPods", e.unpredicted());
        TimedReport.putNumber(err, "weightedAbsolutePercentError", e.weightedAbsolutePercentError());
        TimedReport.putNumber(err, "within25PercentShare", e.within25Percent());
        ObjectNode bf = o.putObject("backfill");
        bf.put("reservations", b.reservations());
        bf.put("podsBackfilled", b.backfilled());
    }

    private static String f0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
