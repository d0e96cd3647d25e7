package io.gantry.kube.config;

import io.gantry.engine.Policy;
import io.gantry.engine.PolicyRegistry;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.tenancy.Tenancy;
import java.time.Duration;
import java.util.Locale;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;

/** The config's checked values, each a Jackson deserializer that rejects a bad value where it stands. */
final class ConfigValues {

    private ConfigValues() {
    }

    /** A value the key does not accept; the message is completed with the key and position by {@link ConfigErrors}. */
    static final class BadValueException extends MismatchedInputException {
        private static final long serialVersionUID = 1L;
        private final String value;
        private final String expected;

        BadValueException(JsonParser p, String value, String expected) {
            super(p, "'" + value + "' is not valid; expected " + expected, p.currentTokenLocation());
            this.value = value;
            this.expected = expected;
        }

        String value() {
            return value;
        }

        String expected() {
            return expected;
        }
    }

    /** The scalar under the parser as text; a mapping or a list is rejected with {@code expected}. */
    private static String scalar(JsonParser p, String expected) {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            throw new BadValueException(p, t == JsonToken.START_OBJECT ? "a mapping" : "a list", expected);
        }
        return p.getString();
    }

    /** Text checked by a rule. */
    private abstract static class Checked<T> extends ValueDeserializer<T> {
        private final String expected;

        Checked(String expected) {
            this.expected = expected;
        }

        abstract T parse(String text);

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) {
            String text = scalar(p, expected);
            T value;
            try {
                value = parse(text);
            } catch (IllegalArgumentException e) {
                value = null;
            }
            if (value == null) {
                throw new BadValueException(p, text, expected);
            }
            return value;
        }
    }

    static final class SchedulerName extends Checked<String> {
        SchedulerName() {
            super("a lowercase DNS-style name such as gantry");
        }

        @Override
        String parse(String text) {
            return text.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") ? text : null;
        }
    }

    static final class NamespaceName extends Checked<String> {
        NamespaceName() {
            super("a list of namespace names, e.g. [team-a, team-b]");
        }

        @Override
        String parse(String text) {
            return text.isBlank() ? null : text;
        }
    }

    /** The engine's policies, by the names users type. */
    static final class PolicyName extends Checked<Policy> {
        PolicyName() {
            super("one of " + PolicyRegistry.STANDARD.namesForHelp());
        }

        @Override
        Policy parse(String text) {
            return PolicyRegistry.STANDARD.parse(text);
        }
    }

    static final class Scoring extends Checked<ScoringMode> {
        Scoring() {
            super("exact or paper");
        }

        @Override
        ScoringMode parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "exact" -> ScoringMode.EXACT;
                case "paper" -> ScoringMode.PAPER;
                default -> null;
            };
        }
    }

    /**
     * The multi-tenant admission policy, by the labels the simulator's --admission uses; not the simulator's
     * {@code backfill}, whose run-time predictor the scheduler does not feed yet.
     */
    static final class Admission extends Checked<Tenancy.Mode> {
        Admission() {
            super("gantry, quota or fifo (backfill is the simulator's only, for now)");
        }

        @Override
        Tenancy.Mode parse(String text) {
            return Tenancy.Mode.byLabel(text).filter(m -> m != Tenancy.Mode.BACKFILL).orElse(null);
        }
    }

    static final class GoDuration extends ValueDeserializer<Duration> {
        private static final String EXPECTED = "a positive duration such as 500ms, 15s or 2m";

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) {
            String text = scalar(p, EXPECTED);
            Duration d = p.currentToken() == JsonToken.VALUE_STRING ? SchedulerConfig.parseDuration(text.trim()) : null;
            if (d == null || d.isZero()) {
                throw new BadValueException(p, text, EXPECTED);
            }
            return d;
        }
    }

    /** A whole number in a range. */
    private abstract static class Bounded extends ValueDeserializer<Integer> {
        private final int min;
        private final int max;

        Bounded(int min, int max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Integer deserialize(JsonParser p, DeserializationContext ctxt) {
            String expected = "an integer from " + min + " to " + max;
            String text = scalar(p, expected);
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new BadValueException(p, text, expected);
            }
            long v = p.getLongValue();
            if (v < min || v > max) {
                throw new BadValueException(p, text, expected);
            }
            return (int) v;
        }
    }

    static final class Port extends Bounded {
        Port() {
            super(0, 65535);
        }
    }

    static final class Workers extends Bounded {
        Workers() {
            super(1, 256);
        }
    }
}
