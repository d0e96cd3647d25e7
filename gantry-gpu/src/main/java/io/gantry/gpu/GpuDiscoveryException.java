package io.gantry.gpu;

/** GPUs could not be discovered or read; the message says what was tried and how to fix it. */
public final class GpuDiscoveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GpuDiscoveryException(String message) {
        super(message);
    }

    public GpuDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
