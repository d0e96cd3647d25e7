package io.gantry.sim.workload;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.QuotaLimit;
import io.gantry.engine.tenancy.QuotaResource;
import io.gantry.engine.tenancy.ReclaimPolicy;
import io.gantry.engine.tenancy.TenancyKeys;
import io.gantry.engine.tenancy.WithinQueuePolicy;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A built-in multi-tenant cluster and workload, generated from a seed, so that {@code gantry simulate --mode tenants}
 * runs with no data at hand. It is saturated and skewed on purpose: 40 nodes of 8 GPUs (320 GPUs) shared by four
 * teams whose offered load differs from their guarantees.
 * <ul>
 *   <li>{@code research} (guaranteed 192 GPUs, weight 2) with two children: {@code team-a} (96, weight 2) offers
 *       1.6 × its guarantee (1-GPU and 4-GPU pods, and training gangs of 2–4 × 8 GPUs; a tenth of its pods at
 *       priority 50) and {@code team-b} (96) offers 0.6 × (GPU shares, 1- and 2-GPU pods): it lends;</li>
 *   <li>{@code prod} (96, weight 1) is idle for the first third of the span and then offers 1.2 × (priority-100
 *       1-GPU serving pods and 2 × 8-GPU gangs): it comes back below its guarantee and must get it back;</li>
 *   <li>{@code batch} (32, weight 1) offers 3 × (priority −10 1- and 8-GPU pods): it borrows whatever is idle.</li>
 * </ul>
 * Arrivals are Poisson per team over {@link #SPAN_MILLIS}. Each kind of pod is sent by {@value #OWNERS_PER_KIND}
 * owners (as a team runs a few recipes again and again), each with its own typical run time, log-normal around the
 * kind's mean (mean preserved) (σ = {@value #OWNER_SPREAD}); a job's run time is log-normal around its owner's (σ =
 * {@value #RUN_SPREAD}), 5 minutes at least. One job in five says how long it expects to run
 * ({@link TenancyKeys#EXPECTED_SECONDS}), over-estimating by up to 2 ×, as authors of time limits do. Offered load is
 * about 1.2 × the cluster.
 */
public final class SyntheticTenants {

    public static final String NAME = "synthetic-tenants";
    public static final long SPAN_MILLIS = 3L * 24 * 3_600_000;
    public static final int NODES = 40;
    public static final int GPUS_PER_NODE = 8;
    static final int OWNERS_PER_KIND = 4;
    static final double OWNER_SPREAD = 0.5;
    static final double RUN_SPREAD = 0.3;
    static final double ESTIMATED_SHARE = 0.2;

    private SyntheticTenants() {
    }

    public static List<NodeSpec> nodes() {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes.add(new NodeSpec(String.format("tenant-node-%03d", i), 128_000, 1_048_576, GPUS_PER_NODE, "A100",
                    NodeSpec.DEFAULT_MAX_PODS));
        }
        return nodes;
    }

    private static QueueSpec queue(String name, String parent, int weight, int gpus) {
        return new QueueSpec(name, parent, weight, List.of(new QuotaLimit(QuotaResource.GPU, gpus * 1000L,
                QuotaLimit.UNLIMITED, QuotaLimit.UNLIMITED)), ReclaimPolicy.LOWER_OR_EQUAL_PRIORITY,
                WithinQueuePolicy.LOWER_PRIORITY);
    }

    /** The queues, as {@code docs/multi-tenancy.md} writes them in YAML. */
    public static List<QueueSpec> queues() {
        return List.of(queue("research", "", 2, 192), queue("team-a", "research", 2, 96),
                queue("team-b", "research", 1, 96), queue("prod", "", 1, 96), queue("batch", "", 1, 32));
    }

    /** One kind of pod a team sends: its share of the team's pods, size, gang size, priority, mean run time. */
    private record Kind(double weight, int gpus, int milli, int members, int priority, long meanMinutes) {
        double gpuMinutes() {
            return (double) gpus * milli / 1000.0 * members * meanMinutes;
        }
    }

    private record Team(String queue, int guaranteedGpus, double load, double activeFrom, List<Kind> kinds) {
    }

    private static final List<Team> TEAMS = List.of(
            new Team("team-a", 96, 1.6, 0, List.of(new Kind(0.45, 1, 1000, 1, 0, 60), new Kind(0.10, 1, 1000, 1, 50, 60),
                    new Kind(0.25, 4, 1000, 1, 0, 120), new Kind(0.20, 8, 1000, 3, 0, 240))),
            new Team("team-b", 96, 0.6, 0, List.of(new Kind(0.4, 1, 500, 1, 0, 30), new Kind(0.4, 1, 1000, 1, 0, 60),
                    new Kind(0.2, 2, 1000, 1, 0, 90))),
            new Team("prod", 96, 1.2, 1.0 / 3, List.of(new Kind(0.85, 1, 1000, 1, 100, 120),
                    new Kind(0.15, 8, 1000, 2, 100, 180))),
            new Team("batch", 32, 3.0, 0, List.of(new Kind(0.8, 1, 1000, 1, -10, 30),
                    new Kind(0.2, 8, 1000, 1, -10, 60))));

    public static TimedTrace trace(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TimedPod> pods = new ArrayList<>();
        int job = 0;
        for (Team team : TEAMS) {
            double[][] ownerMinutes = new double[team.kinds().size()][OWNERS_PER_KIND];
            for (int k = 0; k < ownerMinutes.length; k++) {
                for (int o = 0; o < OWNERS_PER_KIND; o++) {
                    ownerMinutes[k][o] = team.kinds().get(k).meanMinutes() * logNormal(random, OWNER_SPREAD);
                }
            }
            double meanGpuMinutes = 0;
            for (Kind k : team.kinds()) {
                meanGpuMinutes += k.weight() * k.gpuMinutes();
            }
            long from = Math.round(SPAN_MILLIS * team.activeFrom());
            // jobs per millisecond so that GPU time offered = load × guarantee over the team's active span
            double rate = team.load() * team.guaranteedGpus() / (meanGpuMinutes * 60_000.0);
            for (double t = from + exponential(random, 1 / rate); t < SPAN_MILLIS;
                    t += exponential(random, 1 / rate)) {
                int k = pick(random, team.kinds());
                Kind kind = team.kinds().get(k);
                int owner = random.nextInt(OWNERS_PER_KIND);
                long duration = Math.max(300_000, Math.round(ownerMinutes[k][owner] * 60_000.0
                        * logNormal(random, RUN_SPREAD)));
                Long expected = random.nextDouble() < ESTIMATED_SHARE
                        ? Math.round(duration / 1000.0 * (1 + random.nextDouble())) : null;
                String base = team.queue() + "-" + (job++);
                GangSpec gang = kind.members() > 1 ? new GangSpec(base, kind.members(),
                        GangSpec.DEFAULT_TIMEOUT_SECONDS) : null;
                for (int m = 0; m < kind.members(); m++) {
                    long cpu = kind.milli() < 1000 ? 2_000 : 8_000L * kind.gpus();
                    long mem = kind.milli() < 1000 ? 16_384 : 65_536L * kind.gpus();
                    PodRequest pod = PodRequest.of(gang == null ? base : base + "-w" + m, cpu, mem, kind.gpus(),
                            kind.milli()).withPriority(kind.priority()).withAttribute(TenancyKeys.QUEUE, team.queue())
                            .withAttribute(TenancyKeys.OWNER, team.queue() + "/kind-" + k + "-owner-" + owner);
                    if (expected != null) {
                        pod = pod.withAttribute(TenancyKeys.EXPECTED_SECONDS, expected);
                    }
                    if (gang != null) {
                        pod = pod.withAttribute(TenancyKeys.GANG, gang);
                    }
                    pods.add(new TimedPod(pod, (long) t, duration));
                }
            }
        }
        pods.sort(Comparator.comparingLong(TimedPod::arrivalMillis));
        return new TimedTrace(NAME, pods, SPAN_MILLIS, List.of());
    }

    private static int pick(SplittableRandom random, List<Kind> kinds) {
        double x = random.nextDouble();
        for (int k = 0; k < kinds.size(); k++) {
            x -= kinds.get(k).weight();
            if (x < 0) {
                return k;
            }
        }
        return kinds.size() - 1;
    }

    /** A log-normal factor with mean 1 and this σ, so that offered load stays what the rates say. */
    private static double logNormal(SplittableRandom random, double sigma) {
        // Box–Muller: one standard normal from two uniforms
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) - sigma * sigma / 2);
    }

    private static double exponential(SplittableRandom random, double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }
}
