package io.gantry.agent.plugin;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a container is told its GPUs, as NVIDIA's device plugin offers it. {@code envvar} alone lets a pod grant itself
 * any GPU through its own {@code NVIDIA_VISIBLE_DEVICES}; {@code volume-mounts} (with the container toolkit's
 * {@code accept-nvidia-visible-devices-envvar-when-unprivileged = false}) and the CDI strategies do not.
 */
public enum DeviceListStrategy {
    /** {@code NVIDIA_VISIBLE_DEVICES=<uuid>,...}. */
    ENVVAR("envvar"),
    /** One mount per GPU under {@code /var/run/nvidia-container-devices}, read by the NVIDIA runtime hook. */
    VOLUME_MOUNTS("volume-mounts"),
    /** A {@code cdi.k8s.io/...} container annotation naming the CDI devices. */
    CDI_ANNOTATIONS("cdi-annotations"),
    /** The CRI {@code CDIDevices} field (Kubernetes 1.28+). */
    CDI_CRI("cdi-cri");

    private final String cliName;

    DeviceListStrategy(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** Parses a comma-separated list such as {@code volume-mounts,cdi-cri}. */
    public static Set<DeviceListStrategy> parseList(String text) {
        Set<DeviceListStrategy> result = EnumSet.noneOf(DeviceListStrategy.class);
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            DeviceListStrategy found = Arrays.stream(values()).filter(s -> s.cliName.equals(p)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown device list strategy '" + part.trim()
                            + "'; expected a comma-separated list of "
                            + Arrays.stream(values()).map(DeviceListStrategy::cliName).collect(Collectors.joining(", "))));
            result.add(found);
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("no device list strategy given; expected e.g. envvar");
        }
        return result;
    }

    @Override
    public String toString() {
        return cliName;
    }
}
