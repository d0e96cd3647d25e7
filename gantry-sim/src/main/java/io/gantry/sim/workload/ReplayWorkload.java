package io.gantry.sim.workload;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.sim.trace.CsvTable;
import io.gantry.sim.trace.TraceFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A workload replayed from the paper's own simulator: the arrival sequence ({@code arrivals.csv}: {@code seq,name},
 * a name {@code <pod>-tuned-<i>} being a copy of {@code <pod>}) and the node tie-break order
 * ({@code node_order.csv}: {@code name,priority}, the lower priority wins a tie). With these, paper-mode runs can be
 * compared with the paper seed by seed.
 */
public final class ReplayWorkload {

    private static final Pattern CLONE = Pattern.compile("(.+)-tuned-(\\d+)");

    private ReplayWorkload() {
    }

    public static Workload load(String name, Path dir, List<NodeSpec> nodes, List<PodRequest> pods) {
        Path arrivalsFile = dir.resolve("arrivals.csv");
        Path orderFile = dir.resolve("node_order.csv");
        Map<String, PodRequest> byName = pods.stream()
                .collect(Collectors.toMap(PodRequest::name, p -> p, (a, b) -> a, HashMap::new));
        List<String[]> arrivalRows = rows(arrivalsFile, "seq", "name");
        List<PodRequest> arrivals = new ArrayList<>(arrivalRows.size());
        java.util.Set<String> arrived = new java.util.HashSet<>();
        for (int i = 0; i < arrivalRows.size(); i++) {
            String podName = arrivalRows.get(i)[1];
            if (!arrived.add(podName)) {
                throw new TraceFormatException(arrivalsFile, Long.parseLong(arrivalRows.get(i)[2]), "name", podName,
                        "the pod arrives twice; every name may arrive once");
            }
            PodRequest pod = byName.get(podName);
            if (pod == null) {
                Matcher m = CLONE.matcher(podName);
                PodRequest base = m.matches() ? byName.get(m.group(1)) : null;
                if (base == null) {
                    throw new TraceFormatException(arrivalsFile, Long.parseLong(arrivalRows.get(i)[2]), "name", podName,
                            "no such pod in the pod list (nor a '<pod>-tuned-<i>' copy of one); replay the folder made for this trace");
                }
                pod = base.withName(podName);
            }
            arrivals.add(pod);
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).name(), i);
        }
        int[] ranks = new int[nodes.size()];
        java.util.Arrays.fill(ranks, -1);
        List<String[]> orderRows = rows(orderFile, "name", "priority");
        for (int i = 0; i < orderRows.size(); i++) {
            String[] row = orderRows.get(i);
            Integer node = index.get(row[0]);
            if (node == null) {
                throw new TraceFormatException(orderFile, Long.parseLong(row[2]), "name", row[0], "no such node in the node list");
            }
            if (ranks[node] >= 0) {
                throw new TraceFormatException(orderFile, Long.parseLong(row[2]), "name", row[0],
                        "the node is listed twice; list every node once");
            }
            try {
                ranks[node] = Integer.parseInt(row[1].trim());
                if (ranks[node] < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new TraceFormatException(orderFile, Long.parseLong(row[2]), "priority", row[1], "not a non-negative integer");
            }
        }
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] < 0) {
                throw new TraceFormatException(orderFile, 0, "name", nodes.get(i).name(),
                        "node missing from the tie-break order");
            }
        }
        return new Workload(name, nodes, ranks, arrivals, pods);
    }

    private static List<String[]> rows(Path file, String first, String second) {
        List<String[]> out = new ArrayList<>();
        CsvTable.read(file, List.of(first, second),
                row -> out.add(new String[] {row.text(first), row.text(second), Long.toString(row.line())}));
        return out;
    }
}
