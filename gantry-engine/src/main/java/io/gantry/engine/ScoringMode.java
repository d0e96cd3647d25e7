package io.gantry.engine;

/**
 * How score plugins round.
 *
 * <p>{@link #PAPER} reproduces the FGD paper's simulator: integer scores 0..100, truncated, ties to the node order.
 * Needed for numbers comparable with the published ones. {@link #EXACT} keeps full precision, so near-equal nodes
 * are told apart and ties are rare.
 */
public enum ScoringMode {
    PAPER,
    EXACT;

    /** Truncates toward zero in paper mode, as Go's {@code int64(x)} does. */
    public double round(double score) {
        return this == PAPER ? (double) (long) score : score;
    }
}
