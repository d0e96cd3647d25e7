package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.plugins.BindPlugin;
import io.gantry.engine.plugins.ClusterListener;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.GpuSelector;
import io.gantry.engine.plugins.PermitPlugin;
import io.gantry.engine.plugins.PostFilterPlugin;
import io.gantry.engine.plugins.PreBindPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import io.gantry.engine.plugins.PrioritySort;
import io.gantry.engine.plugins.QueueSortPlugin;
import io.gantry.engine.plugins.ReservePlugin;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.ArrayList;
import java.util.List;

/**
 * The plugins at each extension point of one scheduling cycle, as kube-scheduler's profiles group them:
 * queue sort → pre-filter → filter → post-filter → pre-score/score (weighted) → GPU assignment → reserve → permit →
 * pre-bind → bind; listeners hear of every placement and node change. Build one with {@link #builder}.
 */
public record SchedulingProfile(
        String name,
        QueueSortPlugin queueSort,
        List<PreFilterPlugin> preFilters,
        List<FilterPlugin> filters,
        List<PostFilterPlugin> postFilters,
        List<WeightedScore> scores,
        GpuSelector gpuSelector,
        List<ReservePlugin> reservePlugins,
        List<PermitPlugin> permitPlugins,
        List<PreBindPlugin> preBindPlugins,
        List<BindPlugin> bindPlugins,
        List<ClusterListener> listeners) {

    /** A score plugin and its weight: the node's score is the sum of weight × normalized score. */
    public record WeightedScore(ScorePlugin plugin, int weight) {
        public WeightedScore {
            requireNonNull(plugin, "plugin");
            if (weight < 1) {
                throw new IllegalArgumentException("score plugin " + plugin.name() + ": weight must be at least 1, got "
                        + weight);
            }
        }
    }

    public SchedulingProfile {
        requireNonNull(name, "name");
        requireNonNull(queueSort, "queueSort");
        preFilters = List.copyOf(requireNonNull(preFilters, "preFilters"));
        filters = List.copyOf(requireNonNull(filters, "filters"));
        postFilters = List.copyOf(requireNonNull(postFilters, "postFilters"));
        scores = List.copyOf(requireNonNull(scores, "scores"));
        requireNonNull(gpuSelector, "gpuSelector");
        reservePlugins = List.copyOf(requireNonNull(reservePlugins, "reservePlugins"));
        permitPlugins = List.copyOf(requireNonNull(permitPlugins, "permitPlugins"));
        preBindPlugins = List.copyOf(requireNonNull(preBindPlugins, "preBindPlugins"));
        bindPlugins = List.copyOf(requireNonNull(bindPlugins, "bindPlugins"));
        listeners = List.copyOf(requireNonNull(listeners, "listeners"));
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("profile " + name + " has no score plugin; add at least one");
        }
        if (bindPlugins.isEmpty()) {
            throw new IllegalArgumentException("profile " + name + " has no bind plugin; add at least one");
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder holding this profile's plugins, to add or replace some. */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.queueSort = queueSort;
        b.preFilters.addAll(preFilters);
        b.filters.addAll(filters);
        b.postFilters.addAll(postFilters);
        b.scores.addAll(scores);
        b.gpuSelector = gpuSelector;
        b.reservePlugins.addAll(reservePlugins);
        b.permitPlugins.addAll(permitPlugins);
        b.preBindPlugins.addAll(preBindPlugins);
        b.bindPlugins.addAll(bindPlugins);
        b.listeners.addAll(listeners);
        return b;
    }

    /** The same profile with one more listener, e.g. a metrics tracker. */
    public SchedulingProfile withListener(ClusterListener listener) {
        return toBuilder().listener(listener).build();
    }

    /** The score plugins without their weights. */
    public List<ScorePlugin> scorePlugins() {
        return scores.stream().map(WeightedScore::plugin).toList();
    }

    /** Collects plugins per extension point; {@link #build} checks the profile is complete. */
    public static final class Builder {
        private final String name;
        private QueueSortPlugin queueSort = new PrioritySort();
        private final List<PreFilterPlugin> preFilters = new ArrayList<>();
        private final List<FilterPlugin> filters = new ArrayList<>();
        private final List<PostFilterPlugin> postFilters = new ArrayList<>();
        private final List<WeightedScore> scores = new ArrayList<>();
        private GpuSelector gpuSelector;
        private final List<ReservePlugin> reservePlugins = new ArrayList<>();
        private final List<PermitPlugin> permitPlugins = new ArrayList<>();
        private final List<PreBindPlugin> preBindPlugins = new ArrayList<>();
        private final List<BindPlugin> bindPlugins = new ArrayList<>();
        private final List<ClusterListener> listeners = new ArrayList<>();

        private Builder(String name) {
            this.name = requireNonNull(name, "name");
        }

        public Builder queueSort(QueueSortPlugin plugin) {
            this.queueSort = requireNonNull(plugin, "plugin");
            return this;
        }

        public Builder preFilter(PreFilterPlugin plugin) {
            preFilters.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder filter(FilterPlugin plugin) {
            filters.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder filters(List<? extends FilterPlugin> plugins) {
            plugins.forEach(this::filter);
            return this;
        }

        public Builder postFilter(PostFilterPlugin plugin) {
            postFilters.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder score(ScorePlugin plugin, int weight) {
            scores.add(new WeightedScore(plugin, weight));
            return this;
        }

        /** Drops the score plugins collected so far, to set others. */
        public Builder clearScores() {
            scores.clear();
            return this;
        }

        public Builder score(ScorePlugin plugin) {
            return score(plugin, 1);
        }

        public Builder gpuSelector(GpuSelector selector) {
            this.gpuSelector = requireNonNull(selector, "selector");
            return this;
        }

        public Builder reserve(ReservePlugin plugin) {
            reservePlugins.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder permit(PermitPlugin plugin) {
            permitPlugins.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder preBind(PreBindPlugin plugin) {
            preBindPlugins.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        /** Replaces the bind plugins with this one (the simulator's default is {@link BindPlugin#INSTANT}). */
        public Builder bind(BindPlugin plugin) {
            bindPlugins.clear();
            bindPlugins.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder listener(ClusterListener listener) {
            listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        public SchedulingProfile build() {
            if (gpuSelector == null) {
                throw new IllegalArgumentException("profile " + name + " has no GPU selector; set one");
            }
            List<BindPlugin> binds = bindPlugins.isEmpty() ? List.of(BindPlugin.INSTANT) : bindPlugins;
            return new SchedulingProfile(name, queueSort, preFilters, filters, postFilters, scores, gpuSelector,
                    reservePlugins, permitPlugins, preBindPlugins, binds, listeners);
        }
    }
}
