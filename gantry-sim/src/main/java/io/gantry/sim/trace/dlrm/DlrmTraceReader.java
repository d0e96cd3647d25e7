package io.gantry.sim.trace.dlrm;

import io.gantry.engine.PodRequest;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.plugins.GroupDensityLimit;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.sim.trace.CsvTable;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import io.gantry.sim.trace.TraceFormatException;
import io.gantry.sim.trace.TraceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Alibaba's GPU-disaggregated DLRM inference trace ({@code cluster-trace-gpu-v2025},
 * {@code disaggregated_DLRM_trace.csv}): long-running service instances. Requests, not limits, are scheduled (as
 * in Kubernetes): {@code cpu_request} vCPUs, {@code memory_request} GiB, {@code gpu_request} GPUs (below 1 a GPU
 * share). {@code role} {@code CN} instances run on CPU nodes and {@code HN} instances on GPU nodes (a node selector
 * on {@link #ROLE_LABEL}). {@code max_instance_per_node} (−1 = no limit) becomes a {@link GroupDensityLimit} on the
 * instance's {@code app_name}.
 *
 * <p>Times, as the trace's README defines them: an empty (NaN) {@code creation_time} means the instance existed
 * before the trace starts, so it arrives at time 0; an empty {@code deletion_time} means it still runs when the
 * trace ends. Once placed, an instance runs for {@code deletion_time − scheduled_time} ({@code creation_time} when
 * {@code scheduled_time} is empty, 0 when both are). The trace ends at the latest time in the file.
 * {@code rdma_request} and {@code disk_request} are not engine resources: the trace reports them as not modelled.
 */
public final class DlrmTraceReader implements TraceReader {

    /** The node label that says which instances a node takes: {@code CN} (CPU) or {@code HN} (GPU). */
    public static final String ROLE_LABEL = "dlrm.gantry.io/role";
    public static final String CPU_ROLE = "CN";
    public static final String GPU_ROLE = "HN";
    /** The pod label holding the service. */
    public static final String APP_LABEL = "dlrm.gantry.io/app";

    private static final List<String> COLUMNS = List.of("instance_sn", "role", "app_name", "cpu_request",
            "gpu_request", "memory_request", "max_instance_per_node", "creation_time", "scheduled_time",
            "deletion_time");

    @Override
    public String format() {
        return "dlrm";
    }

    @Override
    public TimedTrace read(Path file) {
        List<TimedPod> pods = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long[] end = {0};
        int[] withRdma = {0};
        int[] withDisk = {0};
        CsvTable.read(file, COLUMNS, row -> {
            String name = row.text("instance_sn");
            if (name.isEmpty()) {
                throw row.error("instance_sn", name, "empty instance name");
            }
            if (!names.add(name)) {
                throw row.error("instance_sn", name, "duplicate instance name");
            }
            String role = row.text("role");
            if (!role.equals(CPU_ROLE) && !role.equals(GPU_ROLE)) {
                throw row.error("role", role, "expected CN (CPU node) or HN (GPU node)");
            }
            String app = row.text("app_name");
            if (app.isEmpty()) {
                throw row.error("app_name", app, "empty service name");
            }
            long cpuMilli = Math.round(row.nonNegativeDouble("cpu_request") * 1000);
            long memMib = Math.round(row.nonNegativeDouble("memory_request") * 1024);
            double gpus = row.nonNegativeDouble("gpu_request");
            int gpuCount;
            int milli;
            if (gpus == 0) {
                gpuCount = 0;
                milli = 0;
            } else if (gpus < 1) {
                gpuCount = 1;
                milli = (int) Math.round(gpus * 1000);
                if (milli == 0) {
                    throw row.error("gpu_request", row.text("gpu_request"), "below one thousandth of a GPU");
                }
            } else if (gpus == Math.rint(gpus) && gpus <= 64) {
                gpuCount = (int) gpus;
                milli = 1000;
            } else {
                throw row.error("gpu_request", row.text("gpu_request"),
                        "a GPU request is a share below 1 or a whole number of GPUs (at most 64)");
            }
            long max = parseLimit(row);
            long created = row.secondsAsMillis("creation_time", -1);
            long scheduled = row.secondsAsMillis("scheduled_time", -1);
            long deleted = row.secondsAsMillis("deletion_time", -1);
            long arrival = Math.max(created, 0); // empty: existed before the trace starts
            long start = scheduled >= 0 ? scheduled : arrival;
            if (scheduled >= 0 && created >= 0 && scheduled < created) {
                throw row.error("scheduled_time", row.text("scheduled_time"), "before creation_time "
                        + row.text("creation_time") + "; an instance is scheduled after it is created");
            }
            if (deleted >= 0 && deleted < start) {
                throw row.error("deletion_time", row.text("deletion_time"),
                        "before the instance started; an instance ends after it starts");
            }
            end[0] = Math.max(end[0], Math.max(created, Math.max(scheduled, deleted)));
            if (row.optionalText("rdma_request").length() > 0 && !isZero(row.optionalText("rdma_request"))) {
                withRdma[0]++;
            }
            if (row.optionalText("disk_request").length() > 0 && !isZero(row.optionalText("disk_request"))) {
                withDisk[0]++;
            }
            PodRequest pod = new PodRequest(name, cpuMilli, memMib, gpuCount, milli, List.of(), 0)
                    .withLabels(Map.of(APP_LABEL, app, ROLE_LABEL, role))
                    .withPlacement(new NodePlacement(Map.of(ROLE_LABEL, role), List.of(), List.of()))
                    .withAttribute(TenancyKeys.OWNER, app); // a service's instances: backfill learns run times per service
            if (max > 0) {
                pod = pod.withAttribute(GroupDensityLimit.LIMIT, new GroupDensityLimit.Limit(app, (int) max));
            }
            pods.add(new TimedPod(pod, arrival, deleted < 0 ? TimedPod.RUNS_TO_END : deleted - start));
        });
        if (pods.isEmpty()) {
            throw new TraceFormatException(file, 1, "", null, "no instances in the file");
        }
        List<String> notModelled = new ArrayList<>();
        if (withRdma[0] > 0) {
            notModelled.add("rdma_request (share of an RDMA NIC, " + withRdma[0] + " instances): not an engine resource");
        }
        if (withDisk[0] > 0) {
            notModelled.add("disk_request (local disk, " + withDisk[0] + " instances): not an engine resource");
        }
        String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
        return new TimedTrace(name, pods, end[0], notModelled);
    }

    private static long parseLimit(CsvTable row) {
        String raw = row.text("max_instance_per_node");
        long v;
        try {
            v = Math.round(Double.parseDouble(raw));
            if (Double.parseDouble(raw) != v) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw row.error("max_instance_per_node", raw, "not a whole number; use -1 for no limit");
        }
        if (v == 0 || v < -1 || v > Integer.MAX_VALUE) {
            throw row.error("max_instance_per_node", raw, "must be -1 (no limit) or at least 1");
        }
        return v;
    }

    private static boolean isZero(String raw) {
        try {
            return Double.parseDouble(raw) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
