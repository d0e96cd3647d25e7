package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.GpuAllocation;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Status;
import io.gantry.kube.sandbox.KubeSandbox;
import io.gantry.kube.scheduling.KubeApi.BindOutcome;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's Bind extension point is the API's pods/binding, with the pod's UID and the GPUs. */
class ApiBindingTest {

    private KubeSandbox sandbox;
    private ApiBinding binding;

    @BeforeEach
    void start() {
        sandbox = KubeSandbox.start();
        sandbox.client().nodes().resource(KubeSandbox.gpuNode("gpu", 2, "A100", 8, 32)).create();
        sandbox.client().pods().inNamespace("ns").resource(KubeSandbox.gpuPod("ns", "p", "gantry", 1, 1000, 100, 100))
                .create();
        binding = new ApiBinding(new KubeApi(sandbox.client(), "gantry"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private PodRequest request(String uid) {
        return PodRequest.of("ns/p", 100, 100, 1, 1000).withAttribute(ApiBinding.UID, uid);
    }

    private static GpuAllocation onGpu1() {
        return new GpuAllocation("ns/p", "gpu", 100, 100, List.of(1), 1000);
    }

    @Test
    void aBindWithTheRightUidBindsAndCarriesTheGpus() {
        String uid = sandbox.client().pods().inNamespace("ns").withName("p").get().getMetadata().getUid();
        Status s = binding.bind(request(uid), onGpu1());
        assertThat(s.isSuccess()).isTrue();
        assertThat(ApiBinding.outcome(s).outcome()).isEqualTo(BindOutcome.BOUND);
        var pod = sandbox.client().pods().inNamespace("ns").withName("p").get();
        assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-ids", "1");
    }

    @Test
    void aStaleUidIsAConflictAndAMissingPodIsGone() {
        var conflict = ApiBinding.outcome(binding.bind(request("not-its-uid"), onGpu1()));
        assertThat(conflict.outcome()).isEqualTo(BindOutcome.CONFLICT);
        assertThat(conflict.code()).isEqualTo(409);
        assertThat(conflict.message()).startsWith("Precondition failed: UID in precondition: not-its-uid");
        var gone = ApiBinding.outcome(binding.bind(PodRequest.of("ns/nobody", 1, 1, 0, 0), onGpu1()));
        assertThat(gone.outcome()).isEqualTo(BindOutcome.GONE);
        assertThat(sandbox.client().pods().inNamespace("ns").withName("p").get().getSpec().getNodeName()).isNull();
    }

    @Test
    void anotherPluginsFailureIsAnErrorNamingIt() {
        var r = ApiBinding.outcome(Status.error("VolumeBinding", "claim data is not bound"));
        assertThat(r.outcome()).isEqualTo(BindOutcome.ERROR);
        assertThat(r.message()).isEqualTo("VolumeBinding: claim data is not bound");
    }
}
