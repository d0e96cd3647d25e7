package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.engine.Status;
import io.gantry.engine.plugins.BindPlugin;
import io.gantry.kube.model.PodKeys;
import io.gantry.kube.scheduling.KubeApi.BindOutcome;
import io.gantry.kube.scheduling.KubeApi.BindResult;
import java.util.List;

/**
 * The engine's Bind extension point in Kubernetes: the {@code pods/{name}/binding} call, the chosen GPUs as the
 * Binding's annotations, the pod's UID (from the pod's {@link #UID} attribute) as precondition. Runs on a binding
 * worker; the API server's answer comes back as the status's reason, so the binding cycle can tell a conflict (409)
 * and a pod gone (404) from an error worth retrying.
 */
final class ApiBinding implements BindPlugin {

    static final String NAME = "ApiBinding";
    /** The pod's UID, which the Binding carries as precondition. */
    static final PodAttributes.Key<String> UID = PodAttributes.Key.of("ApiBinding.uid", String.class);

    private final KubeApi api;

    ApiBinding(KubeApi api) {
        this.api = requireNonNull(api, "api");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status bind(PodRequest pod, GpuAllocation allocation) {
        BindResult r;
        try {
            r = api.bind(PodKeys.namespace(pod.name()), PodKeys.name(pod.name()), pod.attributes().getOrNull(UID),
                    allocation);
        } catch (RuntimeException e) {
            r = new BindResult(BindOutcome.ERROR, 0, String.valueOf(e));
        }
        if (r.outcome() == BindOutcome.BOUND) {
            return Status.SUCCESS;
        }
        return new Status(Status.Code.ERROR, NAME, List.of(Reason.unresolvable(r.outcome().name() + ":" + r.code(),
                r.message())), 0);
    }

    /** What a bind status came to, in the binding cycle's terms; a failure of another plugin is an error. */
    static BindResult outcome(Status status) {
        if (status.isSuccess()) {
            return new BindResult(BindOutcome.BOUND, 201, "");
        }
        if (NAME.equals(status.plugin()) && status.reasons().size() == 1) {
            Reason r = status.reasons().get(0);
            String[] parts = r.code().split(":", 2);
            try {
                return new BindResult(BindOutcome.valueOf(parts[0]), Integer.parseInt(parts[1]), r.message());
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                // not one of ours: an error below
            }
        }
        return new BindResult(BindOutcome.ERROR, 0, (status.plugin().isEmpty() ? "" : status.plugin() + ": ")
                + status.message());
    }
}
