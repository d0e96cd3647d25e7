package io.gantry.kube.model;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.PodRequest;

/** What a pod asks, read from its spec: a request the engine can place, or why the pod asks something invalid. */
public sealed interface PodDemand {

    record Valid(PodRequest request) implements PodDemand {
        public Valid {
            requireNonNull(request, "request");
        }
    }

    /** The pod cannot be scheduled as written; {@code problem} says what is wrong and how to fix it. */
    record Invalid(String problem) implements PodDemand {
        public Invalid {
            requireNonNull(problem, "problem");
        }
    }
}
