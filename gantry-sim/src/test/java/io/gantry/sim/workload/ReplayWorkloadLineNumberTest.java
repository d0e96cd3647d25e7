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

/**
 * ReplayWorkload reports the physical line of a bad row, also after blank lines (which the reader skips): here the
 * unknown pod is on line 4 of arrivals.csv, and the same holds for node_order.csv.
 */
class ReplayWorkloadLineNumberTest {

    @TempDir
    Path dir;

    @Test
    void lineNumbersCountBlankLines() throws IOException {
        List<NodeSpec> nodes = List.of(NodeSpec.of("node-a", 1000, 1000, 1, "T4"));
        List<PodRequest> pods = List.of(PodRequest.of("pod-1", 100, 10, 1, 500));
        Files.writeString(dir.resolve("arrivals.csv"), "seq,name\n0,pod-1\n\n1,pod-9\n");
        Files.writeString(dir.resolve("node_order.csv"), "name,priority\nnode-a,0\n");
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class,
                () -> ReplayWorkload.load("t", dir, nodes, pods));
        assertThat(e.value()).isEqualTo("pod-9");
        assertThat(e.line()).isEqualTo(4);

        Files.writeString(dir.resolve("arrivals.csv"), "seq,name\n0,pod-1\n");
        Files.writeString(dir.resolve("node_order.csv"), "name,priority\n\nnode-z,0\n");
        TraceFormatException n = catchThrowableOfType(TraceFormatException.class,
                () -> ReplayWorkload.load("t", dir, nodes, pods));
        assertThat(n.value()).isEqualTo("node-z");
        assertThat(n.line()).isEqualTo(3);
    }
}
