package io.gantry.kube.scheduling;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.contract.GpuAnnotations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What a pod asks that Gantry's scheduler does not check yet, so it is reported instead of silently ignored.
 * Required constraints hold the pod (it is not bound: binding it could break them) with {@code FailedScheduling}
 * and {@code PodScheduled=False}; preferences are reported with a {@code Warning} when the pod is bound without
 * them. Each constraint is one line in {@link #CHECKS}: when a plugin for it exists, its line goes.
 */
final class UnsupportedConstraints {

    /**
     * One thing Gantry does not check: whether it must hold, and what the pod asks of it in words (null when it asks
     * nothing of it).
     */
    private record Check(boolean required, Function<PodSpec, String> asked) {

        static Check required(String name, Predicate<PodSpec> asks) {
            return new Check(true, s -> asks.test(s) ? name : null);
        }

        static Check preferred(String name, Predicate<PodSpec> asks) {
            return new Check(false, s -> asks.test(s) ? name : null);
        }
    }

    /** Resources the engine counts; any other one a container asks is not checked. */
    private static final Set<String> COUNTED = Set.of("cpu", "memory", GpuAnnotations.GPU_RESOURCE,
            GpuAnnotations.GPU_MILLI_RESOURCE);

    private static final List<Check> CHECKS = List.of(
            Check.required("resource claims (dynamic resource allocation)", s -> !list(s.getResourceClaims())
                    .isEmpty()),
            new Check(true, s -> uncounted(s).isEmpty() ? null
                    : "resources Gantry does not count (" + String.join(", ", uncounted(s)) + ")"),
            Check.preferred("preferred node affinity", s -> !list(affinity(s, a -> a.getNodeAffinity() == null ? null
                    : a.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())).isEmpty()),
            Check.preferred("ephemeral-storage requests", s -> containers(s).anyMatch(c -> resources(c)
                    .containsKey("ephemeral-storage"))));

    private UnsupportedConstraints() {
    }

    /** The required constraints the pod asks that Gantry does not check; empty when none. */
    static List<String> required(Pod pod) {
        return asked(pod, true);
    }

    /** The preferences the pod asks that Gantry does not honour; empty when none. */
    static List<String> preferred(Pod pod) {
        return asked(pod, false);
    }

    /** The FailedScheduling message for a pod held by required constraints. */
    static String heldMessage(List<String> required) {
        return "Gantry does not support " + String.join(", ", required) + " yet; the pod is not bound, since binding "
                + "it could break them. Remove them, or leave the pod to a scheduler that checks them";
    }

    /** The Warning for a pod bound without its preferences. */
    static String ignoredMessage(List<String> preferred) {
        return "bound without honouring " + String.join(", ", preferred) + ": Gantry does not support them yet";
    }

    private static List<String> asked(Pod pod, boolean required) {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Check c : CHECKS) {
            String asked = c.required() == required ? c.asked().apply(spec) : null;
            if (asked != null) {
                out.add(asked);
            }
        }
        return out;
    }

    private static <T> T affinity(PodSpec s, Function<Affinity, T> part) {
        return s.getAffinity() == null ? null : part.apply(s.getAffinity());
    }

    private static Stream<Container> containers(PodSpec s) {
        return Stream.concat(list(s.getContainers()).stream(), list(s.getInitContainers()).stream());
    }

    private static Map<String, Quantity> resources(Container c) {
        if (c.getResources() == null) {
            return Map.of();
        }
        Map<String, Quantity> all = new java.util.HashMap<>();
        if (c.getResources().getLimits() != null) {
            all.putAll(c.getResources().getLimits());
        }
        if (c.getResources().getRequests() != null) {
            all.putAll(c.getResources().getRequests());
        }
        return all;
    }

    private static Set<String> uncounted(PodSpec s) {
        Set<String> names = new TreeSet<>();
        containers(s).forEach(c -> resources(c).keySet().stream()
                .filter(r -> !COUNTED.contains(r) && !"ephemeral-storage".equals(r)).forEach(names::add));
        return names;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
