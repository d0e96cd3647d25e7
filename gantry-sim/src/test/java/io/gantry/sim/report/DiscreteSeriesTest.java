package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gantry.testkit.Gen;
import io.gantry.testkit.Property;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class DiscreteSeriesTest {

    /** Samples of a 100-GPU cluster (capacity 100,000 milli: 1 % = 1000 milli). */
    private static DiscreteSeries.Samples samples(long[] arrived, long[] used) {
        double[] frag = new double[arrived.length];
        long[] idle = new long[arrived.length];
        for (int i = 0; i < idle.length; i++) {
            idle[i] = 100_000 - used[i];
        }
        return new DiscreteSeries.Samples(100, arrived, used, frag, idle);
    }

    @Test
    void bucketsRoundTheArrivedPercentHalfToEvenAndFallBackToNeighbours() {
        // 0.5 % -> bucket 0, 1.5 % -> bucket 2
        DiscreteSeries s = DiscreteSeries.allocation(samples(new long[] {500, 1500}, new long[] {100, 1200}));
        assertThat(s.at(0)).isEqualTo(0.1);
        assertThat(s.at(2)).isEqualTo(1.2);
        // bucket 1 is empty: mean of buckets 0..2
        assertThat(s.at(1)).isEqualTo(0.65);
        // bucket 3 is empty: buckets 2..4 hold the 1.5 % sample
        assertThat(s.at(3)).isEqualTo(1.2);
        // bucket 4 is empty and so are 3 and 5
        assertThat(s.at(4)).isNaN();
        assertThat(s.at(130)).isNaN();
        assertThat(s.values()).hasSize(DiscreteSeries.COLUMNS);
    }

    @Test
    void moreHalfwayCases() {
        // 2.5 % -> 2 (even), 3.5 % -> 4 (even), 2.501 % -> 3, 129.5 % -> 130 (even), 130.5 % -> 130 (even)
        DiscreteSeries s = DiscreteSeries.allocation(samples(new long[] {2500, 3500, 2501, 129_500, 130_500},
                new long[] {1000, 2000, 3000, 4000, 6000}));
        assertThat(s.at(2)).isEqualTo(1.0);
        assertThat(s.at(4)).isEqualTo(2.0);
        assertThat(s.at(3)).isEqualTo(3.0);
        assertThat(s.at(130)).isEqualTo(5.0);
        assertThat(s.at(129)).as("empty: falls back to 128..130").isEqualTo(5.0);
        assertThat(s.at(1)).as("empty: falls back to 0..2").isEqualTo(1.0);
        assertThat(s.at(0)).isNaN();
    }

    @Test
    void samplesBeyondColumn130OnlyServeTheFallback() {
        // 131 % and 140 %: column 130 is empty, so it averages 129..131
        DiscreteSeries s = DiscreteSeries.allocation(samples(new long[] {131_000, 140_000}, new long[] {7000, 9000}));
        assertThat(s.at(130)).isEqualTo(7.0);
        assertThat(s.at(129)).isNaN();
    }

    @Test
    void allocationRoundsEachSampleBeforeTheMean() {
        // 1000-GPU cluster: used 60 milli is 0.006 %, rounded to 0.01; mean(0.01, 0.0) = 0.005 -> 0.01.
        // Without the per-sample rounding it would be round(0.003) = 0.0.
        DiscreteSeries.Samples s = new DiscreteSeries.Samples(1000, new long[] {0, 0}, new long[] {60, 0},
                new double[2], new long[] {999_940, 1_000_000});
        assertThat(DiscreteSeries.allocation(s).at(0)).isEqualTo(0.01);
    }

    @Test
    void fragmentationIsTheMeanFragmentedMilliInPercentOfCapacity() {
        // 100 GPUs: mean(1234, 2000) = 1617 milli = 1.617 % -> 1.62
        DiscreteSeries.Samples s = new DiscreteSeries.Samples(100, new long[] {0, 100, 5000},
                new long[] {0, 0, 0}, new double[] {1234, 2000, 50_000}, new long[] {100_000, 100_000, 100_000});
        DiscreteSeries f = DiscreteSeries.fragmentation(s);
        assertThat(f.at(0)).isEqualTo(1.62);
        assertThat(f.at(5)).isEqualTo(50.0);
        assertThat(f.at(1)).isEqualTo(1.62);
        assertThat(f.at(4)).isEqualTo(50.0);
        assertThat(f.at(3)).isNaN();
    }

    @Test
    void fragmentationRatioIsTheMeanShareOfIdleAndIsNotRounded() {
        // bucket 0: 25 % and 37.5 % -> 31.25; a sample with no idle GPU has no ratio and is skipped.
        // bucket 2: 12.5, 12.25, 12.25 -> 12.333..., the column mean is not rounded.
        DiscreteSeries.Samples s = new DiscreteSeries.Samples(100, new long[] {0, 0, 0, 2000, 2000, 2000},
                new long[] {96_000, 92_000, 100_000, 92_000, 96_000, 96_000}, new double[] {1000, 3000, 0, 1000, 490, 490},
                new long[] {4000, 8000, 0, 8000, 4000, 4000});
        DiscreteSeries r = DiscreteSeries.fragmentationRatio(s);
        assertThat(r.at(0)).isEqualTo(31.25);
        assertThat(r.at(2)).isCloseTo(37.0 / 3, within(1e-12));
        assertThat(r.at(1)).as("fallback over buckets 0..2").isCloseTo(19.9, within(1e-12));
        assertThat(r.at(3)).isCloseTo(37.0 / 3, within(1e-12));
        assertThat(r.at(4)).isNaN();
    }

    @Test
    void ratioColumnWithOnlyFullClusterSamplesIsEmpty() {
        DiscreteSeries.Samples s = new DiscreteSeries.Samples(1, new long[] {1000}, new long[] {1000},
                new double[] {0}, new long[] {0});
        DiscreteSeries r = DiscreteSeries.fragmentationRatio(s);
        assertThat(r.at(100)).isNaN();
        assertThat(DiscreteSeries.allocation(s).at(100)).isEqualTo(100.0);
        assertThat(DiscreteSeries.fragmentation(s).at(100)).isEqualTo(0.0);
    }

    @Test
    void round2IsHalfEvenOnTheExactBinaryValue() {
        assertThat(DiscreteSeries.round2(0.125)).isEqualTo(0.12);
        assertThat(DiscreteSeries.round2(0.375)).isEqualTo(0.38);
        assertThat(DiscreteSeries.round2(2.675)).isEqualTo(2.67); // 2.67499999999999982236431605997495353221893310546875
        assertThat(DiscreteSeries.round2(1.005)).isEqualTo(1.0); // 1.00499999999999989341858963598497211933135986328125
        assertThat(DiscreteSeries.round2(0.615)).isEqualTo(0.61); // 0.61499999999999999111821580299874767661094665527344
        assertThat(DiscreteSeries.round2(0.145)).isEqualTo(0.14); // 0.14499999999999999000799277837359113618731498718262
        assertThat(DiscreteSeries.round2(87.255)).isEqualTo(87.25); // below in binary
        assertThat(DiscreteSeries.round2(-0.125)).isEqualTo(-0.12);
        assertThat(DiscreteSeries.round2(95.29)).isEqualTo(95.29);
        assertThat(DiscreteSeries.round2(Double.NaN)).isNaN();
        assertThat(DiscreteSeries.round2(Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    /** A value drawn as it is checked, so a failure prints it exactly. */
    record Value(double x) {
        @Override
        public String toString() {
            return x + " (exactly " + new BigDecimal(x).toPlainString() + ")";
        }
    }

    /**
     * A double in [-1000, 1000]: as often a two-decimal number (what jqwik's {@code @DoubleRange} drew: scale 2, edge
     * cases -1000, -0.01, 0, 0.01 and 1000), a halfway number x.xx5 (where half-even and binary representation
     * decide), or any double of the range.
     */
    static Value round2Input(Gen gen) {
        return new Value(gen.frequency(
                Gen.weight(1, g -> g.oneOf(-1000.0, -0.01, 0.0, 0.01, 1000.0)),
                Gen.weight(4, g -> BigDecimal.valueOf(g.longBetween(-100_000, 100_000), 2).doubleValue()),
                Gen.weight(4, g -> BigDecimal.valueOf(g.longBetween(-100_000, 99_999), 2)
                        .add(new BigDecimal("0.005")).doubleValue()),
                Gen.weight(4, g -> g.doubleBetween(-1000, 1000))));
    }

    @Test
    void round2IsTheNearestTwoDecimalNumber() {
        Property.check("round2 is the nearest two-decimal number", 300, DiscreteSeriesTest::round2Input, v -> {
            double x = v.x();
            double r = DiscreteSeries.round2(x);
            BigDecimal exact = new BigDecimal(x);
            BigDecimal diff = exact.subtract(new BigDecimal(Double.toString(r))).abs();
            assertThat(diff).isLessThanOrEqualTo(new BigDecimal("0.005"));
            assertThat(new BigDecimal(Double.toString(r)).scale()).isLessThanOrEqualTo(2);
            assertThat(DiscreteSeries.round2(r)).isEqualTo(r);
        });
    }

    @Test
    void seriesIsImmutableAndChecksItsLength() {
        double[] v = new double[DiscreteSeries.COLUMNS];
        v[7] = 3.5;
        DiscreteSeries s = new DiscreteSeries(v);
        v[7] = 9;
        s.values()[7] = 9;
        assertThat(s.at(7)).isEqualTo(3.5);
        assertThat(s).isEqualTo(new DiscreteSeries(s.values())).hasSameHashCodeAs(new DiscreteSeries(s.values()));
        assertThatThrownBy(() -> new DiscreteSeries(new double[130])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DiscreteSeries.Samples(0, new long[0], new long[0], new double[0], new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
