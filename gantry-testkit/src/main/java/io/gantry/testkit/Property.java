package io.gantry.testkit;

import static java.util.Objects.requireNonNull;

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
 */
public final class Property {

    /** Replays one seed instead of the whole run. */
    public static final String SEED_PROPERTY = "gantry.seed";
    /** Multiplies every property's tries, e.g. {@code -Dgantry.tries.factor=10} for a long soak. */
    public static final String TRIES_FACTOR_PROPERTY = "gantry.tries.factor";

    private Property() {
    }

    public static <T> void check(String name, int tries, Function<Gen, T> generator, Consumer<T> property) {
        requireNonNull(name, "name");
        requireNonNull(generator, "generator");
        requireNonNull(property, "property");
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1, got " + tries);
        }
        String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isBlank()) {
            runOne(name, 0, 1, Long.parseLong(replay.trim()), generator, property);
            return;
        }
        int factor = Integer.getInteger(TRIES_FACTOR_PROPERTY, 1);
        int total = tries * Math.max(1, factor);
        long seed = name.hashCode() * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < total; i++) {
            seed = mix(seed + i);
            runOne(name, i, total, seed, generator, property);
        }
    }

    private static <T> void runOne(String name, int index, int total, long seed, Function<Gen, T> generator,
            Consumer<T> property) {
        T value = generator.apply(new Gen(seed));
        try {
            property.accept(value);
        } catch (AssertionError | RuntimeException e) {
            AssertionError failure = new AssertionError("property '" + name + "' failed on try " + (index + 1) + " of "
                    + total + " with seed " + seed + " (replay it with -D" + SEED_PROPERTY + "=" + seed + ")\ncase: "
                    + value + "\n" + e.getMessage(), e);
            throw failure;
        }
    }

    /** SplitMix64's finalizer: spreads consecutive inputs over the whole range. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
