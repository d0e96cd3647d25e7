package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.GpuSelector;
import io.gantry.engine.plugins.ReservePlugin;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.ArrayList;
import java.util.List;

/** The plugins at each extension point of one scheduling cycle, as kube-scheduler's profiles group them. */
public record SchedulingProfile(
        String name,
        List<FilterPlugin> filters,
        ScorePlugin score,
        GpuSelector gpuSelector,
        List<ReservePlugin> reservePlugins) {

    public SchedulingProfile {
        requireNonNull(name, "name");
        filters = List.copyOf(requireNonNull(filters, "filters"));
        requireNonNull(score, "score");
        requireNonNull(gpuSelector, "gpuSelector");
        reservePlugins = List.copyOf(requireNonNull(reservePlugins, "reservePlugins"));
    }

    /** The same profile with one more reserve plugin, e.g. a metrics tracker. */
    public SchedulingProfile withReservePlugin(ReservePlugin plugin) {
        List<ReservePlugin> all = new ArrayList<>(reservePlugins);
        all.add(requireNonNull(plugin, "plugin"));
        return new SchedulingProfile(name, filters, score, gpuSelector, all);
    }
}
