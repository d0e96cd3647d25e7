package io.gantry.engine;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Why a pod fits nowhere: how many nodes each reason rejected (every node counted under each fault the first plugin
 * that rejected it found), or the pre-filter's verdict on the pod itself, and what PostFilter (preemption) had to
 * say, if anything.
 */
public record Explanation(int totalNodes, Map<Reason, Integer> nodesByReason, String preFilterMessage,
        String postFilterMessage) {

    public Explanation {
        requireNonNull(nodesByReason, "nodesByReason");
        requireNonNull(preFilterMessage, "preFilterMessage");
        requireNonNull(postFilterMessage, "postFilterMessage");
        nodesByReason = Map.copyOf(nodesByReason);
    }

    public Explanation(int totalNodes, Map<Reason, Integer> nodesByReason) {
        this(totalNodes, nodesByReason, "", "");
    }

    /**
     * A pre-filter rejected the pod before any node was looked at: every node counts under its reasons, and the
     * message carries the pre-filter's words without counts, as kube-scheduler writes them.
     */
    public static Explanation preFilter(int totalNodes, Status status) {
        Map<Reason, Integer> byReason = new java.util.HashMap<>();
        for (Reason r : status.reasons()) {
            byReason.put(r, totalNodes);
        }
        return new Explanation(totalNodes, byReason, status.message(), "");
    }

    /** The same explanation with PostFilter's message appended, as kube-scheduler appends preemption's. */
    public Explanation withPostFilterMessage(String message) {
        return new Explanation(totalNodes, nodesByReason, preFilterMessage, message);
    }

    /**
     * Kube-scheduler's wording and order ({@code FitError.Error}): the "count message" strings sorted as strings,
     * e.g. {@code 0/1213 nodes are available: 250 Insufficient cpu, 907 Insufficient GPU.}
     */
    public String message() {
        return message(Reason::message);
    }

    /** The same, with each reason worded by the host (e.g. {@code Insufficient nvidia.com/gpu}). */
    public String message(Function<Reason, String> wording) {
        requireNonNull(wording, "wording");
        if (totalNodes == 0 && nodesByReason.isEmpty()) {
            return "no nodes available to schedule pods"; // kube-scheduler's ErrNoNodesAvailable
        }
        StringBuilder b = new StringBuilder("0/").append(totalNodes).append(" nodes are available");
        if (!preFilterMessage.isEmpty()) {
            b.append(": ").append(preFilterMessage); // FitError: the pre-filter's message, no histogram
        } else {
            Map<String, Integer> byMessage = new LinkedHashMap<>();
            nodesByReason.forEach((r, n) -> byMessage.merge(wording.apply(r), n, Integer::sum));
            List<String> parts = new ArrayList<>();
            byMessage.forEach((m, n) -> parts.add(n + " " + m));
            Collections.sort(parts);
            if (!parts.isEmpty()) {
                b.append(": ").append(String.join(", ", parts));
            }
        }
        b.append('.');
        if (!postFilterMessage.isEmpty()) {
            b.append(' ').append(postFilterMessage);
        }
        return b.toString();
    }

    /** Counts in descending order (ties by message), for JSON reports. */
    public Map<String, Integer> countsByMessage() {
        return nodesByReason.entrySet().stream()
                .sorted(Map.Entry.<Reason, Integer>comparingByValue().reversed()
                        .thenComparing(e -> e.getKey().message()))
                .collect(Collectors.toMap(e -> e.getKey().message(), Map.Entry::getValue, Integer::sum,
                        LinkedHashMap::new));
    }

    /** How many nodes were rejected for reasons that removing pods could cure (what preemption may try). */
    public int resolvableNodes() {
        return nodesByReason.entrySet().stream().filter(e -> e.getKey().resolvable()).mapToInt(Map.Entry::getValue)
                .sum();
    }

    /** Reasons by code, most nodes first: for hosts that map codes to their own wording. */
    public List<Reason> reasonsByCount() {
        return nodesByReason.entrySet().stream()
                .sorted(Map.Entry.<Reason, Integer>comparingByValue().reversed()
                        .thenComparing(e -> e.getKey().message(), Comparator.naturalOrder()))
                .map(Map.Entry::getKey).toList();
    }
}
