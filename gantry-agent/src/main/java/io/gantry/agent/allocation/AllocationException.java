package io.gantry.agent.allocation;

/** An Allocate call that must fail: the message tells the pod's owner what is wrong and what to do. */
public final class AllocationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AllocationException(String message) {
        super(message);
    }
}
