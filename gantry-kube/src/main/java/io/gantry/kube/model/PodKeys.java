package io.gantry.kube.model;

import io.fabric8.kubernetes.api.model.Pod;

/** Pods are known to the engine as {@code namespace/name}, as kubectl and events name them. */
public final class PodKeys {

    private PodKeys() {
    }

    public static String key(Pod pod) {
        return key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    }

    public static String key(String namespace, String name) {
        return (namespace == null ? "default" : namespace) + "/" + name;
    }

    public static String namespace(String key) {
        return key.substring(0, key.indexOf('/'));
    }

    public static String name(String key) {
        return key.substring(key.indexOf('/') + 1);
    }
}
