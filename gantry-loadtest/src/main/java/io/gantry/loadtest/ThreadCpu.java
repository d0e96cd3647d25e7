package io.gantry.loadtest;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/** CPU time of this JVM's threads, grouped by name with the numbers taken out ({@code binder-3} -> {@code binder-#}). */
final class ThreadCpu {

    private ThreadCpu() {
    }

    /** Thread id -> (group, CPU nanoseconds so far). */
    static Map<Long, Map.Entry<String, Long>> snapshot() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Map.Entry<String, Long>> out = new HashMap<>();
        if (!mx.isThreadCpuTimeSupported()) {
            return out;
        }
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                out.put(info.getThreadId(), Map.entry(group(info.getThreadName()), cpu));
            }
        }
        return out;
    }

    /** CPU used between two snapshots, by group. */
    static Map<String, Long> between(Map<Long, Map.Entry<String, Long>> before,
            Map<Long, Map.Entry<String, Long>> after) {
        Map<String, Long> out = new HashMap<>();
        after.forEach((id, e) -> {
            Map.Entry<String, Long> b = before.get(id);
            long used = e.getValue() - (b == null ? 0 : b.getValue());
            if (used > 0) {
                out.merge(e.getKey(), used, Long::sum);
            }
        });
        return out;
    }

    static String group(String threadName) {
        return threadName.replaceAll("\\d+", "#");
    }

    /** This process's CPU time (all threads, JIT and GC included), nanoseconds; -1 if unknown. */
    static long processNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
