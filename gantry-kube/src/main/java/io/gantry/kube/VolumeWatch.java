package io.gantry.kube;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.gantry.kube.model.VolumeCatalog;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Informers on PersistentVolumeClaims, PersistentVolumes and StorageClasses: the {@link VolumeCatalog} the pod
 * translator reads a pod's volume topology from. When a claim, volume or class changes, the pending pods that use it
 * are handed to the scheduling loop again ({@link #onChange}), so a pod waiting for its claim to bind is translated
 * afresh and retried, as kube-scheduler requeues on PVC/PV events.
 */
final class VolumeWatch implements VolumeCatalog, AutoCloseable {

    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final SharedIndexInformer<StorageClass> classes;
    private volatile Supplier<List<Pod>> pods = List::of;
    private volatile Consumer<Pod> podChanged = p -> { };

    private VolumeWatch(KubernetesClient client) {
        SharedIndexInformer<PersistentVolumeClaim> c = null;
        SharedIndexInformer<PersistentVolume> v = null;
        try {
            c = client.persistentVolumeClaims().inAnyNamespace().inform(handler(this::claimChanged), 0);
            v = client.persistentVolumes().inform(handler(this::volumeChanged), 0);
            classes = client.storage().v1().storageClasses().inform(handler(sc -> refeed(p -> true)), 0);
        } catch (RuntimeException e) {
            if (c != null) {
                c.close();
            }
            if (v != null) {
                v.close();
            }
            throw e;
        }
        claims = c;
        volumes = v;
    }

    /** Starts the informers; returns once they have their initial lists. */
    static VolumeWatch start(KubernetesClient client) {
        return new VolumeWatch(requireNonNull(client, "client"));
    }

    /** Where pending pods come from and where they go when a volume they use changes. */
    void onChange(Supplier<List<Pod>> allPods, Consumer<Pod> changed) {
        this.pods = requireNonNull(allPods, "allPods");
        this.podChanged = requireNonNull(changed, "changed");
    }

    @Override
    public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
        return Optional.ofNullable(claims.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    @Override
    public Optional<PersistentVolume> volume(String name) {
        return Optional.ofNullable(volumes.getStore().getByKey(name));
    }

    @Override
    public Optional<StorageClass> storageClass(String name) {
        return Optional.ofNullable(classes.getStore().getByKey(name));
    }

    private void claimChanged(PersistentVolumeClaim claim) {
        String ns = claim.getMetadata().getNamespace();
        String name = claim.getMetadata().getName();
        refeed(p -> ns.equals(p.getMetadata().getNamespace()) && uses(p, name));
    }

    private void volumeChanged(PersistentVolume pv) {
        var ref = pv.getSpec() == null ? null : pv.getSpec().getClaimRef();
        if (ref != null && ref.getNamespace() != null && ref.getName() != null) {
            refeed(p -> ref.getNamespace().equals(p.getMetadata().getNamespace()) && uses(p, ref.getName()));
        } else {
            // A volume bound by name from the claim's side: retry every pending pod that has claims.
            refeed(p -> true);
        }
    }

    private static boolean uses(Pod pod, String claim) {
        return pod.getSpec().getVolumes().stream().anyMatch(v -> (v.getPersistentVolumeClaim() != null
                && claim.equals(v.getPersistentVolumeClaim().getClaimName()))
                || (v.getEphemeral() != null && claim.equals(pod.getMetadata().getName() + "-" + v.getName())));
    }

    /** Hands the pending pods with claims that pass {@code which} to the loop again. */
    private void refeed(Predicate<Pod> which) {
        for (Pod p : pods.get()) {
            boolean pending = p.getSpec() != null && (p.getSpec().getNodeName() == null
                    || p.getSpec().getNodeName().isEmpty());
            if (pending && p.getSpec().getVolumes() != null && !p.getSpec().getVolumes().isEmpty() && which.test(p)) {
                podChanged.accept(p);
            }
        }
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed.accept(obj);
            }
        };
    }

    @Override
    public void close() {
        claims.close();
        volumes.close();
        classes.close();
    }
}
