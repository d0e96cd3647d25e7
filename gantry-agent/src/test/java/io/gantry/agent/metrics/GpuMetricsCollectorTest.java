package io.gantry.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.agent.allocation.AllocationLedger;
import io.gantry.agent.allocation.Handout;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.allocation.ShareDeviceIds;
import io.gantry.agent.health.HealthTracker;
import io.gantry.agent.kubelet.PodResourcesClient;
import io.gantry.agent.testing.FakePodResources;
import io.gantry.agent.testing.FakePodResources.Entry;
import io.gantry.agent.testing.TestGpus;
import io.gantry.gpu.fake.FakeGpuBackend;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics page: dcgm-exporter's names and labels, pod attribution from an in-test PodResources server. */
class GpuMetricsCollectorTest {

    @TempDir
    Path dir;
    private final FakeGpuBackend backend = TestGpus.fourA100s();
    private final HealthTracker health = new HealthTracker(
            backend.inventory().devices().stream().map(d -> d.uuid()).toList(), Duration.ofMinutes(5),
            Clock.systemUTC());
    private final AllocationLedger ledger = new AllocationLedger();
    private FakePodResources podResources;
    private GpuMetricsCollector collector;

    @BeforeEach
    void start() throws Exception {
        podResources = FakePodResources.start(dir.resolve("pod-resources/kubelet.sock"));
        collector = new GpuMetricsCollector(backend, "gpu-node-1", health,
                new PodResourcesClient(dir.resolve("pod-resources/kubelet.sock")), ledger,
                () -> Map.of(TestGpus.uuid(3), 79L));
        backend.setTelemetry(TestGpus.uuid(0), 87, 40960);
    }

    @AfterEach
    void stop() {
        podResources.close();
        backend.close();
    }

    private String scrape(GpuMetricsCollector c) throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(c);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> series(String page, String metric) {
        List<String> lines = new ArrayList<>();
        for (String l : page.split("\n")) {
            if (l.startsWith(metric + "{")) {
                lines.add(l);
            }
        }
        return lines;
    }

    @Test
    void everyGpuHasDcgmNamedSeriesWithDcgmLabels() throws Exception {
        String page = scrape(collector);

        assertThat(page).contains("# TYPE DCGM_FI_DEV_GPU_UTIL gauge", "# TYPE DCGM_FI_DEV_FB_USED gauge",
                "# TYPE DCGM_FI_DEV_FB_FREE gauge", "# TYPE gantry_gpu_share_allocated_milli gauge");
        assertThat(series(page, "DCGM_FI_DEV_FB_FREE")).hasSize(4);
        String gpu0 = series(page, "DCGM_FI_DEV_GPU_UTIL").stream().filter(l -> l.contains("gpu=\"0\"")).findFirst()
                .orElseThrow();
        assertThat(gpu0).contains("UUID=\"" + TestGpus.uuid(0) + "\"", "modelName=\"NVIDIA A100-SXM4-80GB\"",
                "Hostname=\"gpu-node-1\"", "device=\"nvidia0\"", "pci_bus_id=\"00000000:07:00.0\"",
                "DCGM_FI_DRIVER_VERSION=\"550.54.15\"").endsWith(" 87.0");
        assertThat(series(page, "DCGM_FI_DEV_FB_USED")).anySatisfy(l ->
                assertThat(l).contains("gpu=\"0\"").endsWith(" 40960.0"));
        assertThat(series(page, "DCGM_FI_DEV_FB_FREE")).anySatisfy(l ->
                assertThat(l).contains("gpu=\"0\"").endsWith(" 40960.0"));
        assertThat(series(page, "DCGM_FI_DEV_XID_ERRORS")).anySatisfy(l ->
                assertThat(l).contains("gpu=\"3\"").endsWith(" 79.0"));
        assertThat(page).doesNotContain("namespace=");
    }

    @Test
    void gpusInUseAreReportedOncePerContainerWithItsPodLabels() throws Exception {
        List<String> share1 = new ArrayList<>();
        for (int n = 0; n < 300; n++) {
            share1.add(ShareDeviceIds.id(TestGpus.uuid(1), n));
        }
        podResources.set(List.of(
                new Entry("team-a", "train", "main", "nvidia.com/gpu", List.of(TestGpus.uuid(2), TestGpus.uuid(3))),
                new Entry("team-b", "nb", "main", "gantry.io/gpu-milli", share1),
                new Entry("team-c", "other", "main", "example.com/fpga", List.of("fpga0"))));

        String page = scrape(collector);

        List<String> util2 = series(page, "DCGM_FI_DEV_FB_FREE").stream().filter(l -> l.contains("gpu=\"2\""))
                .toList();
        assertThat(util2).singleElement().satisfies(l ->
                assertThat(l).contains("namespace=\"team-a\"", "pod=\"train\"", "container=\"main\""));
        assertThat(series(page, "DCGM_FI_DEV_FB_FREE")).filteredOn(l -> l.contains("gpu=\"1\""))
                .singleElement().satisfies(l -> assertThat(l).contains("pod=\"nb\""));
        assertThat(series(page, "DCGM_FI_DEV_FB_FREE")).filteredOn(l -> l.contains("gpu=\"0\""))
                .singleElement().satisfies(l -> assertThat(l).doesNotContain("pod="));
        assertThat(series(page, "gantry_gpu_share_allocated_milli"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"1\"").endsWith(" 300.0"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"2\"").endsWith(" 1000.0"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"0\"").endsWith(" 0.0"));
        assertThat(podResources.calls()).isEqualTo(1);
    }

    @Test
    void theAgentsHandoutNamesTheRealGpuWhenTheKubeletsIdsDiffer() throws Exception {
        // The kubelet's ids say GPU 0, but the scheduler's annotation gave the container GPU 3.
        ledger.record(new Handout(ResourceKind.WHOLE, "team-a", "train", "uid-1", "main", List.of(TestGpus.uuid(3)),
                1000, List.of(TestGpus.uuid(0)), true));
        podResources.set(List.of(new Entry("team-a", "train", "main", "nvidia.com/gpu", List.of(TestGpus.uuid(0)))));

        String page = scrape(collector);

        assertThat(series(page, "DCGM_FI_DEV_FB_FREE")).filteredOn(l -> l.contains("pod=\"train\""))
                .singleElement().satisfies(l -> assertThat(l).contains("gpu=\"3\""));
        assertThat(series(page, "gantry_gpu_share_allocated_milli"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"3\"").endsWith(" 1000.0"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"0\"").endsWith(" 0.0"));
    }

    @Test
    void withoutPodResourcesTheHandoutsAttributeAndTheScrapeStillWorks() throws Exception {
        podResources.close();
        ledger.record(new Handout(ResourceKind.SHARE, "team-b", "nb", "uid-2", "main", List.of(TestGpus.uuid(1)),
                250, List.of(), true));

        String page = scrape(collector);

        assertThat(series(page, "DCGM_FI_DEV_FB_FREE")).hasSize(4)
                .anySatisfy(l -> assertThat(l).contains("gpu=\"1\"", "pod=\"nb\""));
        assertThat(series(page, "gantry_gpu_share_allocated_milli"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"1\"").endsWith(" 250.0"));
    }

    @Test
    void valuesAGpuDoesNotReportAreLeftOutAndHealthIsExported() throws Exception {
        backend.setProblem(TestGpus.uuid(2), "GPU is lost");
        health.reportError(TestGpus.uuid(2), "GPU is lost");

        String page = scrape(collector);

        // The fake GPUs report no temperature: no series, not a zero.
        assertThat(page).doesNotContain("DCGM_FI_DEV_GPU_TEMP");
        assertThat(series(page, "gantry_gpu_healthy"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"2\"").endsWith(" 0.0"))
                .anySatisfy(l -> assertThat(l).contains("gpu=\"1\"").endsWith(" 1.0"));
    }

    @Test
    void theHttpServerServesMetricsHealthAndReadiness() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        boolean[] ready = {false};
        try (AgentHttpServer http = AgentHttpServer.start(new java.net.InetSocketAddress("127.0.0.1", 0), registry,
                () -> ready[0])) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + http.address().getPort();
            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body()).contains("DCGM_FI_DEV_FB_FREE{");
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            ready[0] = true;
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
