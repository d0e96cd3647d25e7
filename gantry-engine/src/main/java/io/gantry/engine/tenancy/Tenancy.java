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
        FULL("gantry");

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

    private final Mode mode;
    private final QueueTree tree;
    private final QueueLedger ledger;
    private final Coscheduling coscheduling;

    private Tenancy(Mode mode, QueueTree tree, ClusterState state) {
        this.mode = mode;
        this.tree = tree;
        this.ledger = new QueueLedger(tree, state);
        this.coscheduling = new Coscheduling(ledger);
    }

    /**
     * @param queues the declared queues (the unlimited default queue is added when missing)
     * @param state the cluster the scheduler will drive, for capacity and pods already placed
     */
    public static Tenancy create(Mode mode, Collection<QueueSpec> queues, ClusterState state) {
        requireNonNull(mode, "mode");
        List<QueueSpec> specs = mode == Mode.QUOTA
                ? queues.stream().map(QueueSpec::withoutBorrowing).toList() : List.copyOf(queues);
        return new Tenancy(mode, QueueTree.of(specs), requireNonNull(state, "state"));
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

    /** The profile with this policy's plugins: the ledger hears every placement; the rest by mode. */
    public SchedulingProfile apply(SchedulingProfile base) {
        SchedulingProfile.Builder b = base.toBuilder().listener(ledger).preFilter(coscheduling)
                .reserve(coscheduling).permit(coscheduling);
        if (mode != Mode.FIFO) {
            QueueQuota quota = new QueueQuota(ledger);
            b.preFilter(quota).filter(quota).postFilter(new Preemption(ledger));
        }
        return b.postFilter(coscheduling).build();
    }

    /** The queue that feeds the cycle: one queue for {@link Mode#FIFO}, fair share across queues otherwise. */
    public PodQueue newQueue(SchedulingProfile profile, QueueConfig config) {
        return mode == Mode.FIFO ? new SchedulingQueue(profile.queueSort(), config)
                : new FairShareQueue(ledger, profile.queueSort(), config);
    }
}
