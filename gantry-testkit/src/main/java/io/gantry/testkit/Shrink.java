package io.gantry.testkit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** Shrinkers for {@link Property#check(String, int, Function, Property.Shrinker, java.util.function.Consumer)}. */
public final class Shrink {

    private Shrink() {
    }

    /**
     * Shorter versions of a list that keep at least {@code minSize} elements: the first and the second half, then
     * the list without one chunk, for chunks of a quarter, an eighth, ... down to single elements. Order is kept.
     */
    public static <E> List<List<E>> list(List<E> list, int minSize) {
        requireNonNull(list, "list");
        Set<List<E>> out = new LinkedHashSet<>();
        int n = list.size();
        for (int chunk = (n + 1) / 2; chunk >= 1; chunk = chunk == 1 ? 0 : (chunk + 1) / 2) {
            for (int start = 0; start < n; start += chunk) {
                if (n - Math.min(chunk, n - start) < minSize) {
                    continue;
                }
                List<E> shorter = new ArrayList<>(list.subList(0, start));
                shorter.addAll(list.subList(Math.min(n, start + chunk), n));
                out.add(Collections.unmodifiableList(shorter));
            }
        }
        out.remove(list);
        return List.copyOf(out);
    }

    /**
     * The candidates of several shrinkers, one after another: e.g. shrink a case's operations, then its nodes.
     */
    @SafeVarargs
    public static <T> Property.Shrinker<T> all(Property.Shrinker<T>... shrinkers) {
        List<Property.Shrinker<T>> list = List.of(shrinkers);
        return value -> {
            List<T> out = new ArrayList<>();
            for (Property.Shrinker<T> s : list) {
                out.addAll(s.candidates(value));
            }
            return out;
        };
    }

    /** Shrinks one list inside a case: the case rebuilt around each shorter list. */
    public static <T, E> Property.Shrinker<T> listIn(Function<T, List<E>> get, int minSize,
            java.util.function.BiFunction<T, List<E>, T> rebuild) {
        return value -> list(get.apply(value), minSize).stream().map(l -> rebuild.apply(value, l)).toList();
    }
}
