package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.Policy;
import io.gantry.sim.experiment.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReportsTest {

    private static final String HEADER = "workload,sc_policy,tune,seed,total_gpus,"
            + IntStream.rangeClosed(0, 130).mapToObj(Integer::toString).collect(Collectors.joining(","));

    @TempDir
    Path dir;

    private static RunResult sample() {
        DiscreteSeries alloc = ReportFixtures.series(95.29, 2.0, 87.26, 0.25, Double.NaN, 100.0, 0.0, 49.95, 91.5);
        DiscreteSeries frag = ReportFixtures.series(4.69, 6.8, Double.NaN);
        DiscreteSeries ratio = ReportFixtures.series(99.58018072577762, 10.352168674698795, Double.NaN, 25.0);
        return ReportFixtures.run("openb_pod_list_default", Policy.FGD, 42, 1.3, alloc, frag, ratio, 2532);
    }

    @Test
    void headerIsThePapersHeader() {
        assertThat(CsvReports.header()).isEqualTo(HEADER);
        assertThat(CsvReports.header().split(",", -1)).hasSize(136);
    }

    @Test
    void allocationRowFormatsNumbersAsPythonDoes() {
        RunResult r = sample();
        String row = CsvReports.row(r, r.allocation(), true);
        String[] f = row.split(",", -1);
        assertThat(f).hasSize(136);
        assertThat(List.of(f).subList(0, 13)).containsExactly("openb_pod_list_default", "06-FGD", "1.3", "42",
                "6212", "2.0", "87.26", "0.25", "", "100.0", "0.0", "49.95", "91.5");
        assertThat(f[135]).isEqualTo("95.29");
        assertThat(row).startsWith("openb_pod_list_default,06-FGD,1.3,42,6212,2.0,87.26,0.25,,100.0,0.0,");
    }

    @Test
    void tuneAndIntegralValues() {
        DiscreteSeries alloc = ReportFixtures.series(Double.NaN, 1.0, 12.3);
        RunResult r = ReportFixtures.run("w", Policy.RANDOM, 51, 1.0, alloc, alloc, alloc, 0);
        String[] f = CsvReports.row(r, r.allocation(), true).split(",", -1);
        assertThat(f).hasSize(136);
        assertThat(f[1]).isEqualTo("01-Random");
        assertThat(f[2]).isEqualTo("1.0");
        assertThat(f[3]).isEqualTo("51");
        assertThat(f[5]).isEqualTo("1.0");
        assertThat(f[6]).isEqualTo("12.3");
        assertThat(List.of(f).subList(7, 136)).allMatch(String::isEmpty);
        assertThat(CsvReports.formatNumber(2.0)).isEqualTo("2.0");
        assertThat(CsvReports.formatNumber(1.3)).isEqualTo("1.3");
        assertThat(CsvReports.formatNumber(0.25)).isEqualTo("0.25");
        assertThat(CsvReports.formatRounded(130.0)).isEqualTo("130.0");
        assertThat(CsvReports.formatRounded(0.1)).isEqualTo("0.1");
        assertThat(CsvReports.formatRounded(DiscreteSeries.round2(2.675))).isEqualTo("2.67");
    }

    @Test
    void ratioRowIsNotRounded() {
        RunResult r = sample();
        String[] f = CsvReports.row(r, r.fragmentationRatio(), false).split(",", -1);
        assertThat(f).hasSize(136);
        assertThat(f[5]).isEqualTo("10.352168674698795");
        assertThat(f[6]).isEmpty();
        assertThat(f[7]).isEqualTo("25.0");
        assertThat(f[135]).isEqualTo("99.58018072577762");
    }

    @Test
    void writesTheThreeFiles() throws IOException {
        RunResult a = sample();
        RunResult b = ReportFixtures.run("openb_pod_list_default", Policy.BESTFIT, 43, 1.3,
                ReportFixtures.series(93.13), ReportFixtures.series(6.8), ReportFixtures.series(99.0), 2676);
        Path alloc = dir.resolve("analysis_allo_discrete.csv");
        Path frag = dir.resolve("analysis_frag_discrete.csv");
        Path ratio = dir.resolve("analysis_frag_ratio_discrete.csv");
        CsvReports.writeAllocation(alloc, List.of(a, b));
        CsvReports.writeFragmentation(frag, List.of(a, b));
        CsvReports.writeFragmentationRatio(ratio, List.of(a, b));

        List<String> lines = Files.readAllLines(alloc);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo(HEADER);
        assertThat(lines).allSatisfy(l -> assertThat(l.split(",", -1)).hasSize(136));
        assertThat(lines.get(1)).isEqualTo(CsvReports.row(a, a.allocation(), true));
        assertThat(lines.get(2)).startsWith("openb_pod_list_default,05-BestFit,1.3,43,6212,93.13,93.13,")
                .endsWith(",93.13");
        assertThat(Files.readString(alloc)).endsWith("\n").doesNotContain("\r");

        List<String> fragLines = Files.readAllLines(frag);
        assertThat(fragLines.get(1)).startsWith("openb_pod_list_default,06-FGD,1.3,42,6212,6.8,,4.69,");
        List<String> ratioLines = Files.readAllLines(ratio);
        assertThat(ratioLines.get(1)).startsWith("openb_pod_list_default,06-FGD,1.3,42,6212,10.352168674698795,,25.0,");
        assertThat(ratioLines.get(2)).endsWith(",99.0");
    }
}
