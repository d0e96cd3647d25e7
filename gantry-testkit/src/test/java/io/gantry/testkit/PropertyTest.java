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

    /** A list case that fails when it holds both a 7 and, anywhere after it, a 9. */
    private static void noSevenBeforeNine(List<Integer> list) {
        int seven = list.indexOf(7);
        if (seven >= 0 && list.subList(seven, list.size()).contains(9)) {
            throw new AssertionError("7 before 9 in " + list);
        }
    }

    @Test
    void aFailingListCaseIsShrunkToTheElementsThatMatterAndTheGeneratedCaseIsShownToo() {
        assertThatThrownBy(() -> Property.check("no 7 before a 9", 200,
                gen -> gen.listOf(20, 40, () -> gen.intBetween(0, 9)),
                list -> Shrink.list(list, 0), PropertyTest::noSevenBeforeNine))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("steps): [7, 9]\ngenerated case: [")
                .hasMessageContaining("7 before 9 in [7, 9]");
    }

    @Test
    void shrinkingIsReplayedBySeedAndKeepsTheMinimumSize() {
        List<String> messages = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try {
                Property.check("at most 3 elements", 50, gen -> gen.listOf(5, 30, () -> gen.intBetween(0, 100)),
                        Shrink.listIn(l -> l, 2, (l, shorter) -> shorter), l -> assertThat(l).hasSizeLessThan(4));
            } catch (AssertionError e) {
                messages.add(e.getMessage());
            }
        }
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0)).isEqualTo(messages.get(1)).contains("steps): [");
        String shrunk = messages.get(0).substring(messages.get(0).indexOf("steps): [") + 8,
                messages.get(0).indexOf("\ngenerated case"));
        assertThat(shrunk.split(",")).as(shrunk).hasSize(4);
    }

    @Test
    void listCandidatesAreShorterKeepOrderAndHonourTheMinimum() {
        List<Integer> list = List.of(1, 2, 3, 4, 5);
        List<List<Integer>> candidates = Shrink.list(list, 0);
        assertThat(candidates.get(0)).containsExactly(4, 5);
        assertThat(candidates.get(1)).containsExactly(1, 2, 3);
        assertThat(candidates).contains(List.of(2, 3, 4, 5), List.of(1, 2, 3, 4)).doesNotContain(list)
                .doesNotHaveDuplicates().allMatch(c -> c.size() < 5);
        assertThat(Shrink.list(list, 4)).allMatch(c -> c.size() == 4).hasSize(5);
        assertThat(Shrink.list(List.of(), 0)).isEmpty();
        assertThat(Shrink.list(List.of(1), 1)).isEmpty();
        assertThat(Shrink.all(l -> List.of(List.of(1)), l -> List.of(List.of(2))).candidates(List.of(3)))
                .containsExactly(List.of(1), List.of(2));
    }

    @Test
    void withoutAShrinkerTheGeneratedCaseIsReportedAsIs() {
        assertThatThrownBy(() -> Property.check("never", 1, gen -> List.of(1, 2, 3), l -> {
            throw new AssertionError("no");
        })).hasMessageContaining("\ncase: [1, 2, 3]\nno").hasMessageNotContaining("shrunk");
    }
}
