package io.gantry.testkit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The random source of one generated case. Every draw comes from one seeded stream, so a seed reproduces the case
 * exactly. Edge values are drawn more often than their share ({@link #intBetween} hits both bounds about one time in
 * eight), as property tests need.
 */
public final class Gen {

    private final SplittableRandom random;

    public Gen(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A uniform int in [min, max], with the bounds themselves drawn more often. */
    public int intBetween(int min, int max) {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
        int edge = random.nextInt(16);
        if (edge == 0) {
            return min;
        }
        if (edge == 1) {
            return max;
        }
        return (int) (min + random.nextLong((long) max - min + 1));
    }

    /**
     * An int in [min, max] whose edge cases are exactly {@code edgeCases}: one draw in eight is one of them, the
     * rest are uniform over the range. For ranges where the interesting values are not (only) the bounds, e.g. the
     * half-GPU share 500 of [1, 999].
     */
    public int intBetween(int min, int max, int... edgeCases) {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
        for (int e : edgeCases) {
            if (e < min || e > max) {
                throw new IllegalArgumentException("edge case " + e + " is outside [" + min + ", " + max + "]");
            }
        }
        if (edgeCases.length > 0 && random.nextInt(8) == 0) {
            return edgeCases[random.nextInt(edgeCases.length)];
        }
        return (int) (min + random.nextLong((long) max - min + 1));
    }

    /** A uniform long in [min, max], bounds drawn more often. */
    public long longBetween(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
        int edge = random.nextInt(16);
        if (edge == 0) {
            return min;
        }
        if (edge == 1) {
            return max;
        }
        return max == Long.MAX_VALUE && min == Long.MIN_VALUE ? random.nextLong() : min + random.nextLong(max - min + 1);
    }

    /** Any long, edge values (0, ±1, min, max) included. */
    public long anyLong() {
        return switch (random.nextInt(20)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> Long.MIN_VALUE;
            case 4 -> Long.MAX_VALUE;
            default -> random.nextLong();
        };
    }

    public double doubleBetween(double min, double max) {
        return min + random.nextDouble() * (max - min);
    }

    public boolean bool() {
        return random.nextBoolean();
    }

    /** True with this probability. */
    public boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    @SafeVarargs
    public final <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }

    public <T> T oneOf(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    public <E extends Enum<E>> E oneOf(Class<E> type) {
        E[] values = type.getEnumConstants();
        return values[random.nextInt(values.length)];
    }

    /** A list of min..max elements, each drawn by the generator. */
    public <T> List<T> listOf(int min, int max, Supplier<T> element) {
        int size = intBetween(min, max);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.get());
        }
        return list;
    }

    /**
     * A list of min..max distinct elements, each drawn by the generator (a drawn duplicate is drawn again), in the
     * order first drawn. Fails when the generator cannot give {@code min} distinct values.
     */
    public <T> List<T> distinctListOf(int min, int max, Supplier<T> element) {
        int size = intBetween(min, max);
        Set<T> set = new LinkedHashSet<>();
        for (int attempts = 0; set.size() < size && attempts < 100 * (size + 1); attempts++) {
            set.add(element.get());
        }
        if (set.size() < min) {
            throw new IllegalStateException("the generator gave only " + set.size() + " distinct values, " + min
                    + " wanted");
        }
        return new ArrayList<>(set);
    }

    /** One of the choices, picked with the given weights. */
    @SafeVarargs
    public final <T> T frequency(Weighted<T>... choices) {
        int total = 0;
        for (Weighted<T> c : choices) {
            total += c.weight();
        }
        int pick = random.nextInt(total);
        for (Weighted<T> c : choices) {
            pick -= c.weight();
            if (pick < 0) {
                return c.value().apply(this);
            }
        }
        throw new AssertionError("unreachable");
    }

    public static <T> Weighted<T> weight(int weight, Function<Gen, T> value) {
        return new Weighted<>(weight, value);
    }

    /** A choice for {@link #frequency}. */
    public record Weighted<T>(int weight, Function<Gen, T> value) {
        public Weighted {
            if (weight < 1) {
                throw new IllegalArgumentException("weight must be at least 1, got " + weight);
            }
            requireNonNull(value, "value");
        }
    }

    /** The underlying stream, for draws this class does not offer. */
    public SplittableRandom random() {
        return random;
    }
}
