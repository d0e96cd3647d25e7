package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuOvercommitTest {

    private static final NodeSpec EIGHT = new NodeSpec("gpu-8", 64_000, 256_000, 8, "A100", 110);

    private static PlacedPod whole(String key, List<Integer> ids, int count) {
        return new PlacedPod(key, "uid-" + key, "gpu-8", PodRequest.of(key, 100, 100, count, 1000), ids, false);
    }

    private static PlacedPod share(String key, int milli) {
        return new PlacedPod(key, "u", "gpu-8", PodRequest.of(key, 1, 1, 1, milli), List.of(0), false);
    }

    @Test
    void nineWholeGpusWithoutRecordedIndicesOnAnEightGpuNodeAreOneOver() {
        List<PlacedPod> pods = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            pods.add(whole("ns/p" + i, null, 1));
        }
        GpuOvercommit o = GpuOvercommit.find(List.of(EIGHT), pods).get("gpu-8");
        assertThat(o.heldMilli()).isEqualTo(9000);
        assertThat(o.overMilli()).isEqualTo(1000);
        assertThat(o.message()).startsWith("GPUs over-committed: pods bound to gpu-8 hold 9 GPUs of its 8 (GPUs not "
                + "recorded for ns/p0, ns/p1");
    }

    @Test
    void twoPodsOnOneGpuAndAnIndexPastTheNodeAreNamed() {
        var a = whole("ns/a", List.of(0), 1);
        var b = whole("ns/b", List.of(0), 1);
        var c = whole("ns/c", List.of(9), 1);
        GpuOvercommit o = GpuOvercommit.find(List.of(EIGHT), List.of(a, b, c)).get("gpu-8");
        assertThat(o.overMilli()).isEqualTo(2000);
        assertThat(o.detail()).isEqualTo("GPU 0 held 2000/1000 by ns/a, ns/b; GPU 9 does not exist by ns/c");
    }

    @Test
    void sharesThatFitAndAFullNodeAreNotOver() {
        var seven = whole("ns/s", List.of(1, 2, 3, 4, 5, 6, 7), 7);
        assertThat(GpuOvercommit.find(List.of(EIGHT), List.of(share("ns/q", 250), share("ns/t", 750), seven)))
                .isEmpty();
        assertThat(GpuOvercommit.find(List.of(EIGHT), List.of(share("ns/q", 250), share("ns/t", 750), seven,
                share("ns/m", 100))).get("gpu-8").detail()).isEqualTo("GPU 0 held 1100/1000 by ns/q, ns/t, ns/m");
    }
}
