package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.gantry.contract.GpuAnnotations;
import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.model.PodDemand;
import io.gantry.kube.model.PodTranslator;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** deploy/examples/ ask Gantry for what they say, and deploy/extender/ points kube-scheduler at the chart's Service. */
class ExamplesTest {

    static final String EXTENDER_CONFIG = "deploy/extender/kube-scheduler-config.yaml";

    private static final String SCHEDULER_NAME = SchedulerObjects.config(Deploy.renderObjects()).schedulerName();

    @Test
    void wholeGpuPodAsksTwoGpusOfGantry() {
        Pod pod = onePod("deploy/examples/pod-whole-gpu.yaml");
        assertThat(pod.getSpec().getSchedulerName()).isEqualTo(SCHEDULER_NAME).isEqualTo("gantry");
        var resources = pod.getSpec().getContainers().get(0).getResources();
        assertThat(resources.getLimits().get(GpuAnnotations.GPU_RESOURCE).toString()).isEqualTo("2");
        assertThat(resources.getRequests()).containsKeys("cpu", "memory");

        PodRequest request = request(pod);
        assertThat(request.gpuCount()).isEqualTo(2);
        assertThat(request.gpuMilliPerGpu()).isEqualTo(NodeSpec.MILLI_PER_GPU);
        assertThat(request.cpuMilli()).isEqualTo(8_000);
        assertThat(request.memoryMib()).isEqualTo(32 * 1024);
        assertThat(request.allowedGpuModels()).isEmpty();
    }

    @Test
    void sharePodAsksAQuarterOfOneV100() {
        Pod pod = onePod("deploy/examples/pod-gpu-share.yaml");
        assertThat(pod.getSpec().getSchedulerName()).isEqualTo(SCHEDULER_NAME);
        var limits = pod.getSpec().getContainers().get(0).getResources().getLimits();
        assertThat(limits.get(GpuAnnotations.GPU_MILLI_RESOURCE).toString()).isEqualTo("250");
        assertThat(limits).doesNotContainKey(GpuAnnotations.GPU_RESOURCE);
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(GpuAnnotations.GPU_MODEL, "V100M16|V100M32");

        PodRequest request = request(pod);
        assertThat(request.gpuCount()).isEqualTo(1);
        assertThat(request.gpuMilliPerGpu()).isEqualTo(250);
        assertThat(request.allowedGpuModels()).containsExactly("V100M16", "V100M32");
        assertThat(request.cpuMilli()).isEqualTo(2_000);
    }

    @Test
    void deploymentReplicasEachAskHalfAGpu() {
        Deployment deployment = Deploy.one(Deploy.parseFile("deploy/examples/deployment-gpu-share.yaml"),
                Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(4);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        Pod replica = new PodBuilder().withNewMetadata().withName("infer-half-gpu-0").withNamespace("default")
                .withAnnotations(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).endMetadata()
                .withSpec(deployment.getSpec().getTemplate().getSpec()).build();
        assertThat(replica.getSpec().getSchedulerName()).isEqualTo(SCHEDULER_NAME);
        PodRequest request = request(replica);
        assertThat(request.gpuCount()).isEqualTo(1);
        assertThat(request.gpuMilliPerGpu()).isEqualTo(500);
    }

    @Test
    void extenderConfigPointsKubeSchedulerAtTheChartsService() throws Exception {
        JsonNode root = new YAMLMapper().readTree(Deploy.read(EXTENDER_CONFIG));
        assertThat(root.path("apiVersion").asString()).isEqualTo("kubescheduler.config.k8s.io/v1");
        assertThat(root.path("kind").asString()).isEqualTo("KubeSchedulerConfiguration");
        for (JsonNode profile : root.path("profiles")) {
            assertThat(profile.has("extenders")).as("extenders is a top-level list, not per profile").isFalse();
        }
        assertThat(root.path("extenders").isArray()).isTrue();
        assertThat(root.path("extenders")).hasSize(1);
        JsonNode ext = root.path("extenders").get(0);
        List<String> fields = new ArrayList<>();
        fields.addAll(ext.propertyNames());
        assertThat(fields).as("only keys of config/v1 Extender").isSubsetOf("urlPrefix", "filterVerb", "preemptVerb",
                "prioritizeVerb", "weight", "bindVerb", "enableHTTPS", "tlsConfig", "httpTimeout", "nodeCacheCapable",
                "managedResources", "ignorable");

        assertThat(ext.path("filterVerb").asString()).isEqualTo("filter");
        assertThat(ext.path("prioritizeVerb").asString()).isEqualTo("prioritize");
        assertThat(ext.path("bindVerb").asString()).isEqualTo("bind");
        assertThat(ext.has("preemptVerb")).isFalse();
        assertThat(ext.path("weight").isIntegralNumber()).isTrue();
        assertThat(ext.path("weight").asLong()).isEqualTo(5);
        assertThat(ext.path("nodeCacheCapable").isBoolean()).isTrue();
        assertThat(ext.path("nodeCacheCapable").asBoolean()).isFalse();
        assertThat(ext.path("enableHTTPS").isBoolean()).isTrue();
        assertThat(ext.path("enableHTTPS").asBoolean()).isFalse();
        assertThat(ext.path("ignorable").isBoolean()).isTrue();
        assertThat(ext.path("ignorable").asBoolean()).isFalse();
        assertThat(ext.path("httpTimeout").asString()).isEqualTo("5s");

        JsonNode managed = ext.path("managedResources");
        assertThat(managed).hasSize(2);
        assertThat(managed.get(0).path("name").asString()).isEqualTo(GpuAnnotations.GPU_RESOURCE);
        assertThat(managed.get(0).path("ignoredByScheduler").isBoolean()).isTrue();
        assertThat(managed.get(0).path("ignoredByScheduler").asBoolean()).isFalse();
        assertThat(managed.get(1).path("name").asString()).isEqualTo(GpuAnnotations.GPU_MILLI_RESOURCE);
        assertThat(managed.get(1).path("ignoredByScheduler").asBoolean()).isTrue();

        // http://<service>.<namespace>.svc:<port>/extender, the Service of release "gantry" in gantry-system
        URI url = URI.create(ext.path("urlPrefix").asString());
        List<HasMetadata> chart = SchedulerObjects.of(Deploy.renderObjects("mode", "extender"));
        Service service = Deploy.one(chart, Service.class);
        SchedulerConfig config = SchedulerObjects.config(chart);
        assertThat(url.getScheme()).isEqualTo("http");
        assertThat(url.getHost()).isEqualTo(service.getMetadata().getName() + "." + service.getMetadata().getNamespace()
                + ".svc");
        assertThat(url.getPort()).isEqualTo(service.getSpec().getPorts().get(0).getPort())
                .isEqualTo(config.serverPort());
        assertThat(url.getPath()).isEqualTo("/extender");
        assertThat(Deploy.one(chart, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getArgs()).contains("--extender");
    }

    @Test
    void fakeInventoryDescribesFourDistinctGpusInTheAgentsFormat() throws Exception {
        JsonNode root = new YAMLMapper().readTree(Deploy.read(AgentChartTest.FAKE_INVENTORY));
        assertThat(fieldNames(root)).as("the loader refuses unknown keys")
                .isSubsetOf("driverVersion", "cudaVersion", "gpus", "nvlinks");
        assertThat(root.path("driverVersion").isTextual()).isTrue();
        assertThat(root.path("driverVersion").asString()).matches("\\d+\\.\\d+(\\.\\d+)?");
        assertThat(root.path("cudaVersion").isTextual()).as("quoted: 12.4 unquoted is a number").isTrue();
        assertThat(root.path("cudaVersion").asString()).matches("\\d+\\.\\d+");

        JsonNode gpus = root.path("gpus");
        assertThat(gpus.isArray()).isTrue();
        assertThat(gpus).hasSize(4);
        Set<String> uuids = new HashSet<>();
        Set<String> busIds = new HashSet<>();
        for (JsonNode gpu : gpus) {
            assertThat(fieldNames(gpu)).contains("uuid", "name", "memoryMiB").isSubsetOf("uuid", "name", "memoryMiB",
                    "pciBusId", "numaNode", "computeCapability", "healthy", "utilization", "memoryUsedMiB",
                    "temperatureC", "powerWatts");
            String uuid = gpu.path("uuid").asString();
            assertThat(uuid).matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(uuids.add(uuid)).as("unique UUID %s", uuid).isTrue();
            assertThat(gpu.path("name").asString()).isNotBlank();
            assertThat(gpu.path("memoryMiB").isIntegralNumber()).isTrue();
            assertThat(gpu.path("memoryMiB").asLong()).isPositive();
            if (gpu.has("pciBusId")) {
                assertThat(gpu.path("pciBusId").asString()).matches("[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\\.[0-7]");
                assertThat(busIds.add(gpu.path("pciBusId").asString())).as("unique bus id").isTrue();
            }
            if (gpu.has("computeCapability")) {
                assertThat(gpu.path("computeCapability").isTextual()).as("quoted: 8.0 unquoted is a number").isTrue();
            }
            if (gpu.has("healthy")) {
                assertThat(gpu.path("healthy").isBoolean()).isTrue();
            }
            for (String integral : List.of("numaNode", "utilization", "memoryUsedMiB", "temperatureC")) {
                if (gpu.has(integral)) {
                    assertThat(gpu.path(integral).isIntegralNumber()).as("%s of %s", integral, uuid).isTrue();
                }
            }
            assertThat(gpu.path("utilization").asInt(0)).isBetween(0, 100);
            assertThat(gpu.path("memoryUsedMiB").asLong(0)).isBetween(0L, gpu.path("memoryMiB").asLong());
            if (gpu.has("powerWatts")) {
                assertThat(gpu.path("powerWatts").isNumber()).isTrue();
            }
        }

        Set<Set<Integer>> pairs = new HashSet<>();
        for (JsonNode link : root.path("nvlinks")) {
            assertThat(fieldNames(link)).containsExactlyInAnyOrder("gpus", "links");
            List<Integer> ends = new ArrayList<>();
            link.path("gpus").forEach(g -> ends.add(g.asInt(-1)));
            assertThat(ends).hasSize(2).doesNotHaveDuplicates().allSatisfy(g -> assertThat(g).isBetween(0, 3));
            assertThat(pairs.add(Set.copyOf(ends))).as("one entry per pair: %s", ends).isTrue();
            assertThat(link.path("links").asInt()).isBetween(1, 18);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        names.addAll(node.propertyNames());
        return names;
    }

    static Pod onePod(String file) {
        List<HasMetadata> objects = Deploy.parseFile(file);
        return Deploy.one(objects, Pod.class);
    }

    /** What Gantry's scheduler reads from the pod; fails the test when it would refuse the pod. */
    static PodRequest request(Pod pod) {
        PodDemand demand = PodTranslator.translate(pod);
        assertThat(demand).as("Gantry accepts %s", pod.getMetadata().getName()).isInstanceOf(PodDemand.Valid.class);
        return ((PodDemand.Valid) demand).request();
    }
}
