package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.sim.trace.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaperResultsTest {

    @TempDir
    Path dir;

    private static String row(String workload, String policy, long seed, double base, String col5) {
        StringBuilder sb = new StringBuilder(workload + "," + policy + ",1.3," + seed + ",6212");
        for (int j = 0; j <= 130; j++) {
            sb.append(',').append(j == 5 ? col5 : Double.toString(base + j));
        }
        return sb.toString();
    }

    @Test
    void readsRowsAndMeans() throws IOException {
        Path file = dir.resolve("paper.csv");
        Files.writeString(file, CsvReports.header() + "\n" + row("t", "06-FGD", 42, 1, "") + "\n"
                + row("t", "06-FGD", 43, 2, "7.5") + "\n" + row("t", "05-BestFit", 42, 0, "0.25") + "\n");
        PaperResults paper = PaperResults.read(file);
        double[] fgd42 = paper.row("t", "06-FGD", 42);
        assertThat(fgd42).hasSize(131);
        assertThat(fgd42[0]).isEqualTo(1.0);
        assertThat(fgd42[5]).isNaN();
        assertThat(fgd42[130]).isEqualTo(131.0);
        assertThat(paper.row("t", "05-BestFit", 42)[5]).isEqualTo(0.25);
        assertThat(paper.row("t", "06-FGD", 44)).isNull();
        assertThat(paper.row("u", "06-FGD", 42)).isNull();
        assertThat(paper.mean("t", "06-FGD", List.of(42L, 43L), 130)).hasValue(131.5);
        assertThat(paper.mean("t", "06-FGD", List.of(42L, 43L), 5)).isEmpty();
        assertThat(paper.mean("t", "06-FGD", List.of(42L, 44L), 0)).isEmpty();
        assertThat(paper.mean("t", "06-FGD", List.of(), 0)).isEmpty();
        fgd42[0] = -1;
        assertThat(paper.row("t", "06-FGD", 42)[0]).isEqualTo(1.0);
    }

    @Test
    void readsTheLayoutWithoutTotalGpus() throws IOException {
        Path file = dir.resolve("frag.csv");
        String header = "workload,sc_policy,tune,seed,"
                + IntStream.rangeClosed(0, 130).mapToObj(Integer::toString).collect(Collectors.joining(","));
        String line = "t,06-FGD,1.3,42," + IntStream.rangeClosed(0, 130).mapToObj(j -> "4.69")
                .collect(Collectors.joining(","));
        Files.writeString(file, header + "\n" + line + "\n");
        assertThat(PaperResults.read(file).row("t", "06-FGD", 42)[130]).isEqualTo(4.69);
    }

    @Test
    void badNumberIsNamed() throws IOException {
        Path file = dir.resolve("paper.csv");
        Files.writeString(file, CsvReports.header() + "\n" + row("t", "06-FGD", 42, 1, "abc") + "\n");
        assertThatThrownBy(() -> PaperResults.read(file)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining(file + ":2").hasMessageContaining("column '5'")
                .hasMessageContaining("value 'abc'");
    }
}
