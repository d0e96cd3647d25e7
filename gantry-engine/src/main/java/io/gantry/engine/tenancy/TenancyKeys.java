package io.gantry.engine.tenancy;

import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;

/** What a pod carries for the multi-tenant plugins: its queue, its gang, whether it may preempt. */
public final class TenancyKeys {

    /** The leaf queue the pod is admitted through; a pod without it goes to {@link QueueSpec#DEFAULT_QUEUE}. */
    public static final PodAttributes.Key<String> QUEUE = PodAttributes.Key.of("queue", String.class);
    /** The pod's gang (PodGroup), if it has one. */
    public static final PodAttributes.Key<GangSpec> GANG = PodAttributes.Key.of("gang", GangSpec.class);
    /** Present (true) when the pod's preemptionPolicy is Never: it waits rather than evicts anyone. */
    public static final PodAttributes.Key<Boolean> PREEMPT_NEVER = PodAttributes.Key.of("preemptNever", Boolean.class);

    private TenancyKeys() {
    }

    public static String queueOf(PodRequest pod) {
        String q = pod.attributes().getOrNull(QUEUE);
        return q == null ? QueueSpec.DEFAULT_QUEUE : q;
    }

    /** The pod's gang, or null. */
    public static GangSpec gangOf(PodRequest pod) {
        return pod.attributes().getOrNull(GANG);
    }

    public static boolean mayPreempt(PodRequest pod) {
        return !Boolean.TRUE.equals(pod.attributes().getOrNull(PREEMPT_NEVER));
    }
}
