package io.gantry.loadtest;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The load test's cluster and burst: fake GPU nodes (8x V100M32, 8x A100 and 4x T4 in a 4:3:3 mix; 96 cores and
 * 512 GiB each), described the way the NVIDIA device plugin and GPU Feature Discovery describe real ones, and a
 * seeded mix of GPU pods: about 60 % whole-GPU pods (1, 2 or 4 GPUs) and 40 % shares of one GPU (100-900
 * thousandths).
 */
public final class Workload {

    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GPU_MILLI_RESOURCE = "gantry.io/gpu-milli";
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
    public static final int NODE_CORES = 96;
    public static final int NODE_MEMORY_GIB = 512;

    private Workload() {
    }

    /** One fake node: name, GPUs, model. */
    public record NodeShape(String name, int gpus, String model) {
    }

    /** One pod: whole GPUs ({@code milli == 1000}) or a share of one GPU. */
    public record PodShape(String name, int gpus, int milli, int cpuMilli, int memoryMib) {
        public long gpuMilliTotal() {
            return (long) gpus * milli;
        }
    }

    public static List<NodeShape> nodeShapes(int count) {
        List<NodeShape> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = i % 10;
            String name = String.format(Locale.ROOT, "gpu-node-%05d", i);
            out.add(kind < 4 ? new NodeShape(name, 8, "V100M32")
                    : kind < 7 ? new NodeShape(name, 8, "A100") : new NodeShape(name, 4, "T4"));
        }
        return out;
    }

    public static List<PodShape> podShapes(int count, long seed) {
        return podShapes("bench", count, seed);
    }

    /** {@code count} pods named {@code prefix-000000} on, their mix drawn from {@code seed}. */
    public static List<PodShape> podShapes(String prefix, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PodShape> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = String.format(Locale.ROOT, "%s-%06d", prefix, i);
            if (random.nextInt(100) < 60) {
                int x = random.nextInt(100);
                int gpus = x < 70 ? 1 : x < 90 ? 2 : 4;
                out.add(new PodShape(name, gpus, 1000, 4000 * gpus, 16_384 * gpus));
            } else {
                out.add(new PodShape(name, 1, 100 * (1 + random.nextInt(9)), 1000, 4096));
            }
        }
        return out;
    }

    /** A ready GPU node with the device plugin's allocatable resources and GPU Feature Discovery's labels. */
    public static Node node(NodeShape shape) {
        Map<String, Quantity> allocatable = new LinkedHashMap<>();
        allocatable.put("cpu", new Quantity(Integer.toString(NODE_CORES)));
        allocatable.put("memory", new Quantity(NODE_MEMORY_GIB + "Gi"));
        allocatable.put("pods", new Quantity("110"));
        allocatable.put(GPU_RESOURCE, new Quantity(Integer.toString(shape.gpus())));
        allocatable.put(GPU_MILLI_RESOURCE, new Quantity(Integer.toString(shape.gpus() * 1000)));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", shape.name());
        labels.put(GPU_PRODUCT_LABEL, shape.model());
        labels.put("nvidia.com/gpu.count", Integer.toString(shape.gpus()));
        return new NodeBuilder().withApiVersion("v1").withKind("Node")
                .withNewMetadata().withName(shape.name()).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(allocatable).withCapacity(allocatable)
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
    }

    /** A pending pod for the named scheduler asking the shape's GPUs (whole ones, or a share of one). */
    public static Pod pod(String namespace, String schedulerName, PodShape shape) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(shape.cpuMilli() + "m"));
        requests.put("memory", new Quantity(shape.memoryMib() + "Mi"));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (shape.milli() >= 1000) {
            limits.put(GPU_RESOURCE, new Quantity(Integer.toString(shape.gpus())));
        } else {
            limits.put(GPU_MILLI_RESOURCE, new Quantity(Integer.toString(shape.milli())));
        }
        return new PodBuilder().withApiVersion("v1").withKind("Pod")
                .withNewMetadata().withNamespace(namespace).withName(shape.name()).endMetadata()
                .withNewSpec().withSchedulerName(schedulerName)
                .addNewContainer().withName("main").withImage("registry.example/cuda-job:1")
                .withNewResources().withRequests(requests).withLimits(limits).endResources().endContainer()
                .endSpec()
                .withNewStatus().withPhase("Pending").endStatus()
                .build();
    }
}
