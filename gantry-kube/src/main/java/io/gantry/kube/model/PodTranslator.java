package io.gantry.kube.model;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.gantry.contract.ContainerGpuRequest;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.PodGpuDemand;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.PodRequest;
import io.gantry.engine.placement.NodePlacement;
import io.gantry.engine.placement.NodeSelectorRequirement;
import io.gantry.engine.placement.NodeSelectorTerm;
import io.gantry.engine.placement.Taint;
import io.gantry.engine.placement.Toleration;
import io.gantry.engine.plugins.VolumeTopology;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads what a pod asks: CPU and memory requests as kube-scheduler computes them (the sum over containers, at least
 * the largest init container, plus overhead), whole GPUs from {@code nvidia.com/gpu}, a share from
 * {@code gantry.io/gpu-milli}, the model constraint annotation, nodeSelector, required node affinity and
 * tolerations; inter-pod affinity, topology spread and host ports ({@link ConstraintTranslator}) and, given a
 * {@link VolumeCatalog}, the topology of its claims' volumes ({@link VolumeTranslator}). Anything malformed or
 * impossible becomes {@link PodDemand.Invalid} with the reason.
 */
public final class PodTranslator {

    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");

    private PodTranslator() {
    }

    /**
     * What the pod asks, its volumes not included: for hosts where someone else checks them (kube-scheduler's
     * VolumeBinding, in extender mode).
     */
    public static PodDemand translate(Pod pod) {
        return translate(pod, null);
    }

    /** What the pod asks, with the topology of its claims' volumes looked up in {@code volumes}. */
    public static PodDemand translate(Pod pod, VolumeCatalog volumes) {
        return translate(pod, volumes, null);
    }

    /**
     * What a pending pod asks, with its volumes' topology and, given a {@link TenancyCatalog}, its queue, gang and
     * preemption policy ({@link TenancyTranslator}); a queue or PodGroup that is missing holds it with the reason.
     */
    public static PodDemand translate(Pod pod, VolumeCatalog volumes, TenancyCatalog tenancy) {
        try {
            PodRequest request = request(pod, volumes);
            if (tenancy != null) {
                request = TenancyTranslator.pending(request, pod.getSpec().getPreemptionPolicy(),
                        totals(pod.getSpec()), tenancy);
            }
            return new PodDemand.Valid(request);
        } catch (HeldPodException e) {
            return new PodDemand.Invalid(e.getMessage(), e.heading);
        } catch (InvalidPodException e) {
            return new PodDemand.Invalid(e.getMessage());
        }
    }

    /**
     * The request of a pod already running somewhere (its spec is fixed; its volumes are where they are); throws
     * when it cannot be read.
     */
    public static PodRequest request(Pod pod) {
        return request(pod, null);
    }

    private static PodRequest request(Pod pod, VolumeCatalog volumes) {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            throw new InvalidPodException("pod has no spec");
        }
        String key = PodKeys.key(pod);
        long cpu = 0;
        long memBytes = 0;
        List<ContainerGpuRequest> gpuRequests = new ArrayList<>();
        for (Container c : list(spec.getContainers())) {
            cpu += milliCpu(c, "cpu");
            memBytes += bytes(c, "memory");
            gpuRequests.add(gpuRequest(c, false));
        }
        for (Container c : list(spec.getInitContainers())) {
            cpu = Math.max(cpu, milliCpu(c, "cpu"));
            memBytes = Math.max(memBytes, bytes(c, "memory"));
            gpuRequests.add(gpuRequest(c, true));
        }
        if (spec.getOverhead() != null) {
            cpu += milliCpu(spec.getOverhead().get("cpu"), "overhead cpu");
            memBytes += bytes(spec.getOverhead().get("memory"), "overhead memory");
        }
        // The count the node agent's per-container slices are cut from (ContainerSlices): one rule for both.
        PodGpuDemand gpuDemand;
        try {
            gpuDemand = PodGpuDemand.of(gpuRequests);
        } catch (IllegalArgumentException e) {
            throw new InvalidPodException(e.getMessage());
        }
        if (gpuDemand.gpus() > NodeSpec.MAX_GPUS) {
            throw new InvalidPodException(GpuAnnotations.GPU_RESOURCE + " is " + gpuDemand.gpus()
                    + "; no node has more than " + NodeSpec.MAX_GPUS + " GPUs");
        }
        int gpuCount = (int) gpuDemand.gpus();
        int gpuMilli = gpuDemand.milliPerGpu();
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        List<String> models = models(annotations == null ? null : annotations.get(GpuAnnotations.GPU_MODEL));
        if (!models.isEmpty() && gpuCount == 0) {
            throw new InvalidPodException("annotation " + GpuAnnotations.GPU_MODEL + " is set but the pod asks no GPU; "
                    + "add " + GpuAnnotations.GPU_RESOURCE + " or " + GpuAnnotations.GPU_MILLI_RESOURCE
                    + " to the container limits, or remove the annotation");
        }
        int priority = spec.getPriority() == null ? 0 : spec.getPriority();
        long memMib = (memBytes + (1L << 20) - 1) >> 20;
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        PodAttributes attributes = ConstraintTranslator.attributes(spec, PodKeys.namespace(key), labels);
        if (volumes != null) {
            VolumeTopology.Volumes claimed = VolumeTranslator.volumes(pod, volumes);
            if (claimed != null) {
                attributes = attributes.with(VolumeTopology.VOLUMES, claimed);
            }
        }
        return new PodRequest(key, cpu, memMib, gpuCount, gpuMilli, models, priority, labels, placement(spec),
                attributes);
    }

    /**
     * What the pod's containers ask per resource name, summed (a request, else the limit, as Kubernetes defaults
     * it): what a PodGroup's {@code minResources} is compared with.
     */
    static Map<String, BigDecimal> totals(PodSpec spec) {
        Map<String, BigDecimal> totals = new java.util.TreeMap<>();
        for (Container c : list(spec.getContainers())) {
            ResourceRequirements r = c.getResources();
            if (r == null) {
                continue;
            }
            java.util.Set<String> names = new java.util.TreeSet<>();
            if (r.getRequests() != null) {
                names.addAll(r.getRequests().keySet());
            }
            if (r.getLimits() != null) {
                names.addAll(r.getLimits().keySet());
            }
            for (String name : names) {
                Quantity q = r.getRequests() != null && r.getRequests().containsKey(name) ? r.getRequests().get(name)
                        : r.getLimits().get(name);
                totals.merge(name, numeric(q, "container " + c.getName() + " " + name), BigDecimal::add);
            }
        }
        return totals;
    }

    static List<String> models(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> models = new ArrayList<>();
        for (String part : value.split("\\|", -1)) {
            String m = part.trim();
            if (!MODEL.matcher(m).matches()) {
                throw new InvalidPodException("annotation " + GpuAnnotations.GPU_MODEL + "='" + value
                        + "' cannot be parsed: '" + m + "' is not a GPU model name; expected models separated by |, "
                        + "such as V100M16|V100M32 (values of the node label " + GpuAnnotations.GPU_PRODUCT_LABEL + ")");
            }
            models.add(m);
        }
        return models;
    }

    static NodePlacement placement(PodSpec spec) {
        Map<String, String> selector = spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
        List<NodeSelectorTerm> terms = new ArrayList<>();
        Affinity affinity = spec.getAffinity();
        if (affinity != null && affinity.getNodeAffinity() != null) {
            NodeSelector required = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
            if (required != null) {
                for (var term : list(required.getNodeSelectorTerms())) {
                    terms.add(new NodeSelectorTerm(requirements(term.getMatchExpressions()),
                            requirements(term.getMatchFields())));
                }
                if (terms.isEmpty()) {
                    throw new InvalidPodException("required node affinity has no nodeSelectorTerms; it matches no node");
                }
            }
        }
        List<Toleration> tolerations = new ArrayList<>();
        for (var t : list(spec.getTolerations())) {
            try {
                Toleration.Operator op = t.getOperator() == null || t.getOperator().isEmpty() || "Equal".equals(
                        t.getOperator()) ? Toleration.Operator.EQUAL : switch (t.getOperator()) {
                            case "Exists" -> Toleration.Operator.EXISTS;
                            default -> throw new IllegalArgumentException("unknown toleration operator '"
                                    + t.getOperator() + "'; expected Equal or Exists");
                        };
                Taint.Effect effect = t.getEffect() == null || t.getEffect().isEmpty() ? null
                        : Taint.Effect.parse(t.getEffect());
                tolerations.add(new Toleration(t.getKey(), op, t.getValue(), effect));
            } catch (IllegalArgumentException e) {
                throw new InvalidPodException("toleration " + t.getKey() + ": " + e.getMessage());
            }
        }
        if (selector.isEmpty() && terms.isEmpty() && tolerations.isEmpty()) {
            return NodePlacement.NONE;
        }
        return new NodePlacement(selector, terms, tolerations);
    }

    static List<NodeSelectorRequirement> requirements(
            List<io.fabric8.kubernetes.api.model.NodeSelectorRequirement> reqs) {
        List<NodeSelectorRequirement> out = new ArrayList<>();
        for (var r : list(reqs)) {
            try {
                out.add(new NodeSelectorRequirement(r.getKey(), NodeSelectorRequirement.Operator.parse(r.getOperator()),
                        r.getValues() == null ? List.of() : r.getValues()));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidPodException("node affinity: " + e.getMessage());
            }
        }
        return out;
    }

    private static Quantity quantity(Container c, String resource) {
        ResourceRequirements r = c.getResources();
        if (r == null) {
            return null;
        }
        // Kubernetes defaults a missing request to the limit.
        if (r.getRequests() != null && r.getRequests().containsKey(resource)) {
            return r.getRequests().get(resource);
        }
        return r.getLimits() == null ? null : r.getLimits().get(resource);
    }

    private static long milliCpu(Container c, String resource) {
        return milliCpu(quantity(c, resource), "container " + c.getName() + " " + resource);
    }

    private static long milliCpu(Quantity q, String what) {
        if (q == null) {
            return 0;
        }
        return numeric(q, what).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    private static long bytes(Container c, String resource) {
        return bytes(quantity(c, resource), "container " + c.getName() + " " + resource);
    }

    private static long bytes(Quantity q, String what) {
        if (q == null) {
            return 0;
        }
        return numeric(q, what).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    private static ContainerGpuRequest gpuRequest(Container c, boolean init) {
        return new ContainerGpuRequest(Objects.toString(c.getName(), ""), init,
                extended(c, GpuAnnotations.GPU_RESOURCE), extended(c, GpuAnnotations.GPU_MILLI_RESOURCE));
    }

    /** Extended resources are integers; Kubernetes requires requests to equal limits for them. */
    private static long extended(Container c, String resource) {
        ResourceRequirements r = c.getResources();
        if (r == null) {
            return 0;
        }
        Quantity limit = r.getLimits() == null ? null : r.getLimits().get(resource);
        Quantity request = r.getRequests() == null ? null : r.getRequests().get(resource);
        Quantity q = limit != null ? limit : request;
        if (q == null) {
            return 0;
        }
        BigDecimal v = numeric(q, "container " + c.getName() + " " + resource);
        if (v.signum() < 0 || v.stripTrailingZeros().scale() > 0) {
            throw new InvalidPodException("container " + c.getName() + " asks " + resource + ": " + q
                    + "; it must be a whole non-negative number");
        }
        if (limit != null && request != null && numeric(request, resource).compareTo(v) != 0) {
            throw new InvalidPodException("container " + c.getName() + " asks " + resource + " request " + request
                    + " but limit " + limit + "; for extended resources they must be equal");
        }
        return v.longValueExact();
    }

    private static BigDecimal numeric(Quantity q, String what) {
        try {
            return q.getNumericalAmount();
        } catch (RuntimeException e) {
            throw new InvalidPodException(what + ": '" + q + "' is not a valid quantity");
        }
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    /** A pod spec the scheduler cannot act on. */
    static class InvalidPodException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidPodException(String message) {
            super(message);
        }
    }

    /** A pod that waits for something outside it (its Queue, its PodGroup); {@code heading} names what. */
    static final class HeldPodException extends InvalidPodException {
        private static final long serialVersionUID = 1L;
        final String heading;

        HeldPodException(String message, String heading) {
            super(message);
            this.heading = heading;
        }
    }
}
