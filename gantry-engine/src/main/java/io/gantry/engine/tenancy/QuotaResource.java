package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

/**
 * A resource a queue's quota counts: GPUs (in milli-GPUs, all models, or one {@code model} only), CPU (milli-cores)
 * or memory (MiB). A GPU share counts by its milli; a whole GPU is 1000.
 */
public record QuotaResource(Kind kind, String model) {

    /** The kinds of resource, by their name in a Queue object. */
    public enum Kind {
        GPU("gpu"), CPU("cpu"), MEMORY("memory");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public static final QuotaResource GPU = new QuotaResource(Kind.GPU, "");
    public static final QuotaResource CPU = new QuotaResource(Kind.CPU, "");
    public static final QuotaResource MEMORY = new QuotaResource(Kind.MEMORY, "");

    public QuotaResource {
        requireNonNull(kind, "kind");
        requireNonNull(model, "model");
        if (!model.isEmpty() && kind != Kind.GPU) {
            throw new IllegalArgumentException("only a GPU quota names a model, not " + kind.wire());
        }
    }

    public static QuotaResource gpuModel(String model) {
        if (requireNonNull(model, "model").isEmpty()) {
            throw new IllegalArgumentException("a GPU model quota needs a model name");
        }
        return new QuotaResource(Kind.GPU, model);
    }

    /** Amounts in the engine's unit of this resource, written for people: GPUs, cores, MiB. */
    public String format(long amount) {
        if (amount == QuotaLimit.UNLIMITED) {
            return "unlimited";
        }
        return switch (kind) {
            case GPU, CPU -> amount % 1000 == 0 ? Long.toString(amount / 1000)
                    : java.math.BigDecimal.valueOf(amount, 3).stripTrailingZeros().toPlainString();
            case MEMORY -> amount + "Mi";
        };
    }

    /** The unit named after an amount: "GPUs", "cores", "" for memory (its amounts carry Mi). */
    public String unit() {
        return switch (kind) {
            case GPU -> model.isEmpty() ? "GPUs" : model + " GPUs";
            case CPU -> "cores";
            case MEMORY -> "memory";
        };
    }

    @Override
    public String toString() {
        return model.isEmpty() ? kind.wire() : kind.wire() + "/" + model;
    }
}
