package io.gantry.kube.model;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.gantry.engine.placement.NodeSelectorTerm;
import io.gantry.engine.plugins.VolumeTopology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pod's PersistentVolumeClaims (and generic ephemeral volumes) as {@link VolumeTopology.Volumes}: each bound claim's
 * PersistentVolume with its node affinity and zone labels; each claim that cannot be placed yet as a blocker worded as
 * kube-scheduler's VolumeBinding words it. Gantry does not bind volumes, so a claim of a WaitForFirstConsumer storage
 * class that is still unbound is reported as unsupported instead of being ignored.
 */
public final class VolumeTranslator {

    /** The PV labels kube-scheduler's VolumeZone matches against the node's labels. */
    static final List<String> ZONE_LABELS = List.of("topology.kubernetes.io/zone", "topology.kubernetes.io/region",
            "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region");

    private VolumeTranslator() {
    }

    /** Null when the pod uses no claim. */
    static VolumeTopology.Volumes volumes(Pod pod, VolumeCatalog catalog) {
        List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        List<VolumeTopology.BoundVolume> bound = new ArrayList<>();
        Set<String> blockers = new LinkedHashSet<>();
        boolean any = false;
        for (Volume v : volumes) {
            String claimName;
            boolean ephemeral = false;
            if (v.getPersistentVolumeClaim() != null) {
                claimName = v.getPersistentVolumeClaim().getClaimName();
            } else if (v.getEphemeral() != null) {
                claimName = pod.getMetadata().getName() + "-" + v.getName();
                ephemeral = true;
            } else {
                continue;
            }
            any = true;
            Optional<PersistentVolumeClaim> found = catalog.claim(ns, claimName);
            if (found.isEmpty()) {
                blockers.add(ephemeral ? "waiting for ephemeral volume controller to create the persistentvolumeclaim \""
                        + claimName + "\"" : "persistentvolumeclaim \"" + claimName + "\" not found");
                continue;
            }
            PersistentVolumeClaim claim = found.get();
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                blockers.add("persistentvolumeclaim \"" + claimName + "\" is being deleted");
                continue;
            }
            String pvName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
            if (pvName == null || pvName.isEmpty()) {
                blockers.add(unbound(ns, claimName, claim, catalog));
                continue;
            }
            Optional<PersistentVolume> pv = catalog.volume(pvName);
            if (pv.isEmpty()) {
                blockers.add("persistentvolume \"" + pvName + "\" not found");
                continue;
            }
            bound.add(boundVolume(pv.get()));
        }
        return any ? new VolumeTopology.Volumes(bound, List.copyOf(blockers)) : null;
    }

    private static String unbound(String ns, String claimName, PersistentVolumeClaim claim, VolumeCatalog catalog) {
        String className = claim.getSpec() == null ? null : claim.getSpec().getStorageClassName();
        Optional<StorageClass> sc = className == null || className.isEmpty() ? Optional.empty()
                : catalog.storageClass(className);
        if (sc.isPresent() && "WaitForFirstConsumer".equals(sc.get().getVolumeBindingMode())) {
            return "claim " + ns + "/" + claimName + " of storage class " + className
                    + " (volumeBindingMode: WaitForFirstConsumer) is unbound, and Gantry does not bind volumes; "
                    + "bind the claim to a PersistentVolume first, use a storage class with volumeBindingMode: "
                    + "Immediate, or leave the pod to kube-scheduler";
        }
        return "pod has unbound immediate PersistentVolumeClaims";
    }

    private static VolumeTopology.BoundVolume boundVolume(PersistentVolume pv) {
        List<NodeSelectorTerm> terms = new ArrayList<>();
        var affinity = pv.getSpec() == null ? null : pv.getSpec().getNodeAffinity();
        if (affinity != null && affinity.getRequired() != null) {
            for (var term : affinity.getRequired().getNodeSelectorTerms()) {
                terms.add(new NodeSelectorTerm(PodTranslator.requirements(term.getMatchExpressions()),
                        PodTranslator.requirements(term.getMatchFields())));
            }
            if (terms.isEmpty()) {
                // A required node affinity without terms matches no node, as in Kubernetes.
                terms.add(new NodeSelectorTerm(List.of(), List.of()));
            }
        }
        Map<String, Set<String>> zones = new HashMap<>();
        Map<String, String> labels = pv.getMetadata().getLabels() == null ? Map.of() : pv.getMetadata().getLabels();
        for (String key : ZONE_LABELS) {
            String value = labels.get(key);
            if (value != null) {
                // Multi-zone volumes list their zones joined by "__".
                zones.put(key, Set.copyOf(Arrays.asList(value.split("__"))));
            }
        }
        return new VolumeTopology.BoundVolume(pv.getMetadata().getName(), terms, zones);
    }
}
