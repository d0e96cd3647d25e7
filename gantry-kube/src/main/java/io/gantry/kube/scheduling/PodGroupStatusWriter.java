package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.kube.model.TenancyCatalog.PodGroupSpec;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps every PodGroup's {@code status} current in scheduler-plugins' terms: {@code phase} (Pending, Scheduling
 * while members are reserved or some bound, Scheduled once {@code minMember} are bound, Running once that many run,
 * Finished once that many succeeded, Failed when a member failed before), the {@code running}, {@code succeeded} and
 * {@code failed} counts, and {@code scheduleStartTime} (when Gantry first reserved or bound a member). Coalesced as
 * the queues' status: at most once a period, only what changed, only by the leader.
 */
final class PodGroupStatusWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes one PodGroup's status (namespace, name, the status object as JSON). */
    interface Write {
        void status(String namespace, String name, String json);
    }

    private final TenantObjects tenants;
    private final HeldGangs held;
    private final Write write;
    private final CoalescedWrites writes;
    private final Map<String, String> started = new HashMap<>();

    PodGroupStatusWriter(TenantObjects tenants, HeldGangs held, Write write, CoalescedWrites writes) {
        this.tenants = requireNonNull(tenants, "tenants");
        this.held = requireNonNull(held, "held");
        this.write = requireNonNull(write, "write");
        this.writes = requireNonNull(writes, "writes");
    }

    void publishIfDue(long now, boolean leader) {
        if (!writes.due(now, leader)) {
            return;
        }
        Map<String, Integer> heldPerGang = new HashMap<>();
        for (HeldGangs.Held h : held.all()) {
            var gang = TenancyKeys.gangOf(h.request());
            if (gang != null) {
                heldPerGang.merge(gang.name(), 1, Integer::sum);
            }
        }
        Set<String> keys = new HashSet<>();
        for (PodGroupSpec g : tenants.podGroups()) {
            keys.add(g.key());
            int running = 0;
            int succeeded = 0;
            int failed = 0;
            int bound = 0;
            for (TenantObjects.MemberState m : tenants.membersOf(g.key()).values()) {
                switch (m.phase()) {
                    case "Running" -> running++;
                    case "Succeeded" -> succeeded++;
                    case "Failed" -> failed++;
                    default -> { }
                }
                if (m.bound()) {
                    bound++;
                }
            }
            int min = g.minMember();
            String phase = succeeded >= min ? "Finished" : failed > 0 ? "Failed"
                    : running + succeeded >= min ? "Running" : bound >= min ? "Scheduled"
                    : bound > 0 || heldPerGang.getOrDefault(g.key(), 0) > 0 ? "Scheduling" : "Pending";
            if (!phase.equals("Pending")) {
                started.putIfAbsent(g.key(), DateTimeFormatter.ISO_INSTANT.format(Instant.now()
                        .truncatedTo(ChronoUnit.SECONDS)));
            }
            ObjectNode status = JSON.createObjectNode().put("phase", phase).put("running", running)
                    .put("succeeded", succeeded).put("failed", failed);
            if (started.containsKey(g.key())) {
                status.put("scheduleStartTime", started.get(g.key()));
            }
            String body = status.toString();
            writes.offer(g.key(), body, () -> write.status(g.namespace(), g.name(), body));
        }
        started.keySet().retainAll(keys);
        writes.retain(keys);
    }
}
