package io.gantry.sim.report;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, for terminal output. */
public final class TextTable {

    private final List<String[]> rows = new ArrayList<>();

    public TextTable(String... header) {
        rows.add(header);
    }

    public TextTable row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    @Override
    public String toString() {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols && i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            for (int i = 0; i < cols; i++) {
                String cell = i < r.length ? r[i] : "";
                sb.append(i == 0 ? String.format("%-" + width[i] + "s", cell)
                        : String.format("  %" + width[i] + "s", cell));
            }
            sb.append('\n');
            if (k == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        return sb.toString();
    }
}
