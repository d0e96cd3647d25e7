package io.gantry.kube.model;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.Optional;

/** Where the translator looks up a pod's claims, their volumes and storage classes (informer caches in a cluster). */
public interface VolumeCatalog {

    Optional<PersistentVolumeClaim> claim(String namespace, String name);

    Optional<PersistentVolume> volume(String name);

    Optional<StorageClass> storageClass(String name);
}
