package io.gantry.kube.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.engine.PodRequest;

/** What {@link PodTranslator} makes of a pod, asserted to be valid or invalid: for the translator tests. */
final class Translated {

    private Translated() {
    }

    static PodRequest valid(Pod pod) {
        PodDemand d = PodTranslator.translate(pod);
        assertThat(d).isInstanceOf(PodDemand.Valid.class);
        return ((PodDemand.Valid) d).request();
    }

    static String invalid(Pod pod) {
        PodDemand d = PodTranslator.translate(pod);
        assertThat(d).isInstanceOf(PodDemand.Invalid.class);
        return ((PodDemand.Invalid) d).problem();
    }
}
