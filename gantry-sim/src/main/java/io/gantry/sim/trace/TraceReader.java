package io.gantry.sim.trace;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads one trace format into pods with times, in the style of Caffeine's simulator: one implementation per format,
 * each in its own package ({@code io.gantry.sim.trace.openb}, {@code io.gantry.sim.trace.dlrm}). A bad row throws a
 * {@link TraceFormatException} naming file, line, column and value, before anything runs.
 */
public interface TraceReader {

    /** The name users type, e.g. {@code openb}. */
    String format();

    TimedTrace read(Path file);

    /** The readers Gantry ships. */
    static List<TraceReader> all() {
        return List.of(new io.gantry.sim.trace.openb.OpenbTimedTraceReader(),
                new io.gantry.sim.trace.dlrm.DlrmTraceReader());
    }

    static TraceReader forFormat(String format) {
        String f = format.trim().toLowerCase(Locale.ROOT);
        for (TraceReader r : all()) {
            if (r.format().equals(f)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown trace format '" + format + "'; choose one of "
                + String.join(", ", all().stream().map(TraceReader::format).toList()));
    }
}
