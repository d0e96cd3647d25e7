package io.gantry.kube.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gantry.engine.Policy;
import io.gantry.engine.PolicyRegistry;
import io.gantry.engine.ScoringMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scheduler's configuration file, validated as a whole at start-up: every error names the key, the value and
 * what would be accepted, so a bad ConfigMap fails the rollout instead of a running scheduler.
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
        Duration backoffMax) {

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
    }

    /** Every default: FGD, exact scores, all namespaces, port 8080, leader election on. */
    public static SchedulerConfig defaults() {
        return parse("{}", "defaults");
    }

    public SchedulerConfig withServerPort(int port) {
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, port, leaderElection, bindingWorkers,
                backoffInitial, backoffMax);
    }

    public SchedulerConfig withLeaderElection(LeaderElection le) {
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, serverPort, le, bindingWorkers,
                backoffInitial, backoffMax);
    }

    public SchedulerConfig withBackoff(Duration initial, Duration max) {
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, serverPort, leaderElection,
                bindingWorkers, initial, max);
    }

    public SchedulerConfig withPolicy(Policy p) {
        return new SchedulerConfig(schedulerName, p, scoring, namespaces, serverPort, leaderElection, bindingWorkers,
                backoffInitial, backoffMax);
    }

    public static SchedulerConfig load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses and validates a config document.
     *
     * @param source where the text came from, for error messages
     * @throws IllegalArgumentException naming the first bad key and what it accepts
     */
    public static SchedulerConfig parse(String yaml, String source) {
        requireNonNull(yaml, "yaml");
        requireNonNull(source, "source");
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = new ObjectMapper().createObjectNode();
        }
        Reader r = new Reader(source);
        ObjectNode top = r.object(root, "");
        r.onlyKeys(top, "", Set.of("schedulerName", "policy", "scoring", "namespaces", "server", "leaderElection",
                "binding", "backoff"));
        String schedulerName = r.string(top, "", "schedulerName", DEFAULT_SCHEDULER_NAME);
        if (!schedulerName.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw r.error("schedulerName", schedulerName, "a lowercase DNS-style name such as gantry");
        }
        Policy policy;
        String policyName = r.string(top, "", "policy", "fgd");
        try {
            policy = Policy.parse(policyName);
        } catch (IllegalArgumentException e) {
            throw r.error("policy", policyName, "one of " + PolicyRegistry.STANDARD.namesForHelp());
        }
        String scoringName = r.string(top, "", "scoring", "exact");
        ScoringMode scoring = switch (scoringName.toLowerCase(Locale.ROOT)) {
            case "exact" -> ScoringMode.EXACT;
            case "paper" -> ScoringMode.PAPER;
            default -> throw r.error("scoring", scoringName, "exact or paper");
        };
        List<String> namespaces = r.stringList(top, "", "namespaces");

        ObjectNode server = r.object(top.get("server"), "server");
        r.onlyKeys(server, "server", Set.of("port"));
        int port = r.integer(server, "server", "port", 8080, 0, 65535);

        ObjectNode le = r.object(top.get("leaderElection"), "leaderElection");
        r.onlyKeys(le, "leaderElection", Set.of("enabled", "leaseName", "leaseNamespace", "leaseDuration",
                "renewDeadline", "retryPeriod"));
        boolean leEnabled = r.bool(le, "leaderElection", "enabled", true);
        String leaseName = r.string(le, "leaderElection", "leaseName", "gantry-scheduler");
        String leaseNamespace = r.string(le, "leaderElection", "leaseNamespace", "");
        Duration leaseDuration = r.duration(le, "leaderElection", "leaseDuration", Duration.ofSeconds(15));
        Duration renewDeadline = r.duration(le, "leaderElection", "renewDeadline", Duration.ofSeconds(10));
        Duration retryPeriod = r.duration(le, "leaderElection", "retryPeriod", Duration.ofSeconds(2));
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw r.error("leaderElection.renewDeadline", format(renewDeadline),
                    "less than leaderElection.leaseDuration (" + format(leaseDuration) + ")");
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0) {
            throw r.error("leaderElection.retryPeriod", format(retryPeriod),
                    "less than leaderElection.renewDeadline (" + format(renewDeadline) + ")");
        }

        ObjectNode binding = r.object(top.get("binding"), "binding");
        r.onlyKeys(binding, "binding", Set.of("workers"));
        int workers = r.integer(binding, "binding", "workers", 16, 1, 256);

        ObjectNode backoff = r.object(top.get("backoff"), "backoff");
        r.onlyKeys(backoff, "backoff", Set.of("initial", "max"));
        Duration initial = r.duration(backoff, "backoff", "initial", Duration.ofSeconds(1));
        Duration max = r.duration(backoff, "backoff", "max", Duration.ofSeconds(60));
        if (max.compareTo(initial) < 0) {
            throw r.error("backoff.max", format(max), "at least backoff.initial (" + format(initial) + ")");
        }
        return new SchedulerConfig(schedulerName, policy, scoring, namespaces, port,
                new LeaderElection(leEnabled, leaseName, leaseNamespace, leaseDuration, renewDeadline, retryPeriod),
                workers, initial, max);
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

    /** Typed reads of the tree, each failing with the key's full path. */
    private static final class Reader {
        private final String source;

        Reader(String source) {
            this.source = source;
        }

        IllegalArgumentException error(String key, String value, String expected) {
            return new IllegalArgumentException(source + ": key '" + key + "': '" + value + "' is not valid; expected "
                    + expected);
        }

        private static String path(String parent, String key) {
            return parent.isEmpty() ? key : parent + "." + key;
        }

        ObjectNode object(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return new ObjectMapper().createObjectNode();
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException(source + ": " + (path.isEmpty() ? "the document" : "key '" + path
                        + "'") + " must be a mapping of keys to values, got " + node.getNodeType().name()
                        .toLowerCase(Locale.ROOT));
            }
            return (ObjectNode) node;
        }

        void onlyKeys(ObjectNode node, String path, Set<String> known) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key)) {
                    throw new IllegalArgumentException(source + ": unknown key '" + path(path, key) + "'; known keys"
                            + (path.isEmpty() ? "" : " under '" + path + "'") + ": "
                            + String.join(", ", known.stream().sorted().toList()));
                }
            }
        }

        String string(ObjectNode node, String parent, String key, String dflt) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isValueNode() || v.isBoolean()) {
                throw error(path(parent, key), v.toString(), "a string");
            }
            return v.asText();
        }

        List<String> stringList(ObjectNode node, String parent, String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw error(path(parent, key), v.toString(), "a list of strings, e.g. [team-a, team-b]");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode item : v) {
                if (!item.isTextual() || item.asText().isBlank()) {
                    throw error(path(parent, key), v.toString(), "a list of namespace names");
                }
                out.add(item.asText());
            }
            return out;
        }

        int integer(ObjectNode node, String parent, String key, int dflt, int min, int max) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
                throw error(path(parent, key), v.asText(), "an integer from " + min + " to " + max);
            }
            return v.asInt();
        }

        boolean bool(ObjectNode node, String parent, String key, boolean dflt) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw error(path(parent, key), v.asText(), "true or false");
            }
            return v.asBoolean();
        }

        Duration duration(ObjectNode node, String parent, String key, Duration dflt) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            Duration d = v.isTextual() ? parseDuration(v.asText().trim()) : null;
            if (d == null || d.isZero()) {
                throw error(path(parent, key), v.asText(), "a positive duration such as 500ms, 15s or 2m");
            }
            return d;
        }
    }
}
