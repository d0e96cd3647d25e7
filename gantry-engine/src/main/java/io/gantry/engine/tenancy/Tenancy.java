package io.gantry.engine.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.ClusterState;
import io.gantry.engine.SchedulingProfile;
import io.gantry.engine.queue.PodQueue;
import io.gantry.engine.queue.QueueConfig;
import io.gantry.engine.queue.SchedulingQueue;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The multi-tenant plugins of one scheduler, wired for an admission policy: which plugins join the profile and
 * which queue feeds the cycle. One ledger is shared by all of them, so quota, fair share, gangs and preemption see
 * the same use.
 */
public final class Tenancy {

    /** An admission policy, as the simulator compares them. */
    public enum Mode {
        /** One queue in priority-then-arrival order, no quotas, no preemption; gangs still all or nothing. */
        FIFO("fifo"),
        /** Fixed quotas without borrowing (Kueue without a cohort), priority preemption inside a queue, gangs. */
        QUOTA("quota"),
        /** Guarantees with borrowing and reclaim, hierarchical weighted fair share, gangs, priority preemption. */
        FULL("gantry"),
        /** {@link #FULL} with backfill: reservations for pods small ones starve, filled by pods predicted to end. */
        BACKFILL("backfill");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Optional<Mode> byLabel(String label) {
            return Arrays.stream(values()).filter(m -> m.label.equals(label)).findFirst();
        }
    }

    static final int TOPOLOGY_WEIGHT = 10;

    private final Mode mode;
    private final QueueTree tree;
    private final QueueLedger ledger;
    private final Coscheduling coscheduling;
    private final Backfill backfill;
    private final Nominations nominations;

    private Tenancy(Mode mode, QueueTree tree, ClusterState state, LongSupplier clock) {
        this.mode = mode;
        this.tree = tree;
        this.ledger = new QueueLedger(tree, state);
        this.backfill = mode == Mode.BACKFILL ? new Backfill(ledger, new RuntimePredictor(), clock) : null;
        this.nominations = new Nominations(ledger);
        this.coscheduling = backfill == null ? new Coscheduling(ledger) : new Coscheduling(ledger, backfill::turnsAway);
    }

    /**
     * @param queues the declared queues (the unlimited default queue is added when missing)
     * @param state the cluster the scheduler will drive, for capacity and pods already placed
     */
    public static Tenancy create(Mode mode, Collection<QueueSpec> queues, ClusterState state) {
        return create(mode, queues, state, System::nanoTime);
    }

    /**
     * @param clock the scheduler's clock in nanoseconds (give the same one to the {@code Scheduler}): backfill
     *     predicts run ends on it
     */
    public static Tenancy create(Mode mode, Collection<QueueSpec> queues, ClusterState state, LongSupplier clock) {
        requireNonNull(mode, "mode");
        List<QueueSpec> specs = mode == Mode.QUOTA
                ? queues.stream().map(QueueSpec::withoutBorrowing).toList() : List.copyOf(queues);
        return new Tenancy(mode, QueueTree.of(specs), requireNonNull(state, "state"), requireNonNull(clock, "clock"));
    }

    public Mode mode() {
        return mode;
    }

    public QueueTree tree() {
        return tree;
    }

    public QueueLedger ledger() {
        return ledger;
    }

    /** The gang plugin: the host tells it which pods of each gang exist. */
    public Coscheduling coscheduling() {
        return coscheduling;
    }

    /** The room preemptors wait for while their victims go; the host forgets a preemptor that is deleted. */
    public Nominations nominations() {
        return nominations;
    }

    /** Backfill with reservations and its run-time predictor: in {@link Mode#BACKFILL} only. */
    public Optional<Backfill> backfill() {
        return Optional.ofNullable(backfill);
    }

    /** The profile with this policy's plugins: the ledger hears every placement; the rest by mode. */
    public SchedulingProfile apply(SchedulingProfile base) {
        GangTopology topology = new GangTopology(coscheduling, ledger);
        // the domain a gang shares outweighs how well one node suits one member
        SchedulingProfile.Builder b = base.toBuilder().listener(ledger).preFilter(coscheduling)
                .preFilter(topology).filter(topology).score(topology, TOPOLOGY_WEIGHT)
                .reserve(coscheduling).permit(coscheduling);
        if (mode != Mode.FIFO) {
            QueueQuota quota = new QueueQuota(ledger);
            b.preFilter(quota).filter(quota).preFilter(nominations).filter(nominations).listener(nominations)
                    .postFilter(new Preemption(ledger, nominations));
        }
        b.postFilter(coscheduling);
        if (backfill != null) {
            // after preemption: a reservation is for a pod that nothing can make room for now
            b.listener(backfill).preFilter(backfill).filter(backfill).reserve(backfill).postFilter(backfill);
        }
        return b.build();
    }

    /** The queue that feeds the cycle: one queue for {@link Mode#FIFO}, fair share across queues otherwise. */
    public PodQueue newQueue(SchedulingProfile profile, QueueConfig config) {
        return mode == Mode.FIFO ? new SchedulingQueue(profile.queueSort(), config)
                : new FairShareQueue(ledger, profile.queueSort(), config);
    }
}
