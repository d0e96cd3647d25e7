package io.gantry.sim.trace;

import io.gantry.engine.PodRequest;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.TenancyKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optional multi-tenant columns of a pod list: {@code queue} (the pod's leaf queue), {@code priority} (an integer,
 * higher first), {@code pod_group} (the gang it belongs to), {@code min_member} (how many of the group must run
 * together; default: all pods of the group in the file), {@code duration_s} (seconds it runs; overrides the
 * trace's times), {@code owner} (who runs it again and again: backfill learns run times per owner and queue) and
 * {@code expected_duration_s} (the run time its author expects, as the {@code gantry.io/expected-duration}
 * annotation says it in a cluster). An empty field means "not given" for that pod.
 */
public final class TenantColumns {

    public static final List<String> COLUMNS = List.of("queue", "priority", "pod_group", "min_member", "duration_s",
            "owner", "expected_duration_s");

    /** The pods of one file as read, before gangs are resolved: min_member per group as far as given. */
    public static final class Groups {
        private final Path file;
        private final Map<String, List<Integer>> members = new LinkedHashMap<>();
        private final Map<String, Integer> minMember = new HashMap<>();
        private final Map<String, Long> firstLine = new HashMap<>();
        private final Map<String, String> queue = new HashMap<>();

        public Groups(Path file) {
            this.file = file;
        }

        /** Reads the row's group, if any, for the pod at {@code index} of the file. */
        public void row(CsvTable row, int index, PodRequest pod) {
            String group = row.optionalText("pod_group");
            if (group.isEmpty()) {
                if (!row.optionalText("min_member").isEmpty()) {
                    throw row.error("min_member", row.optionalText("min_member"), "min_member without a pod_group;"
                            + " name the group or leave min_member empty");
                }
                return;
            }
            members.computeIfAbsent(group, k -> new ArrayList<>()).add(index);
            firstLine.putIfAbsent(group, row.line());
            String q = TenancyKeys.queueOf(pod);
            String before = queue.putIfAbsent(group, q);
            if (before != null && !before.equals(q)) {
                throw row.error("queue", q, "pod group " + group + " has pods in queues " + before + " and " + q
                        + "; a gang is admitted through one queue");
            }
            String raw = row.optionalText("min_member");
            if (!raw.isEmpty()) {
                int m = positive(row, "min_member", raw);
                Integer given = minMember.putIfAbsent(group, m);
                if (given != null && given != m) {
                    throw row.error("min_member", raw, "pod group " + group + " was given min_member " + given
                            + " on an earlier row; give every pod of a group the same min_member");
                }
            }
        }

        /** The pods with their gangs set; a group with fewer pods than its min_member could never run: refused. */
        public List<TimedPod> resolve(List<TimedPod> pods) {
            List<TimedPod> out = new ArrayList<>(pods);
            for (Map.Entry<String, List<Integer>> g : members.entrySet()) {
                int count = g.getValue().size();
                int min = minMember.getOrDefault(g.getKey(), count);
                if (min > count) {
                    throw new TraceFormatException(file, firstLine.get(g.getKey()), "min_member",
                            String.valueOf(min), "pod group " + g.getKey() + " has only " + count + " pods in the"
                                    + " file, so it could never be scheduled; lower min_member or add its pods");
                }
                GangSpec gang = new GangSpec(g.getKey(), min, GangSpec.DEFAULT_TIMEOUT_SECONDS);
                for (int i : g.getValue()) {
                    TimedPod p = out.get(i);
                    out.set(i, new TimedPod(p.pod().withAttribute(TenancyKeys.GANG, gang), p.arrivalMillis(),
                            p.durationMillis()));
                }
            }
            return out;
        }
    }

    private TenantColumns() {
    }

    /** The pod with the row's queue, priority, owner and expected run time, where given. */
    public static PodRequest apply(CsvTable row, PodRequest pod) {
        PodRequest p = pod;
        String queue = row.optionalText("queue");
        if (!queue.isEmpty()) {
            p = p.withAttribute(TenancyKeys.QUEUE, queue);
        }
        String priority = row.optionalText("priority");
        if (!priority.isEmpty()) {
            try {
                p = p.withPriority(Integer.parseInt(priority));
            } catch (NumberFormatException e) {
                throw row.error("priority", priority, "not an integer; write a priority such as 100 or -10");
            }
        }
        String owner = row.optionalText("owner");
        if (!owner.isEmpty()) {
            p = p.withAttribute(TenancyKeys.OWNER, owner);
        }
        if (!row.optionalText("expected_duration_s").isEmpty()) {
            long millis = row.secondsAsMillis("expected_duration_s", 0);
            p = p.withAttribute(TenancyKeys.EXPECTED_SECONDS, Math.max(1, Math.round(millis / 1000.0)));
        }
        return p;
    }

    /** The row's duration_s in milliseconds, or {@code otherwise} when the column is absent or empty. */
    public static long durationMillis(CsvTable row, long otherwise) {
        if (row.optionalText("duration_s").isEmpty()) {
            return otherwise;
        }
        return row.secondsAsMillis("duration_s", otherwise);
    }

    private static int positive(CsvTable row, String column, String raw) {
        try {
            int v = Integer.parseInt(raw);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw row.error(column, raw, "must be a whole number of pods, at least 1");
    }
}
