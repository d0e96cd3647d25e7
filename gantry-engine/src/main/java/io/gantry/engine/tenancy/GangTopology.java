package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.CycleContext;
import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.plugins.FilterPlugin;
import io.gantry.engine.plugins.PreFilterPlugin;
import io.gantry.engine.plugins.ScorePlugin;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Topology for gangs ({@link GangSpec#topologyKey}): members of one gang in the same rack, NVLink domain or zone,
 * where collective communication is fastest. A domain is the set of nodes with one value of the label.
 * <ul>
 *   <li>required: every member in one domain. Once a member is placed, the others may go only to its domain;
 *       before, only to a domain whose free GPUs could take every missing member at once.</li>
 *   <li>preferred: as few domains as fit. A member scores highest in a domain where its gang already has members,
 *       else in the domain that takes all missing members with the least room left over (else the roomiest).</li>
 * </ul>
 * Room in a domain counts members by fully free GPUs per node (a share member by free milli), as the gang's own
 * room check does; CPU and memory are the filters' say.
 */
public final class GangTopology implements PreFilterPlugin, FilterPlugin, ScorePlugin {

    public static final String NAME = "GangTopology";
    private static final CycleContext.Key<Domains> DOMAINS = CycleContext.Key.of("gangTopology", Domains.class);

    /** This cycle's view of the gang's domains. */
    private record Domains(String key, boolean required, Set<String> withMembers, Map<String, Long> room,
            long missing, Reason noLabel, Reason otherDomain) {
    }

    private final Coscheduling coscheduling;
    private final QueueLedger ledger;
    /** Whether this cycle's pod has no topology (single-threaded, as the scheduler is). */
    private boolean skip;

    public GangTopology(Coscheduling coscheduling, QueueLedger ledger) {
        this.coscheduling = requireNonNull(coscheduling, "coscheduling");
        this.ledger = requireNonNull(ledger, "ledger");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(ClusterState state, CycleContext cycle) {
        PodRequest pod = cycle.pod();
        GangSpec gang = TenancyKeys.gangOrProbedOf(pod);
        if (gang == null || !gang.hasTopology()) {
            return Status.skip(NAME);
        }
        String key = gang.topologyKey();
        Set<String> withMembers = new HashSet<>();
        for (String member : coscheduling.members(gang.name())) {
            GpuAllocation a = state.allocation(member).orElse(null);
            if (a != null && !member.equals(pod.name())) {
                String value = state.spec(state.slotOf(a.nodeName())).labels().get(key);
                if (value != null) {
                    withMembers.add(value);
                }
            }
        }
        long missing = Math.max(1, gang.minMember() - ledger.gangPlaced(gang.name()));
        Map<String, Long> room = new HashMap<>();
        for (int slot = 0; slot < state.slotCount(); slot++) {
            if (!state.isActive(slot) || state.spec(slot).unschedulable()) {
                continue;
            }
            String value = state.spec(slot).labels().get(key);
            if (value != null) {
                room.merge(value, Coscheduling.membersFitting(state, slot, pod), Long::sum);
            }
        }
        Reason noLabel = Reason.unresolvable("TopologyLabelMissing", "node(s) had no " + key + " label, which pod group "
                + gang.name() + " requires");
        Reason otherDomain = Reason.resolvable("TopologyDomain", "node(s) were outside the " + key
                + " domain pod group " + gang.name() + " must share"
                + (withMembers.isEmpty() ? " (no domain has room for its " + missing + " members)" : ""));
        if (gang.topologyRequired() && withMembers.isEmpty()
                && room.values().stream().noneMatch(r -> r >= missing)) {
            long most = room.values().stream().mapToLong(Long::longValue).max().orElse(0);
            return Status.unschedulable(NAME, Reason.resolvable("TopologyNoRoom", "pod group " + gang.name()
                    + ": no " + key + " domain has room for its " + missing + " members still to place (the roomiest"
                    + " has room for " + most + ")"));
        }
        cycle.write(DOMAINS, new Domains(key, gang.topologyRequired(), withMembers, room, missing, noLabel,
                otherDomain));
        return Status.SUCCESS;
    }

    @Override
    public Reason filter(ClusterState state, CycleContext cycle, int node) {
        Domains d = cycle.read(DOMAINS);
        if (!d.required()) {
            return null;
        }
        String value = state.spec(node).labels().get(d.key());
        if (value == null) {
            return d.noLabel();
        }
        if (!d.withMembers().isEmpty()) {
            return d.withMembers().contains(value) ? null : d.otherDomain();
        }
        return d.room().getOrDefault(value, 0L) >= d.missing() ? null : d.otherDomain();
    }

    @Override
    public void preScore(ClusterState state, CycleContext cycle, int[] feasible, int count) {
        skip = cycle.read(DOMAINS) == null;
    }

    @Override
    public boolean skipped() {
        return skip;
    }

    @Override
    public double score(ClusterState state, CycleContext cycle, int node) {
        Domains d = cycle.read(DOMAINS);
        if (d == null) {
            return 0;
        }
        String value = state.spec(node).labels().get(d.key());
        if (value == null) {
            return 0;
        }
        if (!d.withMembers().isEmpty()) {
            return d.withMembers().contains(value) ? 100 : 0;
        }
        long room = d.room().getOrDefault(value, 0L);
        if (room >= d.missing()) {
            return 50 + 50.0 * d.missing() / room; // fits: the tightest fitting domain best
        }
        return 50.0 * room / d.missing();
    }
}
