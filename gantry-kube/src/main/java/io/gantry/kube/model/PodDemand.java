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

    /**
     * The pod cannot be scheduled as it is; {@code problem} says what is wrong and how to fix it, {@code heading} what
     * kind of problem it is (the words before the problem in events: "invalid GPU request", or "waiting for its queue
     * or pod group" for a pod whose Queue or PodGroup does not exist yet).
     */
    record Invalid(String problem, String heading) implements PodDemand {
        public static final String GPU_REQUEST = "invalid GPU request";

        public Invalid {
            requireNonNull(problem, "problem");
            requireNonNull(heading, "heading");
        }

        public Invalid(String problem) {
            this(problem, GPU_REQUEST);
        }

        /** The message written on the pod. */
        public String message() {
            return heading + ": " + problem;
        }
    }
}
