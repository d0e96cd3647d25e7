package io.gantry.sim.trace.openb;

import io.gantry.engine.PodRequest;
import io.gantry.sim.trace.CsvTable;
import io.gantry.sim.trace.TenantColumns;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import io.gantry.sim.trace.TraceFormatException;
import io.gantry.sim.trace.TraceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * openb pod lists with times: a task arrives at {@code creation_time} and, once placed, runs for
 * {@code deletion_time − scheduled_time} (the time it ran in Alibaba's cluster), or {@code deletion_time −
 * creation_time} when {@code scheduled_time} is empty (tasks that stayed Pending there). Times are seconds. The
 * {@code multigpu*} lists have no time columns and are refused: they can only be simulated in paper mode.
 */
public final class OpenbTimedTraceReader implements TraceReader {

    static final List<String> TIME_COLUMNS = List.of("creation_time", "deletion_time");

    @Override
    public String format() {
        return "openb";
    }

    @Override
    public TimedTrace read(Path file) {
        List<TimedPod> pods = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long[] end = {0};
        TenantColumns.Groups groups = new TenantColumns.Groups(file);
        CsvTable.read(file, OpenbTraceReader.podColumns(), row -> {
            if (pods.isEmpty()) {
                List<String> missing = TIME_COLUMNS.stream().filter(c -> !row.hasColumn(c)).toList();
                if (!missing.isEmpty()) {
                    throw new TraceFormatException(file, 1, missing.get(0), null, "time mode needs the columns "
                            + String.join(" and ", TIME_COLUMNS) + ", and this pod list has no "
                            + String.join(", no ", missing) + " (the openb multigpu* lists have no times); "
                            + "simulate it with --mode paper");
                }
            }
            PodRequest pod = TenantColumns.apply(row, OpenbTraceReader.pod(row, names));
            groups.row(row, pods.size(), pod);
            long created = required(row, "creation_time");
            long deleted = required(row, "deletion_time");
            long scheduled = row.hasColumn("scheduled_time") ? row.secondsAsMillis("scheduled_time", -1) : -1;
            long start = scheduled >= 0 ? scheduled : created;
            if (scheduled >= 0 && scheduled < created) {
                throw row.error("scheduled_time", row.text("scheduled_time"), "before creation_time "
                        + row.text("creation_time") + "; a task is scheduled after it is created");
            }
            if (deleted < start) {
                throw row.error("deletion_time", row.text("deletion_time"), "before "
                        + (scheduled >= 0 ? "scheduled_time " + row.text("scheduled_time")
                                : "creation_time " + row.text("creation_time"))
                        + "; a task ends after it starts");
            }
            long duration = TenantColumns.durationMillis(row, deleted - start);
            pods.add(new TimedPod(pod, created, duration));
            end[0] = Math.max(end[0], Math.max(deleted, created + duration));
        });
        if (pods.isEmpty()) {
            throw new TraceFormatException(file, 1, "", null, "no pods in the file");
        }
        String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
        return new TimedTrace(name, groups.resolve(pods), end[0], List.of());
    }

    private static long required(CsvTable row, String column) {
        long t = row.secondsAsMillis(column, -1);
        if (t < 0) {
            throw row.error(column, row.text(column), "empty time; every openb task has a " + column);
        }
        return t;
    }
}
