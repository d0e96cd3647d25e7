package io.gantry.sim.trace.openb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

class OpenbTraceReaderTest {

    private static final String POD_HEADER = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec";
    private static final String NODE_HEADER = "sn,cpu_milli,memory_mib,gpu,model";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    /** Reads the pods of a file that must be rejected, and checks what the error names. */
    private TraceFormatException podError(String content, long line, String column, String value) throws IOException {
        Path file = write("pods.csv", content);
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class,
                () -> OpenbTraceReader.readPods(file));
        assertThat(e).as("a TraceFormatException for %s", content).isNotNull();
        assertNames(e, file, line, column, value);
        return e;
    }

    private TraceFormatException nodeError(String content, long line, String column, String value)
            throws IOException {
        Path file = write("nodes.csv", content);
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class,
                () -> OpenbTraceReader.readNodes(file));
        assertThat(e).as("a TraceFormatException for %s", content).isNotNull();
        assertNames(e, file, line, column, value);
        return e;
    }

    private static void assertNames(TraceFormatException e, Path file, long line, String column, String value) {
        assertThat(e.file()).isEqualTo(file);
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.column()).isEqualTo(column);
        assertThat(e.value()).isEqualTo(value);
        assertThat(e.getMessage()).startsWith(file + ":" + line);
        if (!column.isEmpty()) {
            assertThat(e.getMessage()).contains("column '" + column + "'");
        }
        if (value != null) {
            assertThat(e.getMessage()).contains("value '" + value + "'");
        }
    }

    @Test
    void nonIntegerCpuMilliIsRejected() throws IOException {
        TraceFormatException e = podError(POD_HEADER + "\np0,1000,1024,1,1000,\np1,12.5,1024,0,0,\n", 3,
                "cpu_milli", "12.5");
        assertThat(e.getMessage()).contains("not an integer");
    }

    @Test
    void negativeMemoryIsRejected() throws IOException {
        TraceFormatException e = podError(POD_HEADER + "\np0,1000,-1,1,1000,\n", 2, "memory_mib", "-1");
        assertThat(e.getMessage()).contains("negative");
    }

    @Test
    void gpuMilliAboveOneGpuIsRejected() throws IOException {
        podError(POD_HEADER + "\np0,1000,1024,1,1000,\np1,1000,1024,2,1000,\np2,1000,1024,1,1500,\n", 4,
                "gpu_milli", "1500");
    }

    @Test
    void gpuMilliZeroForAGpuPodIsRejected() throws IOException {
        podError(POD_HEADER + "\np0,1000,1024,1,0,\n", 2, "gpu_milli", "0");
    }

    @Test
    void aShareOnTwoGpusIsRejected() throws IOException {
        TraceFormatException e = podError(POD_HEADER + "\np0,1000,1024,2,500,\n", 2, "gpu_milli", "500");
        assertThat(e.getMessage()).contains("num_gpu 1");
    }

    @Test
    void duplicatePodNameIsRejected() throws IOException {
        TraceFormatException e = podError(POD_HEADER + "\np0,1000,1024,1,1000,\np1,1,1,0,0,\np0,1000,1024,0,0,\n",
                4, "name", "p0");
        assertThat(e.getMessage()).contains("duplicate");
    }

    @Test
    void duplicateNodeNameIsRejected() throws IOException {
        nodeError(NODE_HEADER + "\nn0,1000,1024,1,T4\nn0,1000,1024,1,T4\n", 3, "sn", "n0");
    }

    @Test
    void missingRequiredColumnIsNamedOnTheHeaderLine() throws IOException {
        TraceFormatException e = podError("name,cpu_milli,memory_mib,gpu_milli\np0,1000,1024,1000\n", 1,
                "num_gpu", null);
        assertThat(e.getMessage()).contains("missing column");
    }

    @Test
    void wrongFieldCountNamesTheLine() throws IOException {
        TraceFormatException e = podError(POD_HEADER + "\np0,1000,1024,1,1000,\np1,1000,1024,1\n", 3, "", null);
        assertThat(e.getMessage()).contains("expected 6 fields").contains("found 4");
    }

    @Test
    void extraFieldNamesTheLine() throws IOException {
        podError(POD_HEADER + "\np0,1000,1024,1,1000,,surplus\n", 2, "", null);
    }

    @Test
    void lineNumbersCountBlankLines() throws IOException {
        podError(POD_HEADER + "\np0,1000,1024,1,1000,\n\np1,x,1024,1,1000,\n", 4, "cpu_milli", "x");
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        TraceFormatException e = podError("", 1, "", null);
        assertThat(e.getMessage()).contains("empty file");
        nodeError("", 1, "", null);
    }

    @Test
    void headerWithoutRowsIsRejected() throws IOException {
        TraceFormatException e = podError(POD_HEADER + "\n", 1, "", null);
        assertThat(e.getMessage()).contains("no pods");
        TraceFormatException n = nodeError(NODE_HEADER + "\n", 1, "", null);
        assertThat(n.getMessage()).contains("no nodes");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("no-such-pods.csv");
        assertThatThrownBy(() -> OpenbTraceReader.readPods(missing)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
        assertThatThrownBy(() -> OpenbTraceReader.readNodes(missing)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void emptyModelInGpuSpecIsRejected() throws IOException {
        TraceFormatException e = podError(POD_HEADER + "\np0,1000,1024,1,1000,A||B\n", 2, "gpu_spec", "A||B");
        assertThat(e.getMessage()).contains("empty model");
        podError(POD_HEADER + "\np0,1000,1024,1,1000,A|\n", 2, "gpu_spec", "A|");
    }

    @Test
    void nodeWithGpusNeedsAModel() throws IOException {
        TraceFormatException e = nodeError(NODE_HEADER + "\nn0,1000,1024,0,\nn1,1000,1024,2,\n", 3, "model", "");
        assertThat(e.getMessage()).contains("GPU model");
    }

    @Test
    void nodeErrorsNameColumnAndValue() throws IOException {
        nodeError(NODE_HEADER + "\nn0,1000,1024,two,T4\n", 2, "gpu", "two");
        nodeError(NODE_HEADER + "\nn0,1000,-5,1,T4\n", 2, "memory_mib", "-5");
        nodeError(NODE_HEADER + "\nn0,1000,1024,65,T4\n", 2, "gpu", "65");
    }

    @Test
    void podsWithoutGpuSpecColumnHaveNoConstraint() throws IOException {
        Path file = write("multigpu.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
                + "openb-pod-0000,12000,16384,1,1000\nopenb-pod-0001,6000,12288,8,1000\n");
        List<PodRequest> pods = OpenbTraceReader.readPods(file);
        assertThat(pods).extracting(PodRequest::name).containsExactly("openb-pod-0000", "openb-pod-0001");
        assertThat(pods).allSatisfy(p -> assertThat(p.allowedGpuModels()).isEmpty());
        assertThat(pods.get(1).gpuCount()).isEqualTo(8);
        assertThat(pods.get(1).totalGpuMilli()).isEqualTo(8000);
    }

    @Test
    void happyPathReadsTheOpenbLayout() throws IOException {
        Path file = write("pods.csv", "\uFEFFname,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
                + "creation_time,deletion_time,scheduled_time\n"
                + "openb-pod-0000,12000,16384,1,1000,,LS,Running,0,12537496,0\n"
                + "openb-pod-0001,6000,12288,1,460,V100M16|V100M32,LS,Failed,427061,12902960,427061\n"
                + "openb-pod-0002,20000,65536,0,700,,BE,Pending,1,2,3\n"
                + "openb-pod-0003,3152,0,2,1000,G2,LS,Running,,,\n");
        List<PodRequest> pods = OpenbTraceReader.readPods(file);
        assertThat(pods).hasSize(4);

        PodRequest whole = pods.get(0);
        assertThat(whole.name()).isEqualTo("openb-pod-0000");
        assertThat(whole.cpuMilli()).isEqualTo(12000);
        assertThat(whole.memoryMib()).isEqualTo(16384);
        assertThat(whole.gpuCount()).isEqualTo(1);
        assertThat(whole.gpuMilliPerGpu()).isEqualTo(1000);
        assertThat(whole.allowedGpuModels()).isEmpty();

        PodRequest share = pods.get(1);
        assertThat(share.gpuMilliPerGpu()).isEqualTo(460);
        assertThat(share.isGpuShare()).isTrue();
        assertThat(share.allowedGpuModels()).containsExactly("V100M16", "V100M32");
        assertThat(share.gpuModelSpec()).isEqualTo("V100M16|V100M32");

        PodRequest cpuOnly = pods.get(2);
        assertThat(cpuOnly.gpuCount()).isZero();
        assertThat(cpuOnly.gpuMilliPerGpu()).as("num_gpu 0 forces gpu milli 0").isZero();
        assertThat(cpuOnly.totalGpuMilli()).isZero();

        PodRequest multi = pods.get(3);
        assertThat(multi.memoryMib()).isZero();
        assertThat(multi.gpuCount()).isEqualTo(2);
        assertThat(multi.allowedGpuModels()).containsExactly("G2");
    }

    @Test
    void duplicateModelsInGpuSpecAreKeptAsWritten() throws IOException {
        Path file = write("pods.csv", POD_HEADER + "\np0,1000,1024,1,500,V100M16|V100M32|V100M32\n");
        assertThat(OpenbTraceReader.readPods(file).get(0).allowedGpuModels())
                .containsExactly("V100M16", "V100M32", "V100M32");
    }

    @Test
    void happyPathReadsNodes() throws IOException {
        Path file = write("nodes.csv", NODE_HEADER + ",extra\nopenb-node-0000,64000,262144,2,P100,x\n"
                + "openb-node-0001,96000,393216,0,,y\n");
        List<NodeSpec> nodes = OpenbTraceReader.readNodes(file);
        assertThat(nodes).containsExactly(
                new NodeSpec("openb-node-0000", 64000, 262144, 2, "P100", OpenbTraceReader.OPENB_MAX_PODS),
                new NodeSpec("openb-node-0001", 96000, 393216, 0, "", OpenbTraceReader.OPENB_MAX_PODS));
        assertThat(OpenbTraceReader.OPENB_MAX_PODS).isEqualTo(1001);
    }
}
