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

    /**
     * Who runs the pod again and again (a Job, a Deployment, a training recipe): run times are learnt per owner and
     * queue. Absent: the pod's name without a trailing index ({@link #ownerOf}).
     */
    public static final PodAttributes.Key<String> OWNER = PodAttributes.Key.of("owner", String.class);
    /** The run time the pod's author expects, in seconds ({@code gantry.io/expected-duration}). */
    public static final PodAttributes.Key<Long> EXPECTED_SECONDS = PodAttributes.Key.of("expectedSeconds",
            Long.class);

    /**
     * A gang member probed alone (its {@link #GANG} taken off, so that the gang's all-at-once room check does not
     * answer for it): which gang it belongs to, for plugins that still need to know.
     */
    static final PodAttributes.Key<GangSpec> PROBED_MEMBER_OF = PodAttributes.Key.of("probedMemberOf",
            GangSpec.class);

    private TenancyKeys() {
    }

    public static String queueOf(PodRequest pod) {
        String q = pod.attributes().getOrNull(QUEUE);
        return q == null ? QueueSpec.DEFAULT_QUEUE : q;
    }

    /** A gang member as a pod alone, for "would one member fit here" probes. */
    static PodRequest probedAlone(PodRequest member) {
        GangSpec gang = gangOf(member);
        return gang == null ? member : member.withoutAttribute(GANG).withAttribute(PROBED_MEMBER_OF, gang);
    }

    /** The gang of a pod, or of the member a probe stands for; null if none. */
    static GangSpec gangOrProbedOf(PodRequest pod) {
        GangSpec gang = gangOf(pod);
        return gang != null ? gang : pod.attributes().getOrNull(PROBED_MEMBER_OF);
    }

    /** The pod's gang, or null. */
    public static GangSpec gangOf(PodRequest pod) {
        return pod.attributes().getOrNull(GANG);
    }

    public static boolean mayPreempt(PodRequest pod) {
        return !Boolean.TRUE.equals(pod.attributes().getOrNull(PREEMPT_NEVER));
    }

    /**
     * The pod's owner, or its name less a trailing "-index" (or "-w3", as gang members are named), so that the pods
     * of one Job or gang share one owner when nothing names it.
     */
    public static String ownerOf(PodRequest pod) {
        String owner = pod.attributes().getOrNull(OWNER);
        if (owner != null) {
            return owner;
        }
        String name = pod.name();
        int dash = name.lastIndexOf('-');
        return dash > 0 && dash < name.length() - 1 && isIndex(name.substring(dash + 1)) ? name.substring(0, dash)
                : name;
    }

    private static boolean isIndex(String s) {
        int from = s.charAt(0) == 'w' && s.length() > 1 ? 1 : 0;
        for (int i = from; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
