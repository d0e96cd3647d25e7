package io.gantry.sim.trace;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A CSV file with a header row, read row by row, with errors that name file, line, column and value. */
public final class CsvTable {

    private final Path file;
    private final Map<String, Integer> columns = new HashMap<>();
    private CsvRecord current;

    private CsvTable(Path file) {
        this.file = file;
    }

    /** Reads every row of {@code file}; {@code required} columns must be in the header. */
    public static void read(Path file, List<String> required, Consumer<CsvTable> perRow) {
        if (!Files.isRegularFile(file)) {
            throw new TraceFormatException(file, 0, "", null, "no such file; check the path");
        }
        CsvTable table = new CsvTable(file);
        try (CsvReader<CsvRecord> reader = CsvReader.builder().allowExtraFields(true).allowMissingFields(true)
                .skipEmptyLines(true).ofCsvRecord(file)) {
            boolean header = true;
            for (CsvRecord record : reader) {
                if (header) {
                    table.header(record, required);
                    header = false;
                    continue;
                }
                table.current = record;
                if (record.getFieldCount() != table.columns.size()) {
                    throw new TraceFormatException(file, record.getStartingLineNumber(), "", null, "expected "
                            + table.columns.size() + " fields as in the header, found " + record.getFieldCount());
                }
                perRow.accept(table);
            }
            if (header) {
                throw new TraceFormatException(file, 1, "", null, "empty file; expected a header row "
                        + String.join(",", required));
            }
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(file, 0, "", null, "no such file; check the path");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (de.siegmar.fastcsv.reader.CsvParseException e) {
            throw new TraceFormatException(file, 0, "", null, "not valid CSV: " + e.getMessage());
        }
    }

    private void header(CsvRecord record, List<String> required) {
        List<String> names = new ArrayList<>(record.getFields());
        if (!names.isEmpty()) {
            names.set(0, names.get(0).replace("\uFEFF", ""));
        }
        for (int i = 0; i < names.size(); i++) {
            columns.put(names.get(i).trim(), i);
        }
        for (String name : required) {
            if (!columns.containsKey(name)) {
                throw new TraceFormatException(file, record.getStartingLineNumber(), name, null,
                        "missing column; the header must contain " + String.join(",", required));
            }
        }
    }

    public boolean hasColumn(String column) {
        return columns.containsKey(column);
    }

    public Path file() {
        return file;
    }

    public long line() {
        return current.getStartingLineNumber();
    }

    public String text(String column) {
        return current.getField(columns.get(column)).trim();
    }

    /** The field, or "" when the file has no such column. */
    public String optionalText(String column) {
        Integer index = columns.get(column);
        return index == null ? "" : current.getField(index).trim();
    }

    public long nonNegativeLong(String column) {
        String raw = text(column);
        long v;
        try {
            v = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw error(column, raw, "not an integer");
        }
        if (v < 0) {
            throw error(column, raw, "must not be negative");
        }
        return v;
    }

    public int nonNegativeInt(String column) {
        long v = nonNegativeLong(column);
        if (v > Integer.MAX_VALUE) {
            throw error(column, text(column), "too large");
        }
        return (int) v;
    }

    /**
     * A time in seconds (fractions allowed, as pandas writes them) as milliseconds, or {@code absent} when the field is
     * empty or NaN.
     */
    public long secondsAsMillis(String column, long absent) {
        String raw = text(column);
        if (raw.isEmpty() || raw.equalsIgnoreCase("nan")) {
            return absent;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw error(column, raw, "not a number of seconds");
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw error(column, raw, "a time must be a finite number of seconds, not negative");
        }
        return Math.round(seconds * 1000.0);
    }

    /** A non-negative number, fractions allowed. */
    public double nonNegativeDouble(String column) {
        String raw = text(column);
        double v;
        try {
            v = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw error(column, raw, "not a number");
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw error(column, raw, "must be a finite number, not negative");
        }
        return v;
    }

    public TraceFormatException error(String column, String value, String problem) {
        return new TraceFormatException(file, line(), column, value, problem);
    }
}
