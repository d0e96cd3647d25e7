package io.gantry.engine;

/**
 * How score plugins round.
 *
 * <p>{@link #PAPER} reproduces the FGD paper's simulator: integer scores 0..100, truncated (as kube-scheduler's
 * scores are integers too), so near-equal nodes tie and the tie-break order decides among them. Needed for numbers
 * comparable with the published ones. {@link #EXACT} keeps full precision, so near-equal nodes are told apart; nodes
 * in identical states still tie.
 */
public enum ScoringMode {
    PAPER,
    EXACT;

    /** Truncates toward zero in paper mode, as Go's {@code int64(x)} does. */
    public double round(double score) {
        return this == PAPER ? (double) (long) score : score;
    }
}
