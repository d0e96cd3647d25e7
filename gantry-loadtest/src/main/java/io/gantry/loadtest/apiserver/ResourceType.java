package io.gantry.loadtest.apiserver;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A kind of object the API server stores: where it lives in the URL space, whether it is namespaced, which field
 * selectors it accepts, and which of those are indexed (answered without a scan).
 */
public record ResourceType(String group, String version, String plural, String kind, boolean namespaced,
        Set<String> selectableFields, List<String> indexedFields) {

    public ResourceType {
        requireNonNull(group, "group");
        requireNonNull(version, "version");
        requireNonNull(plural, "plural");
        requireNonNull(kind, "kind");
        selectableFields = Set.copyOf(selectableFields);
        indexedFields = List.copyOf(indexedFields);
    }

    public static final ResourceType PODS = new ResourceType("", "v1", "pods", "Pod", true,
            Set.of("metadata.name", "metadata.namespace", "spec.nodeName", "spec.schedulerName", "status.phase"),
            List.of("spec.nodeName", "spec.schedulerName"));
    public static final ResourceType NODES = new ResourceType("", "v1", "nodes", "Node", false,
            Set.of("metadata.name", "spec.unschedulable"), List.of());
    public static final ResourceType EVENTS = new ResourceType("", "v1", "events", "Event", true,
            Set.of("metadata.name", "metadata.namespace", "involvedObject.name", "involvedObject.kind", "reason",
                    "type"), List.of());
    public static final ResourceType NAMESPACES = new ResourceType("", "v1", "namespaces", "Namespace", false,
            Set.of("metadata.name"), List.of());
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "leases", "Lease", true,
            Set.of("metadata.name", "metadata.namespace"), List.of());

    /** What the scheduler watches to check pods' volumes (empty in the load test, but served). */
    public static final ResourceType CLAIMS = new ResourceType("", "v1", "persistentvolumeclaims",
            "PersistentVolumeClaim", true, Set.of("metadata.name", "metadata.namespace"), List.of());
    public static final ResourceType VOLUMES = new ResourceType("", "v1", "persistentvolumes", "PersistentVolume",
            false, Set.of("metadata.name"), List.of());
    public static final ResourceType STORAGE_CLASSES = new ResourceType("storage.k8s.io", "v1", "storageclasses",
            "StorageClass", false, Set.of("metadata.name"), List.of());

    /**
     * The multi-tenancy custom resources Gantry watches as generic resources (deploy/manifests/crds/): Queues are
     * cluster-scoped, PodGroups live in their pods' namespace. Served as any other type (list, watch, get, create,
     * update, patch, the status subresource, delete); their spec is not validated here, the scheduler does that.
     */
    public static final ResourceType QUEUES = new ResourceType("scheduling.gantry.io", "v1alpha1", "queues", "Queue",
            false, Set.of("metadata.name"), List.of());
    public static final ResourceType POD_GROUPS = new ResourceType("scheduling.x-k8s.io", "v1alpha1", "podgroups",
            "PodGroup", true, Set.of("metadata.name", "metadata.namespace"), List.of());

    /** Every type this server serves. */
    public static final List<ResourceType> ALL = List.of(PODS, NODES, EVENTS, NAMESPACES, LEASES, CLAIMS, VOLUMES,
            STORAGE_CLASSES, QUEUES, POD_GROUPS);

    /** {@code v1} for the core group, {@code group/version} otherwise. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public static Optional<ResourceType> find(String group, String version, String plural) {
        return ALL.stream().filter(t -> t.group.equals(group) && t.version.equals(version)
                && t.plural.equals(plural)).findFirst();
    }

    public static Optional<ResourceType> byKind(String apiVersion, String kind) {
        return ALL.stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind.equals(kind)).findFirst();
    }
}
