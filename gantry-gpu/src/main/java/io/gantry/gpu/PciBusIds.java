package io.gantry.gpu;

import java.util.Locale;

/**
 * PCI bus ids in the forms NVML and nvidia-smi print ({@code 00000000:3B:00.0}, 8-digit domain) and the form sysfs
 * and error messages use ({@code 0000:3b:00.0}).
 */
public final class PciBusIds {

    private PciBusIds() {
    }

    /**
     * The sysfs form: the domain cut to 4 digits (the leading ones NVML adds are zeros) and lower case, so
     * {@code 00000000:3B:00.0} becomes {@code 0000:3b:00.0}. Text that is not a bus id is returned trimmed and
     * lower-cased, so comparisons still work.
     */
    public static String toSysfs(String busId) {
        String id = busId.strip().toLowerCase(Locale.ROOT);
        int colon = id.indexOf(':');
        if (colon > 4 && id.substring(0, colon - 4).chars().allMatch(c -> c == '0')) {
            return id.substring(colon - 4);
        }
        return id;
    }

    /** Whether two ids name the same device, whatever their domain width and case. */
    public static boolean same(String a, String b) {
        return !a.isBlank() && toSysfs(a).equals(toSysfs(b));
    }
}
