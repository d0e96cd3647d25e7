package io.gantry.sim.trace;

import java.nio.file.Path;

/**
 * A trace file that cannot be read: names the file, line, column and value, and says how to fix it. Thrown before
 * any simulation starts, so nothing is half done.
 */
public final class TraceFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;
    private final String column;
    private final String value;

    public TraceFormatException(Path file, long line, String column, String value, String problem) {
        super(file + ":" + line + (column.isEmpty() ? "" : ": column '" + column + "'")
                + (value == null ? "" : ": value '" + value + "'") + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
        this.value = value;
    }

    public Path file() {
        return file;
    }

    public long line() {
        return line;
    }

    public String column() {
        return column;
    }

    public String value() {
        return value;
    }
}
