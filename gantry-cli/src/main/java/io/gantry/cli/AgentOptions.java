package io.gantry.cli;

import io.gantry.agent.plugin.DeviceListStrategy;
import io.gantry.gpu.BackendKind;
import io.gantry.kube.config.SchedulerConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * The value types and picocli converters of {@code gantry agent} and {@code gantry discover}. A bad value is a
 * {@link TypeConversionException}, which picocli reports as {@code Invalid value for option '--flag': <message>}
 * with exit code 2; so each message says what was given and what form is expected.
 */
final class AgentOptions {

    private AgentOptions() {
    }

    /** {@code auto}, {@code nvml}, {@code nvidia-smi}, {@code fake}. */
    static final class BackendConverter implements CommandLine.ITypeConverter<BackendKind> {
        @Override
        public BackendKind convert(String value) {
            try {
                return BackendKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * Go-style durations as Kubernetes manifests write them ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h30m});
     * a bare {@code 0} is zero.
     */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim();
            if (v.equals("0")) {
                return Duration.ZERO;
            }
            Duration d;
            try {
                d = SchedulerConfig.parseDuration(v);
            } catch (RuntimeException e) { // a number too large for a long
                d = null;
            }
            if (d == null) {
                throw new TypeConversionException("'" + value + "' is not a duration; expected a number with a unit "
                        + "ms, s, m or h, such as 10s, 5m or 1h30m (0 for none)");
            }
            return d;
        }
    }

    /** One Xid of a comma-separated list. */
    static final class XidConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim();
            try {
                long xid = Long.parseLong(v);
                if (xid >= 0) {
                    return xid;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not an Xid; expected comma-separated whole "
                    + "numbers such as 13,31,79");
        }
    }

    /**
     * A yes/no flag that also takes its value as the next argument ({@code --label-node false}), as a Helm chart
     * writes it. Not a {@code boolean} field: picocli would leave any word other than true or false unconsumed and
     * report it as an unmatched argument that names no flag.
     */
    record Toggle(boolean on) {
        @Override
        public String toString() {
            return String.valueOf(on);
        }
    }

    /** {@code true} or {@code false}, in any case. */
    static final class ToggleConverter implements CommandLine.ITypeConverter<Toggle> {
        @Override
        public Toggle convert(String value) {
            String v = value.trim();
            if (v.equalsIgnoreCase("true")) {
                return new Toggle(true);
            }
            if (v.equalsIgnoreCase("false")) {
                return new Toggle(false);
            }
            throw new TypeConversionException("'" + value + "' is not true or false");
        }
    }

    /** Where {@code /metrics} is served; {@code address} null: not served ({@code none}). */
    record MetricsAddress(InetSocketAddress address) {
        @Override
        public String toString() {
            return address == null ? "none" : address.getHostString() + ":" + address.getPort();
        }
    }

    /** {@code HOST:PORT}, {@code :PORT} (every interface), {@code [::1]:PORT}, or {@code none}. */
    static final class MetricsAddressConverter implements CommandLine.ITypeConverter<MetricsAddress> {
        @Override
        public MetricsAddress convert(String value) {
            String v = value.trim();
            if (v.equalsIgnoreCase("none")) {
                return new MetricsAddress(null);
            }
            int colon = v.lastIndexOf(':');
            String expected = "; expected HOST:PORT such as 0.0.0.0:9400, 127.0.0.1:0 (any free port) or none";
            if (colon < 0) {
                throw new TypeConversionException("'" + value + "' has no port" + expected);
            }
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                host = "0.0.0.0";
            }
            int port;
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new TypeConversionException("'" + value + "': the port must be 0..65535" + expected);
            }
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw new TypeConversionException("'" + value + "': cannot resolve the host '" + host + "'" + expected);
            }
            return new MetricsAddress(address);
        }
    }

    /** The device list strategies, one or more. */
    record Strategies(Set<DeviceListStrategy> set) {
        @Override
        public String toString() {
            return set.stream().map(DeviceListStrategy::cliName).sorted().collect(Collectors.joining(","));
        }
    }

    /** {@code envvar}, {@code volume-mounts}, {@code cdi-annotations}, {@code cdi-cri}, comma-separated. */
    static final class StrategiesConverter implements CommandLine.ITypeConverter<Strategies> {
        @Override
        public Strategies convert(String value) {
            try {
                return new Strategies(DeviceListStrategy.parseList(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
