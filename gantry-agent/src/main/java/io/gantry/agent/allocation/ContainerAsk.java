package io.gantry.agent.allocation;

import static java.util.Objects.requireNonNull;

/**
 * What one container of a pod asks of the agent's resources (its limits).
 *
 * @param name container name
 * @param init whether it is an init container (they run before, and their devices are reused by, app containers)
 * @param gpus whole GPUs ({@code nvidia.com/gpu})
 * @param milli thousandths of one GPU ({@code gantry.io/gpu-milli})
 */
public record ContainerAsk(String name, boolean init, long gpus, long milli) {

    public ContainerAsk {
        requireNonNull(name, "name");
    }

    public long ask(ResourceKind kind) {
        return kind == ResourceKind.WHOLE ? gpus : milli;
    }
}
