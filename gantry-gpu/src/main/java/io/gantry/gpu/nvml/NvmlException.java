package io.gantry.gpu.nvml;

/** An NVML call returned something other than {@code NVML_SUCCESS}. */
public final class NvmlException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * @param function the NVML function, for the message
     * @param code the {@code nvmlReturn_t}
     * @param text NVML's own words ({@code nvmlErrorString}), or empty
     */
    public NvmlException(String function, int code, String text) {
        super(function + " failed: " + NvmlReturn.name(code) + " (" + code + ")" + (text.isEmpty() ? "" : ": " + text));
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code's name, e.g. {@code NVML_ERROR_NOT_SUPPORTED}. */
    public String codeName() {
        return NvmlReturn.name(code);
    }
}
