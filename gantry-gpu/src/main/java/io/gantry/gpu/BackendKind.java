package io.gantry.gpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which discovery backend to use. */
public enum BackendKind {
    /** NVML, then nvidia-smi; an error naming both failures when neither works. */
    AUTO("auto"),
    NVML("nvml"),
    NVIDIA_SMI("nvidia-smi"),
    /** A YAML inventory; never chosen by {@link #AUTO}. */
    FAKE("fake");

    private final String cliName;

    BackendKind(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static BackendKind parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (BackendKind k : values()) {
            if (k.cliName.equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown GPU backend '" + text + "'; expected one of "
                + Arrays.stream(values()).map(BackendKind::cliName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
