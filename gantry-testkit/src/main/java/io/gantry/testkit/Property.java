package io.gantry.testkit;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A seeded randomized property check: {@code tries} cases, each generated from its own seed, checked one by one.
 * A failure names the property, the try, the seed and the case, and how to replay just that seed:
 * {@code -Dgantry.seed=SEED} runs the one case with that seed. Seeds are derived from the property's name, so a run
 * is reproducible and two properties do not see the same cases.
 *
 * <pre>{@code
 * Property.check("release restores the state", 200,
 *         gen -> new Case(gen.listOf(1, 5, () -> node(gen)), gen.oneOf(Policy.class)),
 *         c -> assertThat(run(c)).isEqualTo(expected(c)));
 * }</pre>
 *
 * <p>With a {@link Shrinker} a failing case is first made smaller (for example fewer operations, see
 * {@link Shrink#list}) while it still fails, and the smallest failing case is reported next to the generated one.
 * Shrinking is deterministic, so replaying the seed shrinks to the same case.
 */
public final class Property {

    /** Replays one seed instead of the whole run. */
    public static final String SEED_PROPERTY = "gantry.seed";
    /** Multiplies every property's tries, e.g. {@code -Dgantry.tries.factor=10} for a long soak. */
    public static final String TRIES_FACTOR_PROPERTY = "gantry.tries.factor";
    /** At most this many runs of the property are spent on shrinking one failure. */
    static final int MAX_SHRINK_RUNS = 1000;

    private Property() {
    }

    /** Smaller variants of a case, the most promising (smallest) first; none when it cannot shrink. */
    @FunctionalInterface
    public interface Shrinker<T> {
        List<T> candidates(T value);
    }

    public static <T> void check(String name, int tries, Function<Gen, T> generator, Consumer<T> property) {
        check(name, tries, generator, value -> List.of(), property);
    }

    public static <T> void check(String name, int tries, Function<Gen, T> generator, Shrinker<T> shrinker,
            Consumer<T> property) {
        requireNonNull(name, "name");
        requireNonNull(generator, "generator");
        requireNonNull(shrinker, "shrinker");
        requireNonNull(property, "property");
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1, got " + tries);
        }
        String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isBlank()) {
            runOne(name, 0, 1, Long.parseLong(replay.trim()), generator, shrinker, property);
            return;
        }
        int factor = Integer.getInteger(TRIES_FACTOR_PROPERTY, 1);
        int total = tries * Math.max(1, factor);
        long seed = name.hashCode() * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < total; i++) {
            seed = mix(seed + i);
            runOne(name, i, total, seed, generator, shrinker, property);
        }
    }

    private static <T> void runOne(String name, int index, int total, long seed, Function<Gen, T> generator,
            Shrinker<T> shrinker, Consumer<T> property) {
        T value = generator.apply(new Gen(seed));
        Throwable failure = failure(property, value);
        if (failure == null) {
            return;
        }
        String header = "property '" + name + "' failed on try " + (index + 1) + " of " + total + " with seed " + seed
                + " (replay it with -D" + SEED_PROPERTY + "=" + seed + ")\n";
        Shrunk<T> shrunk = shrink(value, failure, shrinker, property);
        if (shrunk.steps() == 0) {
            throw new AssertionError(header + "case: " + value + "\n" + failure.getMessage(), failure);
        }
        throw new AssertionError(header + "case (shrunk in " + shrunk.steps() + " steps): " + shrunk.value()
                + "\ngenerated case: " + value + "\n" + shrunk.failure().getMessage(), shrunk.failure());
    }

    private record Shrunk<T>(T value, Throwable failure, int steps) {
    }

    /** Greedy: take the first smaller candidate that still fails, until none does or the budget is spent. */
    private static <T> Shrunk<T> shrink(T value, Throwable failure, Shrinker<T> shrinker, Consumer<T> property) {
        int steps = 0;
        int runs = 0;
        boolean smaller = true;
        while (smaller && runs < MAX_SHRINK_RUNS) {
            smaller = false;
            for (T candidate : shrinker.candidates(value)) {
                if (++runs > MAX_SHRINK_RUNS) {
                    break;
                }
                Throwable f = failure(property, candidate);
                if (f != null) {
                    value = candidate;
                    failure = f;
                    steps++;
                    smaller = true;
                    break;
                }
            }
        }
        return new Shrunk<>(value, failure, steps);
    }

    private static <T> Throwable failure(Consumer<T> property, T value) {
        try {
            property.accept(value);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }

    /** SplitMix64's finalizer: spreads consecutive inputs over the whole range. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
