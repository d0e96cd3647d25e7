package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.Policy;
import io.gantry.sim.experiment.RunResult;
import org.junit.jupiter.api.Test;

/**
 * CsvReports writes numbers as Python writes them, also the unrounded columns (frag ratio) and the tune value:
 * Java's {@link Double#toString} would write 1.0E-4 where Python's repr writes 0.0001, and 5.0E-5 for 5e-05.
 */
class CsvReportsPythonReprTest {

    @Test
    void smallUnroundedValuesAreWrittenAsPythonReprWritesThem() {
        DiscreteSeries ratio = ReportFixtures.series(50.0, 1.0E-4, 5.0E-5, 0.00123);
        RunResult r = ReportFixtures.run("w", Policy.FGD, 42, 1.3, ratio, ratio, ratio, 0);
        String[] f = CsvReports.row(r, r.fragmentationRatio(), false).split(",", -1);
        assertThat(f[5]).isEqualTo("0.0001");
        assertThat(f[6]).isEqualTo("5e-05");
        assertThat(f[7]).isEqualTo("0.00123");
        assertThat(CsvReports.formatNumber(0.0005)).isEqualTo("0.0005");
    }
}
