package io.gantry.gpu.nvml;

import java.util.Map;

/** NVML's return codes ({@code nvmlReturn_t}) that the backend acts on, and the names of all of them. */
public final class NvmlReturn {

    public static final int SUCCESS = 0;
    public static final int INVALID_ARGUMENT = 2;
    public static final int NOT_SUPPORTED = 3;
    public static final int NO_PERMISSION = 4;
    public static final int NOT_FOUND = 6;
    public static final int DRIVER_NOT_LOADED = 9;
    public static final int TIMEOUT = 10;
    public static final int FUNCTION_NOT_FOUND = 13;
    public static final int GPU_IS_LOST = 15;
    public static final int LIB_RM_VERSION_MISMATCH = 18;
    public static final int ARGUMENT_VERSION_MISMATCH = 25;
    public static final int UNKNOWN = 999;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "SUCCESS"), Map.entry(1, "UNINITIALIZED"), Map.entry(2, "INVALID_ARGUMENT"),
            Map.entry(3, "NOT_SUPPORTED"), Map.entry(4, "NO_PERMISSION"), Map.entry(5, "ALREADY_INITIALIZED"),
            Map.entry(6, "NOT_FOUND"), Map.entry(7, "INSUFFICIENT_SIZE"), Map.entry(8, "INSUFFICIENT_POWER"),
            Map.entry(9, "DRIVER_NOT_LOADED"), Map.entry(10, "TIMEOUT"), Map.entry(11, "IRQ_ISSUE"),
            Map.entry(12, "LIBRARY_NOT_FOUND"), Map.entry(13, "FUNCTION_NOT_FOUND"),
            Map.entry(14, "CORRUPTED_INFOROM"), Map.entry(15, "GPU_IS_LOST"), Map.entry(16, "RESET_REQUIRED"),
            Map.entry(17, "OPERATING_SYSTEM"), Map.entry(18, "LIB_RM_VERSION_MISMATCH"), Map.entry(19, "IN_USE"),
            Map.entry(20, "MEMORY"), Map.entry(21, "NO_DATA"), Map.entry(22, "VGPU_ECC_NOT_SUPPORTED"),
            Map.entry(23, "INSUFFICIENT_RESOURCES"), Map.entry(24, "FREQ_NOT_SUPPORTED"),
            Map.entry(25, "ARGUMENT_VERSION_MISMATCH"), Map.entry(26, "DEPRECATED"), Map.entry(27, "NOT_READY"),
            Map.entry(28, "GPU_NOT_FOUND"), Map.entry(29, "INVALID_STATE"),
            Map.entry(30, "RESET_TYPE_NOT_SUPPORTED"), Map.entry(999, "UNKNOWN"));

    private NvmlReturn() {
    }

    /** The C constant's name, e.g. {@code NVML_ERROR_GPU_IS_LOST}; an unknown code keeps its number. */
    public static String name(int code) {
        if (code == SUCCESS) {
            return "NVML_SUCCESS";
        }
        String n = NAMES.get(code);
        return n == null ? "NVML_ERROR_" + code : "NVML_ERROR_" + n;
    }
}
