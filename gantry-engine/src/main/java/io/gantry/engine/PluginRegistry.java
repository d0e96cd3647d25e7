package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.plugins.BestFitGpuSelector;
import io.gantry.engine.plugins.BestFitScore;
import io.gantry.engine.plugins.DotProductScore;
import io.gantry.engine.plugins.FgdGpuSelector;
import io.gantry.engine.plugins.FgdScore;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.GpuClusteringScore;
import io.gantry.engine.plugins.GpuModelFilter;
import io.gantry.engine.plugins.GpuPackingScore;
import io.gantry.engine.plugins.GpuSelector;
import io.gantry.engine.plugins.InterPodAffinity;
import io.gantry.engine.plugins.NodePlacementFilter;
import io.gantry.engine.plugins.NodePorts;
import io.gantry.engine.plugins.PodTopologySpread;
import io.gantry.engine.plugins.RandomGpuSelector;
import io.gantry.engine.plugins.RandomScore;
import io.gantry.engine.plugins.ResourceFitFilter;
import io.gantry.engine.plugins.ScorePlugin;
import io.gantry.engine.plugins.VolumeTopology;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The plugins a policy may name, by name, each with its factory (kube-scheduler's in-tree registry). Immutable; the
 * standard one is {@link #STANDARD}.
 */
public final class PluginRegistry {

    public static final PluginRegistry STANDARD = new Builder()
            .filter("NodePlacement", NodePlacementFilter::new)
            .filter("GpuModel", GpuModelFilter::new)
            .filter("NodePorts", NodePorts::new)
            .filter("ResourceFit", ResourceFitFilter::new)
            .filter("VolumeTopology", VolumeTopology::new)
            .filter("PodTopologySpread", PodTopologySpread::new)
            .filter("InterPodAffinity", InterPodAffinity::new)
            .score("Random", args -> new RandomScore(args.random()))
            .score("DotProduct", args -> new DotProductScore(args.mode()))
            .score("GpuClustering", args -> new GpuClusteringScore(args.mode()))
            .score("GpuPacking", args -> new GpuPackingScore(args.mode()))
            .score("BestFit", args -> new BestFitScore(args.mode()))
            .score("FGD", args -> new FgdScore(args.fragmentation(), args.mode()))
            .score("PodTopologySpread", args -> new PodTopologySpread())
            .score("InterPodAffinity", args -> new InterPodAffinity())
            .gpuSelector("random", args -> new RandomGpuSelector(args.random()))
            .gpuSelector("bestfit", args -> new BestFitGpuSelector())
            .gpuSelector("fgd", args -> new FgdGpuSelector(args.fragmentation(), args.mode()))
            .build();

    /**
     * The filters every policy runs, in kube-scheduler's order: placement rules (cordon, taints, node affinity), the
     * GPU model (node affinity's place), host ports, pods/CPU/memory/GPUs, volume topology, topology spread,
     * inter-pod affinity. A filter that is also a pre-filter runs at both points.
     */
    public static final List<String> STANDARD_FILTERS = List.of("NodePlacement", "GpuModel", "NodePorts",
            "ResourceFit", "VolumeTopology", "PodTopologySpread", "InterPodAffinity");

    /**
     * The scores every policy adds to its own, with kube-scheduler's default weights: they score 0 on every node for
     * a pod without spread constraints or inter-pod terms in a cluster without such pods, so a policy's own ranking
     * (the FGD paper's, in the simulator) is unchanged there.
     */
    public static final List<Policy.PluginWeight> STANDARD_SCORES = List.of(
            new Policy.PluginWeight("PodTopologySpread", 2), new Policy.PluginWeight("InterPodAffinity", 2));

    private final Map<String, Supplier<FilterPlugin>> filters;
    private final Map<String, Function<PluginArgs, ScorePlugin>> scores;
    private final Map<String, Function<PluginArgs, GpuSelector>> gpuSelectors;

    private PluginRegistry(Builder b) {
        this.filters = Map.copyOf(b.filters);
        this.scores = Map.copyOf(b.scores);
        this.gpuSelectors = Map.copyOf(b.gpuSelectors);
    }

    public FilterPlugin filter(String name) {
        return lookup(filters, name, "filter").get();
    }

    public ScorePlugin score(String name, PluginArgs args) {
        return lookup(scores, name, "score").apply(args);
    }

    public GpuSelector gpuSelector(String name, PluginArgs args) {
        return lookup(gpuSelectors, name, "GPU selector").apply(args);
    }

    public Set<String> scoreNames() {
        return scores.keySet();
    }

    public Set<String> gpuSelectorNames() {
        return gpuSelectors.keySet();
    }

    private static <T> T lookup(Map<String, T> map, String name, String kind) {
        T found = map.get(requireNonNull(name, "name"));
        if (found == null) {
            throw new IllegalArgumentException("no " + kind + " plugin named '" + name + "'; known: "
                    + String.join(", ", new java.util.TreeSet<>(map.keySet())));
        }
        return found;
    }

    /** Collects plugin factories. */
    public static final class Builder {
        private final Map<String, Supplier<FilterPlugin>> filters = new LinkedHashMap<>();
        private final Map<String, Function<PluginArgs, ScorePlugin>> scores = new LinkedHashMap<>();
        private final Map<String, Function<PluginArgs, GpuSelector>> gpuSelectors = new LinkedHashMap<>();

        public Builder filter(String name, Supplier<FilterPlugin> factory) {
            put(filters, name, factory);
            return this;
        }

        public Builder score(String name, Function<PluginArgs, ScorePlugin> factory) {
            put(scores, name, factory);
            return this;
        }

        public Builder gpuSelector(String name, Function<PluginArgs, GpuSelector> factory) {
            put(gpuSelectors, name, factory);
            return this;
        }

        private static <T> void put(Map<String, T> map, String name, T factory) {
            if (map.putIfAbsent(requireNonNull(name, "name"), requireNonNull(factory, "factory")) != null) {
                throw new IllegalArgumentException("plugin " + name + " registered twice");
            }
        }

        public PluginRegistry build() {
            return new PluginRegistry(this);
        }
    }
}
