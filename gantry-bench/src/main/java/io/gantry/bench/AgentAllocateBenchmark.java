package io.gantry.bench;

import io.gantry.agent.allocation.AllocationLedger;
import io.gantry.agent.allocation.AllocationPlanner;
import io.gantry.agent.allocation.ContainerHolds;
import io.gantry.agent.allocation.Handout;
import io.gantry.agent.allocation.PodOnNode;
import io.gantry.agent.allocation.ResourceKind;
import io.gantry.agent.allocation.ShareDeviceIds;
import io.gantry.agent.health.HealthTracker;
import io.gantry.agent.plugin.ContainerEnvironment;
import io.gantry.agent.plugin.DeviceListStrategy;
import io.gantry.agent.plugin.GpuAllocator;
import io.gantry.agent.plugin.GpuDevicePlugin;
import io.gantry.agent.proto.deviceplugin.ContainerAllocateResponse;
import io.gantry.contract.ContainerGpuRequest;
import io.gantry.gpu.GpuDevice;
import io.gantry.gpu.GpuInventory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The node agent's work for one container admission, as the kubelet asks it (gRPC and the pod listing left out):
 * GetPreferredAllocation then Allocate for a GPU share on a node of {@code gpus} GPUs (1000 share devices each) with
 * {@code pendingPods} annotated pods waiting, and the full ListAndWatch message of the share resource, which the agent
 * builds at start and on every health change.
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AgentAllocateBenchmark {

    @Param({"8"})
    int gpus;

    @Param({"32"})
    int pendingPods;

    private List<PodOnNode> pods;
    private List<String> available;
    private AllocationPlanner planner;
    private GpuAllocator allocator;
    private GpuDevicePlugin sharePlugin;
    private ContainerEnvironment environment;
    private int next;

    @Setup
    public void setUp() {
        List<GpuDevice> devices = new ArrayList<>();
        for (int i = 0; i < gpus; i++) {
            devices.add(new GpuDevice(i, String.format("GPU-5a1c0b2e-7d3f-4e6a-9b8c-0000000000%02d", i),
                    "NVIDIA H100 80GB HBM3", 81920, "", i, i * 2 / gpus, "9.0", false));
        }
        GpuInventory inventory = new GpuInventory("bench", "", "", devices, List.of());
        HealthTracker health = new HealthTracker(devices.stream().map(GpuDevice::uuid).toList(), Duration.ZERO,
                Clock.systemUTC());
        planner = new AllocationPlanner("bench-node", devices, List.of(), health::isHealthy);
        environment = new ContainerEnvironment(Set.of(DeviceListStrategy.ENVVAR), "nvidia.com/gpu",
                uuid -> inventory.byUuid(uuid).orElseThrow());
        pods = new ArrayList<>();
        for (int p = 0; p < pendingPods; p++) {
            int milli = 100 + 50 * (p % 8);
            pods.add(new PodOnNode("bench", "pod-" + p, "uid-" + p, Instant.EPOCH.plusSeconds(p),
                    Map.of("gantry.io/gpu-ids", String.valueOf(p % gpus), "gantry.io/gpu-milli",
                            String.valueOf(milli)),
                    List.of(new ContainerGpuRequest("main", false, 0, milli))));
        }
        available = new ArrayList<>();
        for (GpuDevice d : devices) {
            for (int n = 0; n < ShareDeviceIds.PER_GPU; n++) {
                available.add(ShareDeviceIds.id(d.uuid(), n));
            }
        }
        allocator = new GpuAllocator(planner, () -> pods, null, new AllocationLedger(), environment);
        sharePlugin = new GpuDevicePlugin(ResourceKind.SHARE, devices, health, allocator);
    }

    /** One container's GetPreferredAllocation + Allocate: the pod being admitted is one of the waiting ones. */
    @Benchmark
    public ContainerAllocateResponse shareAdmission() {
        PodOnNode pod = pods.get(next++ % pods.size());
        int size = (int) pod.containers().get(0).milli();
        // The pod being admitted is the only one of its size not holding devices: the others already do.
        ContainerHolds holds = (p, c, k) -> p != pod;
        List<String> preferred = planner.prefer(ResourceKind.SHARE, available, List.of(), size, pods, holds);
        Handout h = planner.plan(ResourceKind.SHARE, preferred, pods, holds);
        return environment.response(h);
    }

    /** The share resource's full ListAndWatch message, serialised as gRPC sends it. */
    @Benchmark
    public int shareDeviceList() {
        return sharePlugin.devices().getSerializedSize();
    }
}
