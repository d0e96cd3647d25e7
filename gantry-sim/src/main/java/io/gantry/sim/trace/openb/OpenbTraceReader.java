package io.gantry.sim.trace.openb;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.sim.trace.CsvTable;
import io.gantry.sim.trace.TraceFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reader for the Alibaba openb trace format ({@code cluster-trace-gpu-v2023}): node lists
 * {@code sn,cpu_milli,memory_mib,gpu,model} and pod lists
 * {@code name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,...]}. A missing {@code gpu_spec} column means no
 * model constraint. Extra columns (qos, phase, times) are ignored, as the paper's experiments ignore them.
 */
public final class OpenbTraceReader {

    /** Pod slots per node in the paper's simulator. */
    public static final int OPENB_MAX_PODS = 1001;

    private static final List<String> NODE_COLUMNS = List.of("sn", "cpu_milli", "memory_mib", "gpu", "model");
    /** {@code gpu_spec} is optional: some openb pod lists (multigpu*) have no such column. */
    private static final List<String> POD_COLUMNS = List.of("name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli");

    private OpenbTraceReader() {
    }

    public static List<NodeSpec> readNodes(Path file) {
        List<NodeSpec> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        CsvTable.read(file, NODE_COLUMNS, row -> {
            String name = row.text("sn");
            if (name.isEmpty()) {
                throw row.error("sn", name, "empty node name");
            }
            if (!names.add(name)) {
                throw row.error("sn", name, "duplicate node name");
            }
            long cpu = row.nonNegativeLong("cpu_milli");
            long mem = row.nonNegativeLong("memory_mib");
            int gpus = row.nonNegativeInt("gpu");
            if (gpus > NodeSpec.MAX_GPUS) {
                throw row.error("gpu", String.valueOf(gpus), "more than " + NodeSpec.MAX_GPUS + " GPUs on one node is not supported");
            }
            String model = row.text("model");
            if (gpus > 0 && model.isEmpty()) {
                throw row.error("model", model, "a node with GPUs needs a GPU model name");
            }
            nodes.add(new NodeSpec(name, cpu, mem, gpus, model, OPENB_MAX_PODS));
        });
        if (nodes.isEmpty()) {
            throw new TraceFormatException(file, 1, "", null, "no nodes in the file");
        }
        return nodes;
    }

    /** The columns every pod list has. */
    public static List<String> podColumns() {
        return POD_COLUMNS;
    }

    /** One pod row; {@code names} holds the names seen so far in the file (duplicates are refused). */
    public static PodRequest pod(CsvTable row, Set<String> names) {
        String name = row.text("name");
        if (name.isEmpty()) {
            throw row.error("name", name, "empty pod name");
        }
        if (!names.add(name)) {
            throw row.error("name", name, "duplicate pod name");
        }
        long cpu = row.nonNegativeLong("cpu_milli");
        long mem = row.nonNegativeLong("memory_mib");
        int count = row.nonNegativeInt("num_gpu");
        int milli = row.nonNegativeInt("gpu_milli");
        if (count == 0) {
            milli = 0; // a CPU-only pod asks for no GPU milli, whatever the column says
        } else if (milli < 1 || milli > 1000) {
            throw row.error("gpu_milli", String.valueOf(milli),
                    "GPU milli per GPU must be 1..1000 for a pod with num_gpu " + count);
        } else if (count > 1 && milli != 1000) {
            throw row.error("gpu_milli", String.valueOf(milli), "a GPU share (below 1000) needs num_gpu 1, got "
                    + count + "; use gpu_milli 1000 for whole GPUs");
        }
        String spec = row.optionalText("gpu_spec");
        List<String> models = spec.isEmpty() ? List.of() : Arrays.asList(spec.split("\\|", -1));
        if (models.stream().anyMatch(String::isBlank)) {
            throw row.error("gpu_spec", spec, "empty model name in the '|'-separated list");
        }
        return new PodRequest(name, cpu, mem, count, milli, models, 0);
    }

    public static List<PodRequest> readPods(Path file) {
        List<PodRequest> pods = new ArrayList<>();
        Set<String> names = new HashSet<>();
        CsvTable.read(file, POD_COLUMNS, row -> pods.add(pod(row, names)));
        if (pods.isEmpty()) {
            throw new TraceFormatException(file, 1, "", null, "no pods in the file");
        }
        return pods;
    }
}
