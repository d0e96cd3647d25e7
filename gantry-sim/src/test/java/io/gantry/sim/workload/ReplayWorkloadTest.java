package io.gantry.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.engine.NodeSpec;
import io.gantry.engine.PodRequest;
import io.gantry.sim.trace.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayWorkloadTest {

    private static final List<NodeSpec> NODES = List.of(NodeSpec.of("node-a", 1000, 1000, 1, "T4"),
            NodeSpec.of("node-b", 1000, 1000, 2, "T4"), NodeSpec.of("node-c", 1000, 1000, 0, ""));
    private static final List<PodRequest> PODS = List.of(
            PodRequest.of("pod-1", 100, 10, 1, 500).withAllowedGpuModels(List.of("T4", "G2")),
            PodRequest.of("pod-2", 200, 20, 0, 0));

    @TempDir
    Path dir;

    private void write(String arrivals, String order) throws IOException {
        Files.writeString(dir.resolve("arrivals.csv"), arrivals);
        Files.writeString(dir.resolve("node_order.csv"), order);
    }

    private static final String GOOD_ORDER = "name,priority\nnode-a,2\nnode-b,0\nnode-c,1\n";

    @Test
    void replaysArrivalsAndNodeOrder() throws IOException {
        write("seq,name\n0,pod-2\n1,pod-1\n2,pod-1-tuned-0\n3,pod-2-tuned-1\n4,pod-1-tuned-2\n", GOOD_ORDER);
        Workload w = ReplayWorkload.load("trace", dir, NODES, PODS);
        assertThat(w.name()).isEqualTo("trace");
        assertThat(w.arrivals()).extracting(PodRequest::name)
                .containsExactly("pod-2", "pod-1", "pod-1-tuned-0", "pod-2-tuned-1", "pod-1-tuned-2");
        assertThat(w.arrivals().get(0)).isEqualTo(PODS.get(1));
        assertThat(w.arrivals().get(1)).isEqualTo(PODS.get(0));
        assertThat(w.arrivals().get(2)).isEqualTo(PODS.get(0).withName("pod-1-tuned-0"));
        assertThat(w.arrivals().get(2).allowedGpuModels()).containsExactly("T4", "G2");
        assertThat(w.arrivals().get(3)).isEqualTo(PODS.get(1).withName("pod-2-tuned-1"));
        assertThat(w.nodeRanks()).containsExactly(2, 0, 1);
        assertThat(w.nodes()).isEqualTo(NODES);
        assertThat(w.original()).isEqualTo(PODS);
        assertThat(w.arrivedGpuMilli()).isEqualTo(1500);
    }

    private TraceFormatException error() {
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class,
                () -> ReplayWorkload.load("trace", dir, NODES, PODS));
        assertThat(e).isNotNull();
        return e;
    }

    @Test
    void unknownPodNameIsNamed() throws IOException {
        write("seq,name\n0,pod-1\n1,pod-9\n", GOOD_ORDER);
        TraceFormatException e = error();
        assertThat(e.file()).isEqualTo(dir.resolve("arrivals.csv"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.value()).isEqualTo("pod-9");
        assertThat(e.getMessage()).contains(dir.resolve("arrivals.csv").toString()).contains("'pod-9'")
                .contains(":3:");
    }

    @Test
    void cloneOfAnUnknownPodIsNamed() throws IOException {
        write("seq,name\n0,pod-9-tuned-0\n", GOOD_ORDER);
        TraceFormatException e = error();
        assertThat(e.file()).isEqualTo(dir.resolve("arrivals.csv"));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).contains("'pod-9-tuned-0'");
    }

    @Test
    void malformedCloneSuffixIsNotACopy() throws IOException {
        write("seq,name\n0,pod-1-tuned-x\n", GOOD_ORDER);
        assertThat(error().value()).isEqualTo("pod-1-tuned-x");
    }

    @Test
    void unknownNodeIsNamed() throws IOException {
        write("seq,name\n0,pod-1\n", "name,priority\nnode-a,2\nnode-z,0\nnode-b,1\nnode-c,3\n");
        TraceFormatException e = error();
        assertThat(e.file()).isEqualTo(dir.resolve("node_order.csv"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.value()).isEqualTo("node-z");
        assertThat(e.getMessage()).contains(dir.resolve("node_order.csv").toString()).contains("'node-z'");
    }

    @Test
    void nodeMissingFromTheOrderIsNamed() throws IOException {
        write("seq,name\n0,pod-1\n", "name,priority\nnode-a,2\nnode-c,1\n");
        TraceFormatException e = error();
        assertThat(e.file()).isEqualTo(dir.resolve("node_order.csv"));
        assertThat(e.value()).isEqualTo("node-b");
        assertThat(e.getMessage()).contains(dir.resolve("node_order.csv").toString()).contains("'node-b'")
                .contains("missing");
    }

    @Test
    void nonIntegerPriorityIsNamed() throws IOException {
        write("seq,name\n0,pod-1\n", "name,priority\nnode-a,2\nnode-b,first\nnode-c,1\n");
        TraceFormatException e = error();
        assertThat(e.column()).isEqualTo("priority");
        assertThat(e.value()).isEqualTo("first");
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Files.writeString(dir.resolve("node_order.csv"), GOOD_ORDER);
        TraceFormatException e = error();
        assertThat(e.getMessage()).contains(dir.resolve("arrivals.csv").toString());

        Files.writeString(dir.resolve("arrivals.csv"), "seq,name\n0,pod-1\n");
        Files.delete(dir.resolve("node_order.csv"));
        assertThat(error().getMessage()).contains(dir.resolve("node_order.csv").toString());
    }

    @Test
    void missingColumnIsNamed() throws IOException {
        write("seq,pod\n0,pod-1\n", GOOD_ORDER);
        TraceFormatException e = error();
        assertThat(e.column()).isEqualTo("name");
        assertThat(e.line()).isEqualTo(1);
    }

    @Test
    void aPodArrivingTwiceOrANodeListedTwiceIsNamed() throws IOException {
        write("seq,name\n0,pod-1\n1,pod-2\n2,pod-1\n", GOOD_ORDER);
        TraceFormatException e = error();
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.getMessage()).contains("'pod-1'", "arrives twice");

        write("seq,name\n0,pod-1\n", GOOD_ORDER + "node-b,5\n");
        e = error();
        assertThat(e.file()).isEqualTo(dir.resolve("node_order.csv"));
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.getMessage()).contains("'node-b'", "listed twice");
    }

    @Test
    void theRanksOfAWorkloadCannotBeChangedFromOutside() throws IOException {
        write("seq,name\n0,pod-1\n", GOOD_ORDER);
        Workload w = ReplayWorkload.load("trace", dir, NODES, PODS);
        w.nodeRanks()[0] = 99;
        assertThat(w.nodeRanks()).containsExactly(2, 0, 1);
    }
}
