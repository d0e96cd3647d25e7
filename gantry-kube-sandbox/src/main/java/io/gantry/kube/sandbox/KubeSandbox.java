package io.gantry.kube.sandbox;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An in-process Kubernetes API server (fabric8's CRUD mock with {@link BindingAwareCrudDispatcher}) and helpers to
 * fill it with fake GPU nodes and GPU pods, the way the NVIDIA device plugin and GPU Feature Discovery describe
 * real ones. Plain HTTP on a free local port.
 */
public final class KubeSandbox implements AutoCloseable {

    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GPU_MILLI_RESOURCE = "gantry.io/gpu-milli";
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

    private final BindingAwareCrudDispatcher dispatcher;
    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    /**
     * The mock logs every request at INFO through java.util.logging: noise in tests, a cost in benchmarks. Held
     * here because java.util.logging keeps loggers only weakly, and a collected logger forgets its level.
     */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger(
            MockWebServer.class.getName());

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private KubeSandbox() {
        dispatcher = new BindingAwareCrudDispatcher();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        client = server.createClient();
    }

    public static KubeSandbox start() {
        return new KubeSandbox();
    }

    /** A client of this server; every call to it creates a new one that the caller must close. */
    public NamespacedKubernetesClient newClient() {
        return server.createClient();
    }

    /** The sandbox's own client, closed with the sandbox. */
    public NamespacedKubernetesClient client() {
        return client;
    }

    public BindingAwareCrudDispatcher dispatcher() {
        return dispatcher;
    }

    /** A ready GPU node as the device plugin and GPU Feature Discovery describe it. */
    public static Node gpuNode(String name, int gpus, String model, int cpuCores, int memoryGib) {
        Map<String, Quantity> allocatable = new LinkedHashMap<>();
        allocatable.put("cpu", new Quantity(Integer.toString(cpuCores)));
        allocatable.put("memory", new Quantity(memoryGib + "Gi"));
        allocatable.put("pods", new Quantity("110"));
        allocatable.put(GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        allocatable.put(GPU_MILLI_RESOURCE, new Quantity(Integer.toString(gpus * 1000)));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", name);
        if (gpus > 0) {
            labels.put(GPU_PRODUCT_LABEL, model);
            labels.put("nvidia.com/gpu.count", Integer.toString(gpus));
        }
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(allocatable).withCapacity(allocatable)
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
    }

    /**
     * A pending pod for the named scheduler asking whole GPUs ({@code gpuMilli == 1000}, {@code gpus} of them) or
     * a share of one ({@code gpus == 1}, {@code gpuMilli < 1000}); {@code gpus == 0} asks no GPU.
     */
    public static Pod gpuPod(String namespace, String name, String schedulerName, int gpus, int gpuMilli,
            int cpuMilli, int memoryMib) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(cpuMilli + "m"));
        requests.put("memory", new Quantity(memoryMib + "Mi"));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (gpus > 0 && gpuMilli >= 1000) {
            limits.put(GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        } else if (gpus == 1) {
            limits.put(GPU_MILLI_RESOURCE, new Quantity(Integer.toString(gpuMilli)));
        }
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withSchedulerName(schedulerName)
                .addNewContainer().withName("main").withImage("registry.example/cuda-job:1")
                .withNewResources().withRequests(requests).withLimits(limits).endResources().endContainer()
                .endSpec()
                .withNewStatus().withPhase("Pending").endStatus()
                .build();
    }

    @Override
    public void close() {
        dispatcher.stopKubelet();
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // "Unable to close MockWebServer": its Vert.x server did not stop within 10 s on a loaded machine.
            // Nothing is left for the caller to do; the port is freed when the event loop finally stops.
            MOCK_LOG.warning("sandbox API server was slow to stop: " + e.getMessage());
        }
    }
}
