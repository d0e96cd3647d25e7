package io.gantry.kube.model;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;
import io.gantry.engine.tenancy.GangSpec;
import io.gantry.engine.tenancy.QueueObjects;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.TenancyKeys;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * A pod's queue, gang and preemption policy as the engine's tenancy plugins read them ({@link TenancyKeys}): the
 * queue from the pod's label {@code gantry.io/queue}, else its namespace's label, else the default queue; the gang
 * from the label {@code scheduling.x-k8s.io/pod-group} and that PodGroup's {@code minMember} and
 * {@code scheduleTimeoutSeconds}; {@code preemptionPolicy: Never}. (The priority is the pod's {@code spec.priority},
 * which the API server resolved from the PriorityClass; {@link PodTranslator} reads it.)
 */
public final class TenancyTranslator {

    /** The heading of the message on a pod held for its queue or PodGroup. */
    public static final String HELD = "waiting for its queue or pod group";

    private TenancyTranslator() {
    }

    /** A pod waiting to be scheduled: a queue or PodGroup that is missing or unusable holds it, with the reason. */
    static PodRequest pending(PodRequest request, String preemptionPolicy, Map<String, BigDecimal> asks,
            TenancyCatalog catalog) {
        requireNonNull(catalog, "catalog");
        String namespace = PodKeys.namespace(request.name());
        Map<String, String> labels = request.labels();
        String labelled = labels.get(TenancyCatalog.QUEUE_LABEL);
        Optional<String> inherited = labelled == null ? catalog.namespaceQueue(namespace) : Optional.empty();
        String queue = labelled != null ? labelled : inherited.orElse(QueueSpec.DEFAULT_QUEUE);
        Optional<String> problem = catalog.queueProblem(queue);
        if (problem.isPresent()) {
            String from = labelled != null ? "the pod's label " + TenancyCatalog.QUEUE_LABEL
                    : "namespace " + namespace + "'s label " + TenancyCatalog.QUEUE_LABEL;
            throw new PodTranslator.HeldPodException("queue " + queue + " (from " + from + ") " + problem.get(), HELD);
        }
        PodRequest out = request.withAttribute(TenancyKeys.QUEUE, queue);
        String group = labels.get(TenancyCatalog.POD_GROUP_LABEL);
        if (group != null) {
            String key = namespace + "/" + group;
            Optional<String> bad = catalog.podGroupProblem(namespace, group);
            if (bad.isPresent()) {
                throw new PodTranslator.HeldPodException("PodGroup " + key + " (label "
                        + TenancyCatalog.POD_GROUP_LABEL + "): " + bad.get(), HELD);
            }
            TenancyCatalog.PodGroupSpec spec = catalog.podGroup(namespace, group).orElseThrow(() ->
                    new PodTranslator.HeldPodException("PodGroup " + key + " (label " + TenancyCatalog.POD_GROUP_LABEL
                            + ") does not exist yet; the pod waits for it, as members of a gang are never bound"
                            + " alone (create the PodGroup, or remove the label)", HELD));
            minResources(spec, asks);
            out = out.withAttribute(TenancyKeys.GANG, gang(spec));
        }
        if ("Never".equals(preemptionPolicy)) {
            out = out.withAttribute(TenancyKeys.PREEMPT_NEVER, Boolean.TRUE);
        }
        return out;
    }

    /**
     * A pod already placed: charged to the queue it names (a queue that does not exist counts against nothing) and
     * counted in its gang when its PodGroup is known. Nothing holds it: it is bound.
     */
    public static PodRequest placed(PodRequest request, TenancyCatalog catalog) {
        requireNonNull(request, "request");
        requireNonNull(catalog, "catalog");
        String namespace = PodKeys.namespace(request.name());
        Map<String, String> labels = request.labels();
        String queue = labels.containsKey(TenancyCatalog.QUEUE_LABEL) ? labels.get(TenancyCatalog.QUEUE_LABEL)
                : catalog.namespaceQueue(namespace).orElse(QueueSpec.DEFAULT_QUEUE);
        PodRequest out = queue.equals(request.attributes().getOrNull(TenancyKeys.QUEUE)) ? request
                : request.withAttribute(TenancyKeys.QUEUE, queue);
        String group = labels.get(TenancyCatalog.POD_GROUP_LABEL);
        Optional<TenancyCatalog.PodGroupSpec> spec = group == null ? Optional.empty()
                : catalog.podGroup(namespace, group);
        if (spec.isPresent() && !gang(spec.get()).equals(out.attributes().getOrNull(TenancyKeys.GANG))) {
            out = out.withAttribute(TenancyKeys.GANG, gang(spec.get()));
        }
        return out;
    }

    /**
     * A PodGroup's {@code minResources} is honoured through its members: Gantry binds no member until
     * {@code minMember} of them fit at once, so the gang's room is the members' own requests. A PodGroup asking
     * more than {@code minMember} members of this shape request (Trainer and KubeRay set exactly their sum) cannot
     * be honoured so, and holds the pod with the reason rather than being ignored.
     */
    private static void minResources(TenancyCatalog.PodGroupSpec spec, Map<String, BigDecimal> asks) {
        for (Map.Entry<String, String> e : spec.minResources().entrySet()) {
            BigDecimal want;
            try {
                want = QueueObjects.quantity(e.getValue(), "minResources." + e.getKey());
            } catch (IllegalArgumentException ex) {
                throw new PodTranslator.HeldPodException("PodGroup " + spec.key() + ": " + ex.getMessage(), HELD);
            }
            BigDecimal have = asks.getOrDefault(e.getKey(), BigDecimal.ZERO)
                    .multiply(BigDecimal.valueOf(spec.minMember()));
            if (want.compareTo(have) > 0) {
                throw new PodTranslator.HeldPodException("PodGroup " + spec.key() + " asks minResources "
                        + e.getKey() + "=" + e.getValue() + ", but its minMember " + spec.minMember()
                        + " members of this pod's shape request " + have.stripTrailingZeros().toPlainString()
                        + "; Gantry admits a gang by its members' own requests and reserves nothing beyond them:"
                        + " lower minResources to what minMember members request, or remove it", HELD);
            }
        }
    }

    static GangSpec gang(TenancyCatalog.PodGroupSpec spec) {
        GangSpec gang = new GangSpec(spec.key(), spec.minMember(), spec.scheduleTimeoutSeconds());
        return spec.topologyKey().isEmpty() ? gang : gang.withTopology(spec.topologyKey(), spec.topologyRequired());
    }
}
