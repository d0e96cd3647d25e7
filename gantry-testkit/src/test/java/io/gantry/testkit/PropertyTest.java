package io.gantry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PropertyTest {

    @Test
    void aFailureNamesTheSeedAndTheCaseAndTheSeedReplaysIt() {
        List<Long> seen = new ArrayList<>();
        assertThatThrownBy(() -> Property.check("finds a large value", 500, gen -> gen.intBetween(0, 1000),
                v -> {
                    if (v > 990) {
                        throw new AssertionError("too large: " + v);
                    }
                }))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("property 'finds a large value' failed on try")
                .hasMessageContaining("-Dgantry.seed=")
                .hasMessageContaining("too large")
                .satisfies(e -> {
                    String m = e.getMessage();
                    seen.add(Long.parseLong(m.substring(m.indexOf("with seed ") + 10, m.indexOf(" (replay"))));
                });
        int replayed = new Gen(seen.get(0)).intBetween(0, 1000);
        assertThat(replayed).isGreaterThan(990);
    }

    @Test
    void runsEveryTryWithDistinctSeedsAndIsReproducible() {
        Set<Integer> first = new HashSet<>();
        Property.check("collects", 300, gen -> gen.intBetween(0, 1_000_000), first::add);
        Set<Integer> second = new HashSet<>();
        Property.check("collects", 300, gen -> gen.intBetween(0, 1_000_000), second::add);
        assertThat(first).hasSizeGreaterThan(250).isEqualTo(second);
    }

    @Test
    void boundsAreDrawnOftenAndNothingFallsOutside() {
        Gen gen = new Gen(7);
        int min = 0;
        int max = 0;
        for (int i = 0; i < 10_000; i++) {
            int v = gen.intBetween(3, 9);
            assertThat(v).isBetween(3, 9);
            min += v == 3 ? 1 : 0;
            max += v == 9 ? 1 : 0;
        }
        assertThat(min).isGreaterThan(1000);
        assertThat(max).isGreaterThan(1000);
    }

    @Test
    void frequencyFollowsTheWeights() {
        Gen gen = new Gen(11);
        int heavy = 0;
        for (int i = 0; i < 10_000; i++) {
            heavy += gen.frequency(Gen.weight(9, g -> 1), Gen.weight(1, g -> 0));
        }
        assertThat(heavy).isBetween(8700, 9300);
    }

    @Test
    void edgeCasesAreDrawnOftenAndTheRestIsUniformOverTheRange() {
        Gen gen = new Gen(3);
        int[] counts = new int[1000];
        for (int i = 0; i < 80_000; i++) {
            int v = gen.intBetween(1, 999, 1, 500, 999);
            assertThat(v).isBetween(1, 999);
            counts[v]++;
        }
        // each edge case about 1/24 of the draws (3,333) plus its uniform share; an ordinary value about 70
        assertThat(counts[500]).isBetween(3000, 3800);
        assertThat(counts[1]).isBetween(3000, 3800);
        assertThat(counts[999]).isBetween(3000, 3800);
        assertThat(counts[250]).isBetween(30, 130);
        assertThatThrownBy(() -> gen.intBetween(1, 999, 1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("edge case 1000 is outside [1, 999]");
    }

    @Test
    void distinctListsHaveNoDuplicatesAndEverySizeInRange() {
        Gen gen = new Gen(5);
        Set<Integer> sizes = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            List<Integer> list = gen.distinctListOf(0, 2, () -> gen.intBetween(0, 3));
            assertThat(list).doesNotHaveDuplicates().allMatch(v -> v >= 0 && v <= 3);
            sizes.add(list.size());
        }
        assertThat(sizes).containsExactlyInAnyOrder(0, 1, 2);
        assertThatThrownBy(() -> gen.distinctListOf(3, 3, () -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only 1 distinct values, 3 wanted");
    }
}
