package io.gantry.kube.model;

import java.util.Map;
import java.util.Optional;

/**
 * What a pod's queue and gang are looked up in: the namespaces' default queues, the Queue objects that exist and the
 * PodGroups, as the scheduler's watches last saw them. Read on the scheduling loop's thread.
 */
public interface TenancyCatalog {

    /** The label that names a pod's queue, and on a Namespace the default queue of its pods. */
    String QUEUE_LABEL = "gantry.io/queue";
    /** scheduler-plugins' label that makes a pod a member of the PodGroup it names (in the pod's namespace). */
    String POD_GROUP_LABEL = "scheduling.x-k8s.io/pod-group";

    /** A PodGroup annotation naming the node label whose value every member must share (Kueue's "required"). */
    String REQUIRED_TOPOLOGY = "gantry.io/required-topology";
    /** A PodGroup annotation naming the node label whose domains the members should pack into, as few as fit. */
    String PREFERRED_TOPOLOGY = "gantry.io/preferred-topology";

    /**
     * A PodGroup's spec as Gantry reads it; {@code minResources} as written (resource name → quantity);
     * {@code topologyKey} from its topology annotation ("" for none).
     */
    record PodGroupSpec(String namespace, String name, int minMember, long scheduleTimeoutSeconds,
            Map<String, String> minResources, String topologyKey, boolean topologyRequired) {
        public PodGroupSpec {
            java.util.Objects.requireNonNull(namespace, "namespace");
            java.util.Objects.requireNonNull(name, "name");
            minResources = Map.copyOf(java.util.Objects.requireNonNull(minResources, "minResources"));
            java.util.Objects.requireNonNull(topologyKey, "topologyKey");
        }

        public PodGroupSpec(String namespace, String name, int minMember, long scheduleTimeoutSeconds,
                Map<String, String> minResources) {
            this(namespace, name, minMember, scheduleTimeoutSeconds, minResources, "", false);
        }

        public String key() {
            return namespace + "/" + name;
        }
    }

    /** The queue the namespace's label names, if any. */
    Optional<String> namespaceQueue(String namespace);

    /**
     * Why pods cannot be admitted through this queue (it does not exist, its Queue object is invalid, or it has child
     * queues: pods go to leaf queues); empty when they can. The default queue always can.
     */
    Optional<String> queueProblem(String name);

    /** The PodGroup, if it exists; empty also when it exists but cannot be read (its problem is reported on it). */
    Optional<PodGroupSpec> podGroup(String namespace, String name);

    /** Why the PodGroup cannot be used, when it exists but is invalid; empty otherwise. */
    Optional<String> podGroupProblem(String namespace, String name);
}
