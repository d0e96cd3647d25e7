package io.gantry.kube.config;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.tenancy.Tenancy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The scheduler's configuration file, validated as a whole at start-up: every error names the key, its line and
 * column, the value and what would be accepted (for an unknown key, the known ones), so a bad ConfigMap fails the
 * rollout instead of a running scheduler. The file is bound by Jackson to {@link ConfigFile}.
 */
public record SchedulerConfig(
        String schedulerName,
        Policy policy,
        ScoringMode scoring,
        List<String> namespaces,
        int serverPort,
        LeaderElection leaderElection,
        int bindingWorkers,
        Duration backoffInitial,
        Duration backoffMax,
        Tenancy.Mode admission) {

    /** Lease-based leader election; only the leader binds. */
    public record LeaderElection(boolean enabled, String leaseName, String leaseNamespace, Duration leaseDuration,
            Duration renewDeadline, Duration retryPeriod) {
        public LeaderElection {
            requireNonNull(leaseName, "leaseName");
            requireNonNull(leaseNamespace, "leaseNamespace");
            requireNonNull(leaseDuration, "leaseDuration");
            requireNonNull(renewDeadline, "renewDeadline");
            requireNonNull(retryPeriod, "retryPeriod");
        }
    }

    public static final String DEFAULT_SCHEDULER_NAME = "gantry";

    public SchedulerConfig {
        requireNonNull(schedulerName, "schedulerName");
        requireNonNull(policy, "policy");
        requireNonNull(scoring, "scoring");
        namespaces = List.copyOf(requireNonNull(namespaces, "namespaces"));
        requireNonNull(leaderElection, "leaderElection");
        requireNonNull(backoffInitial, "backoffInitial");
        requireNonNull(backoffMax, "backoffMax");
        requireNonNull(admission, "admission");
    }

    /**
     * Every default: FGD, exact scores, all namespaces, port 8080, leader election on, admission {@code gantry}
     * (queues with borrowing and reclaim, gangs, priority preemption; with no Queue objects every pod is in the
     * unlimited default queue, so only gangs and priority preemption change anything).
     */
    public static SchedulerConfig defaults() {
        return parse("{}", "defaults");
    }

    public SchedulerConfig withServerPort(int port) {
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, port, leaderElection, bindingWorkers,
                backoffInitial, backoffMax, admission);
    }

    public SchedulerConfig withLeaderElection(LeaderElection le) {
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, serverPort, le, bindingWorkers,
                backoffInitial, backoffMax, admission);
    }

    public SchedulerConfig withBackoff(Duration initial, Duration max) {
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, serverPort, leaderElection,
                bindingWorkers, initial, max, admission);
    }

    public SchedulerConfig withPolicy(Policy p) {
        return new SchedulerConfig(schedulerName, p, scoring, namespaces, serverPort, leaderElection, bindingWorkers,
                backoffInitial, backoffMax, admission);
    }

    public SchedulerConfig withAdmission(Tenancy.Mode mode) {
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, serverPort, leaderElection,
                bindingWorkers, backoffInitial, backoffMax, mode);
    }

    public static SchedulerConfig load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    /**
     * Parses and validates a config document: bound by Jackson to {@link ConfigFile}, then defaults applied and the
     * keys checked against each other.
     *
     * @param source where the text came from, for error messages
     * @throws IllegalArgumentException naming the first bad key, its line and column, and what it accepts
     */
    public static SchedulerConfig parse(String yaml, String source) {
        requireNonNull(yaml, "yaml");
        requireNonNull(source, "source");
        ConfigFile file;
        try {
            JsonNode root = YAML.readTree(yaml);
            if (root == null || root.isMissingNode() || root.isNull()) {
                file = new ConfigFile(null, null, null, null, null, null, null, null, null);
            } else if (!root.isObject()) {
                throw new IllegalArgumentException(source + ": the document must be a mapping of keys to values, got "
                        + root.getNodeType().name().toLowerCase(Locale.ROOT));
            } else {
                KnownKeys.check(YAML, yaml, source, ConfigFile.class);
                file = YAML.readValue(yaml, ConfigFile.class);
            }
        } catch (JacksonException e) {
            throw ConfigErrors.describe(source, e);
        }
        var server = or(file.server(), new ConfigFile.Server(null));
        var le = or(file.leaderElection(), new ConfigFile.LeaderElection(null, null, null, null, null, null));
        var binding = or(file.binding(), new ConfigFile.Binding(null));
        var backoff = or(file.backoff(), new ConfigFile.Backoff(null, null));
        Duration leaseDuration = or(le.leaseDuration(), Duration.ofSeconds(15));
        Duration renewDeadline = or(le.renewDeadline(), Duration.ofSeconds(10));
        Duration retryPeriod = or(le.retryPeriod(), Duration.ofSeconds(2));
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw error(source, "leaderElection.renewDeadline", format(renewDeadline),
                    "less than leaderElection.leaseDuration (" + format(leaseDuration) + ")");
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0) {
            throw error(source, "leaderElection.retryPeriod", format(retryPeriod),
                    "less than leaderElection.renewDeadline (" + format(renewDeadline) + ")");
        }
        Duration initial = or(backoff.initial(), Duration.ofSeconds(1));
        Duration max = or(backoff.max(), Duration.ofSeconds(60));
        if (max.compareTo(initial) < 0) {
            throw error(source, "backoff.max", format(max), "at least backoff.initial (" + format(initial) + ")");
        }
        return new SchedulerConfig(or(file.schedulerName(), DEFAULT_SCHEDULER_NAME), or(file.policy(), Policy.FGD),
                or(file.scoring(), ScoringMode.EXACT), or(file.namespaces(), List.of()), or(server.port(), 8080),
                new LeaderElection(or(le.enabled(), true), or(le.leaseName(), "gantry-scheduler"),
                        or(le.leaseNamespace(), ""), leaseDuration, renewDeadline, retryPeriod),
                or(binding.workers(), 16), initial, max, or(file.admission(), Tenancy.Mode.FULL));
    }

    private static <T> T or(T value, T dflt) {
        return value == null ? dflt : value;
    }

    private static IllegalArgumentException error(String source, String key, String value, String expected) {
        return new IllegalArgumentException(source + ": key '" + key + "': '" + value + "' is not valid; expected "
                + expected);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /**
     * Go-style durations as Kubernetes configs write them: {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h30m}; null
     * when the text is not one.
     */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
        }
        return end == text.length() && end > 0 ? total : null;
    }

    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
