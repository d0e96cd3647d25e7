package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Queue objects ({@code scheduling.gantry.io/v1alpha1}, kind Queue) given as parsed YAML or JSON maps: the
 * same objects the cluster's CRD holds and the simulator's queues file lists. Every mistake is reported in plain
 * words naming the queue and the field; unknown fields are rejected, not ignored.
 */
public final class QueueObjects {

    public static final String API_VERSION = "scheduling.gantry.io/v1alpha1";
    public static final String KIND = "Queue";

    private static final Set<String> TOP_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    private static final Set<String> SPEC_FIELDS = Set.of("parent", "weight", "quota", "preemption");
    private static final Set<String> QUOTA_FIELDS = Set.of("resource", "model", "guaranteed", "borrowingLimit",
            "lendingLimit");
    private static final Set<String> PREEMPTION_FIELDS = Set.of("reclaim", "withinQueue");

    private QueueObjects() {
    }

    /** A bad Queue object: the message says which queue, which field and how to fix it. */
    public static final class InvalidQueueException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidQueueException(String message) {
            super(message);
        }
    }

    /** One Queue object; {@code where} names it for errors (for example "queues.yaml, document 2"). */
    public static QueueSpec parse(Map<?, ?> object, String where) {
        requireNonNull(object, "object");
        requireNonNull(where, "where");
        unknownFields(object, TOP_FIELDS, where);
        if (!API_VERSION.equals(object.get("apiVersion")) || !KIND.equals(object.get("kind"))) {
            throw new InvalidQueueException(where + ": expected apiVersion " + API_VERSION + " and kind " + KIND
                    + ", got " + object.get("apiVersion") + " " + object.get("kind"));
        }
        Map<?, ?> metadata = map(object.get("metadata"), where + ": metadata");
        Object rawName = metadata == null ? null : metadata.get("name");
        if (!(rawName instanceof String name) || name.isBlank()) {
            throw new InvalidQueueException(where + ": metadata.name is missing; every queue needs a name");
        }
        String at = where + ", queue " + name;
        Map<?, ?> spec = map(object.get("spec"), at + ": spec");
        if (spec == null) {
            spec = Map.of();
        }
        unknownFields(spec, SPEC_FIELDS, at + ": spec");
        String parent = string(spec.get("parent"), at + ": spec.parent", "");
        int weight = integer(spec.get("weight"), at + ": spec.weight", 1);
        if (weight < 1) {
            throw new InvalidQueueException(at + ": spec.weight must be at least 1, got " + weight);
        }
        List<QuotaLimit> quota = new ArrayList<>();
        Object rawQuota = spec.get("quota");
        if (rawQuota != null) {
            if (!(rawQuota instanceof List<?> list)) {
                throw new InvalidQueueException(at + ": spec.quota must be a list of {resource, guaranteed, ...}");
            }
            for (int i = 0; i < list.size(); i++) {
                quota.add(quotaEntry(map(list.get(i), at + ": spec.quota[" + i + "]"), at + ": spec.quota[" + i + "]"));
            }
        }
        ReclaimPolicy reclaim = ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY;
        WithinQueuePolicy within = WithinQueuePolicy.LOWER_PRIORITY;
        Map<?, ?> preemption = map(spec.get("preemption"), at + ": spec.preemption");
        if (preemption != null) {
            unknownFields(preemption, PREEMPTION_FIELDS, at + ": spec.preemption");
            String r = string(preemption.get("reclaim"), at + ": spec.preemption.reclaim", reclaim.wire());
            reclaim = byWire(ReclaimPolicy.values(), ReclaimPolicy::wire, r, at + ": spec.preemption.reclaim");
            String w = string(preemption.get("withinQueue"), at + ": spec.preemption.withinQueue", within.wire());
            within = byWire(WithinQueuePolicy.values(), WithinQueuePolicy::wire, w,
                    at + ": spec.preemption.withinQueue");
        }
        try {
            return new QueueSpec(name, parent, weight, quota, reclaim, within);
        } catch (IllegalArgumentException e) {
            throw new InvalidQueueException(where + ": " + e.getMessage());
        }
    }

    private static QuotaLimit quotaEntry(Map<?, ?> entry, String at) {
        if (entry == null) {
            throw new InvalidQueueException(at + ": empty quota entry; give resource and guaranteed");
        }
        unknownFields(entry, QUOTA_FIELDS, at);
        String kindName = string(entry.get("resource"), at + ".resource", null);
        if (kindName == null) {
            throw new InvalidQueueException(at + ".resource is missing; use gpu, cpu or memory");
        }
        QuotaResource.Kind kind = byWire(QuotaResource.Kind.values(), QuotaResource.Kind::wire, kindName,
                at + ".resource");
        String model = string(entry.get("model"), at + ".model", "");
        if (!model.isEmpty() && kind != QuotaResource.Kind.GPU) {
            throw new InvalidQueueException(at + ".model: only a gpu quota names a GPU model, not " + kindName);
        }
        QuotaResource resource = new QuotaResource(kind, model);
        if (entry.get("guaranteed") == null) {
            throw new InvalidQueueException(at + ".guaranteed is missing; give the guaranteed amount (0 for none)");
        }
        long guaranteed = amount(entry.get("guaranteed"), kind, at + ".guaranteed");
        long borrowing = entry.get("borrowingLimit") == null ? QuotaLimit.UNLIMITED
                : amount(entry.get("borrowingLimit"), kind, at + ".borrowingLimit");
        long lending = entry.get("lendingLimit") == null ? QuotaLimit.UNLIMITED
                : amount(entry.get("lendingLimit"), kind, at + ".lendingLimit");
        if (lending != QuotaLimit.UNLIMITED && lending > guaranteed) {
            throw new InvalidQueueException(at + ".lendingLimit (" + resource.format(lending)
                    + ") is more than the guarantee (" + resource.format(guaranteed)
                    + "); a queue lends only what it is guaranteed");
        }
        return new QuotaLimit(resource, guaranteed, borrowing, lending);
    }

    /** A Kubernetes quantity in the resource's engine unit: GPUs and CPU in milli, memory in MiB (rounded down). */
    public static long amount(Object raw, QuotaResource.Kind kind, String at) {
        BigDecimal value = quantity(raw, at);
        BigDecimal engine = switch (kind) {
            case GPU, CPU -> value.movePointRight(3);
            case MEMORY -> value.divide(BigDecimal.valueOf(1L << 20), 0, RoundingMode.FLOOR);
        };
        if (engine.signum() < 0) {
            throw new InvalidQueueException(at + " must not be negative, got " + raw);
        }
        if (kind != QuotaResource.Kind.MEMORY && engine.stripTrailingZeros().scale() > 0) {
            throw new InvalidQueueException(at + ": " + raw + " is finer than a thousandth; use at most three"
                    + " decimals or the m suffix (2500m = 2.5)");
        }
        try {
            return engine.setScale(0, RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidQueueException(at + ": " + raw + " is too large");
        }
    }

    /** Parses a Kubernetes quantity ("8", "2.5", "2500m", "64Gi", "1e3"). */
    public static BigDecimal quantity(Object raw, String at) {
        if (raw instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        if (!(raw instanceof String s) || s.isBlank()) {
            throw new InvalidQueueException(at + ": expected a quantity such as 8, 2500m or 64Gi, got " + raw);
        }
        String text = s.trim();
        String[][] suffixes = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
            {"Pi", "1125899906842624"}, {"Ei", "1152921504606846976"}, {"m", "0.001"}, {"k", "1000"},
            {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}, {"P", "1000000000000000"},
            {"E", "1000000000000000000"}};
        BigDecimal factor = BigDecimal.ONE;
        for (String[] suffix : suffixes) {
            if (text.endsWith(suffix[0]) && text.length() > suffix[0].length()) {
                String number = text.substring(0, text.length() - suffix[0].length());
                if (number.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == '+' || c == '-')) {
                    text = number;
                    factor = new BigDecimal(suffix[1]);
                    break;
                }
            }
        }
        try {
            return new BigDecimal(text).multiply(factor);
        } catch (NumberFormatException e) {
            throw new InvalidQueueException(at + ": '" + s + "' is not a quantity; write it as 8, 2500m or 64Gi");
        }
    }

    private static Map<?, ?> map(Object raw, String at) {
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new InvalidQueueException(at + " must be a mapping, got " + raw);
        }
        return m;
    }

    private static String string(Object raw, String at, String fallback) {
        if (raw == null) {
            return fallback;
        }
        if (!(raw instanceof String s)) {
            throw new InvalidQueueException(at + " must be a string, got " + raw);
        }
        return s;
    }

    private static int integer(Object raw, String at, int fallback) {
        if (raw == null) {
            return fallback;
        }
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
            long v = ((Number) raw).longValue();
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                return (int) v;
            }
        }
        throw new InvalidQueueException(at + " must be a whole number, got " + raw);
    }

    private static void unknownFields(Map<?, ?> map, Set<String> known, String at) {
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new InvalidQueueException(at + ": unknown field '" + key + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    private static <E> E byWire(E[] values, java.util.function.Function<E, String> wire, String given, String at) {
        for (E e : values) {
            if (wire.apply(e).equals(given)) {
                return e;
            }
        }
        List<String> names = java.util.Arrays.stream(values).map(wire).toList();
        throw new InvalidQueueException(at + ": '" + given + "' is not one of " + String.join(", ", names));
    }
}
