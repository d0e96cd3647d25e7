package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The paper's {@code analysis_frag_ratio_discrete.csv} averages per-sample fragmentation ratios that were already
 * rounded to 2 decimals (the simulator logs {@code origin_ratio} with two decimals and the analysis script averages
 * the logged values). Averaging unrounded ratios leaves columns up to 0.0049 away from the paper's rows (e.g.
 * BestFit, default seed 42, column 127: paper 99.02000000000002, unrounded 99.01511433555719).
 */
class FragmentationRatioPaperRoundingTest {

    @Test
    void ratioAveragesSamplesRoundedToTwoDecimals() {
        // one bucket, two samples: 1000/3000 = 33.333...% and 1000.4/10000 = 10.004 %
        DiscreteSeries.Samples s = new DiscreteSeries.Samples(100, new long[] {0, 0}, new long[] {97_000, 90_000},
                new double[] {1000, 1000.4}, new long[] {3000, 10_000});
        // the paper: mean(33.33, 10.0) = 21.665; unrounded samples give 21.66866...
        assertThat(DiscreteSeries.fragmentationRatio(s).at(0)).isCloseTo(21.665, within(1e-9));
    }
}
