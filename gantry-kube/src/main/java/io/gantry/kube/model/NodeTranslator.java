package io.gantry.kube.model;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.contract.GpuAnnotations;
import io.gantry.contract.UnhealthyGpusCodec;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.placement.Taint;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a node as the engine sees it: allocatable CPU, memory, pods and {@code nvidia.com/gpu}, the GPU model from
 * {@code nvidia.com/gpu.product}, labels, taints and cordon. On a node managed by Gantry's agent (annotation
 * {@code gantry.io/gpu-unhealthy}) the GPUs count over capacity, so that indices stay those of the agent while a GPU
 * is Unhealthy, and {@link #unhealthyGpus} names the ones not to use.
 */
public final class NodeTranslator {

    private static final Logger LOG = LoggerFactory.getLogger(NodeTranslator.class);

    /** Model name of GPU nodes whose model label is missing. */
    public static final String UNKNOWN_MODEL = "unknown";

    private NodeTranslator() {
    }

    public static NodeSpec translate(Node node) {
        String name = node.getMetadata().getName();
        Map<String, Quantity> alloc = node.getStatus() == null || node.getStatus().getAllocatable() == null
                ? Map.of() : node.getStatus().getAllocatable();
        long cpu = amount(alloc.get("cpu")).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.FLOOR)
                .longValue();
        long memMib = amount(alloc.get("memory")).setScale(0, RoundingMode.FLOOR).longValue() >> 20;
        int pods = alloc.containsKey("pods") ? amount(alloc.get("pods")).intValue() : NodeSpec.DEFAULT_MAX_PODS;
        Map<String, Quantity> capacity = node.getStatus() == null || node.getStatus().getCapacity() == null
                ? Map.of() : node.getStatus().getCapacity();
        Quantity gpuQuantity = agentManaged(node) && capacity.containsKey(GpuAnnotations.GPU_RESOURCE)
                ? capacity.get(GpuAnnotations.GPU_RESOURCE) : alloc.get(GpuAnnotations.GPU_RESOURCE);
        int gpus = Math.min(NodeSpec.MAX_GPUS, Math.max(0, amount(gpuQuantity).intValue()));
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        String model = labels.getOrDefault(GpuAnnotations.GPU_PRODUCT_LABEL, gpus > 0 ? UNKNOWN_MODEL : "");
        List<Taint> taints = new ArrayList<>();
        boolean cordoned = false;
        if (node.getSpec() != null) {
            cordoned = Boolean.TRUE.equals(node.getSpec().getUnschedulable());
            if (node.getSpec().getTaints() != null) {
                for (var t : node.getSpec().getTaints()) {
                    Taint.Effect effect;
                    try {
                        effect = Taint.Effect.parse(t.getEffect());
                    } catch (IllegalArgumentException e) {
                        effect = Taint.Effect.NO_SCHEDULE; // an effect we do not know: keep pods off, to be safe
                    }
                    taints.add(new Taint(t.getKey(), t.getValue(), effect));
                }
            }
        }
        // Unhealthy GPUs are data on the node: they keep their index and offer nothing.
        return new NodeSpec(name, Math.max(0, cpu), Math.max(0, memMib), gpus, model, Math.max(0, pods), labels,
                taints, cordoned, new java.util.TreeSet<>(unhealthyGpus(node)));
    }

    private static boolean agentManaged(Node node) {
        Map<String, String> a = node.getMetadata().getAnnotations();
        return a != null && a.containsKey(GpuAnnotations.GPU_UNHEALTHY);
    }

    /**
     * The GPU indices the node's agent reports Unhealthy (annotation {@code gantry.io/gpu-unhealthy}), ascending. A
     * malformed value (the agent never writes one) is reported and read as none, so that a garbled annotation cannot
     * take a node's healthy GPUs away; the agent refuses to hand out a GPU it finds Unhealthy in any case.
     */
    public static List<Integer> unhealthyGpus(Node node) {
        Map<String, String> a = node.getMetadata().getAnnotations();
        String value = a == null ? null : a.get(GpuAnnotations.GPU_UNHEALTHY);
        if (value == null) {
            return List.of();
        }
        try {
            return List.copyOf(UnhealthyGpusCodec.decode(value));
        } catch (IllegalArgumentException e) {
            LOG.warn("node {}: {}; treating none of its GPUs as Unhealthy", node.getMetadata().getName(),
                    e.getMessage());
            return List.of();
        }
    }

    private static BigDecimal amount(Quantity q) {
        if (q == null) {
            return BigDecimal.ZERO;
        }
        try {
            return q.getNumericalAmount();
        } catch (RuntimeException e) {
            return BigDecimal.ZERO;
        }
    }
}
