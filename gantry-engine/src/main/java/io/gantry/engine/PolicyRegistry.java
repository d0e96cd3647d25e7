package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy.PluginWeight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The policies users can choose, by name. A new policy is one score-plugin class (registered by name in
 * {@link PluginRegistry}) and one entry in {@link #STANDARD}'s list ({@code new Policy(name, ..., scores, gpus)}); the CLI's help, the scheduler's configuration check and the Helm chart's values schema take
 * their list of policies from this registry (a test fails when the chart disagrees).
 */
public final class PolicyRegistry {

    /** The shipped policies, in the FGD paper's order. */
    public static final PolicyRegistry STANDARD = new PolicyRegistry(List.of(Policy.RANDOM, Policy.DOTPROD,
            Policy.GPUCLUSTERING, Policy.GPUPACKING, Policy.BESTFIT, Policy.FGD));

    private final Map<String, Policy> byName = new LinkedHashMap<>();

    public PolicyRegistry(List<Policy> policies) {
        for (Policy p : requireNonNull(policies, "policies")) {
            for (PluginWeight w : p.scores()) {
                if (!PluginRegistry.STANDARD.scoreNames().contains(w.plugin())) {
                    throw new IllegalArgumentException("policy " + p.name() + " names unknown score plugin "
                            + w.plugin());
                }
            }
            if (byName.putIfAbsent(p.name(), p) != null) {
                throw new IllegalArgumentException("policy " + p.name() + " registered twice");
            }
        }
    }

    public List<Policy> policies() {
        return List.copyOf(byName.values());
    }

    /** The names users type, in registry order. */
    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    public Policy get(String name) {
        Policy p = byName.get(requireNonNull(name, "name"));
        if (p == null) {
            throw new IllegalArgumentException(unknown(name));
        }
        return p;
    }

    /** By name or paper name, ignoring case and surrounding spaces. */
    public Policy parse(String name) {
        String n = requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT);
        for (Policy p : byName.values()) {
            if (p.name().equals(n) || p.paperName().toLowerCase(Locale.ROOT).equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException(unknown(name));
    }

    private String unknown(String name) {
        return "unknown policy '" + name + "'; choose one of " + String.join(", ", byName.keySet());
    }

    /** "random, dotprod, ..." for help texts. */
    public String namesForHelp() {
        return byName.keySet().stream().collect(Collectors.joining(", "));
    }
}
