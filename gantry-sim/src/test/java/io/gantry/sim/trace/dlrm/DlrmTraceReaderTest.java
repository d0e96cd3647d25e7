package io.gantry.sim.trace.dlrm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.plugins.GroupDensityLimit;
import io.gantry.sim.trace.TimedPod;
import io.gantry.sim.trace.TimedTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DlrmTraceReaderTest {

    private static final String HEADER = "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,"
            + "rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,"
            + "creation_time,scheduled_time,deletion_time";

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        Path f = dir.resolve("dlrm.csv");
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void emptyTimesMeanBeforeTheStartAndStillRunningAtTheEnd() throws IOException {
        TimedTrace t = new DlrmTraceReader().read(write(HEADER,
                "i0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,",
                "i1,CN,app_1,8,8,0,0,1,1,40.5,40.5,0,0,-1,100.5,130.0000000002,1130",
                "i2,CN,app_1,8,8,0,0,0,0,40,40,0,0,-1,,,500"));
        TimedPod i0 = t.pods().get(0);
        assertThat(i0.arrivalMillis()).isZero();
        assertThat(i0.runsToEnd()).isTrue();
        assertThat(i0.pod().cpuMilli()).isEqualTo(12_000);
        assertThat(i0.pod().memoryMib()).isEqualTo(120 * 1024);
        assertThat(i0.pod().gpuCount()).isEqualTo(1);
        assertThat(i0.pod().gpuMilliPerGpu()).isEqualTo(1000);
        assertThat(i0.pod().attributes().get(GroupDensityLimit.LIMIT))
                .contains(new GroupDensityLimit.Limit("app_0", 8));
        assertThat(i0.pod().placement().nodeSelector()).containsEntry(DlrmTraceReader.ROLE_LABEL, "HN");

        TimedPod i1 = t.pods().get(1);
        assertThat(i1.arrivalMillis()).isEqualTo(100_500);
        assertThat(i1.durationMillis()).isEqualTo(1_000_000); // 1130 - 130
        assertThat(i1.pod().memoryMib()).isEqualTo(41_472); // 40.5 GiB
        assertThat(i1.pod().attributes().get(GroupDensityLimit.LIMIT)).isEmpty(); // -1: no limit
        assertThat(io.gantry.engine.tenancy.TenancyKeys.ownerOf(i1.pod())).isEqualTo("app_1"); // the service
        assertThat(i1.pod().placement().nodeSelector()).containsEntry(DlrmTraceReader.ROLE_LABEL, "CN");

        TimedPod i2 = t.pods().get(2); // existed before the start, deleted at 500 s
        assertThat(i2.arrivalMillis()).isZero();
        assertThat(i2.durationMillis()).isEqualTo(500_000);

        assertThat(t.endMillis()).isEqualTo(1_130_000);
        assertThat(t.notModelled()).containsExactly(
                "rdma_request (share of an RDMA NIC, 2 instances): not an engine resource",
                "disk_request (local disk, 1 instances): not an engine resource");
    }

    @Test
    void badRowsNameFileLineColumnAndValue() throws IOException {
        Path role = write(HEADER, "i0,XN,app_0,12,12,1,1,25,25,120,120,640,800,8,,,");
        assertThatThrownBy(() -> new DlrmTraceReader().read(role))
                .hasMessage(role + ":2: column 'role': value 'XN': expected CN (CPU node) or HN (GPU node)");
        Path limit = write(HEADER, "i0,HN,app_0,12,12,1,1,25,25,120,120,640,800,0,,,");
        assertThatThrownBy(() -> new DlrmTraceReader().read(limit)).hasMessage(limit
                + ":2: column 'max_instance_per_node': value '0': must be -1 (no limit) or at least 1");
        Path gpu = write(HEADER, "i0,HN,app_0,12,12,1.5,1,25,25,120,120,640,800,2,,,");
        assertThatThrownBy(() -> new DlrmTraceReader().read(gpu)).hasMessage(gpu + ":2: column 'gpu_request': "
                + "value '1.5': a GPU request is a share below 1 or a whole number of GPUs (at most 64)");
        Path order = write(HEADER, "i0,HN,app_0,12,12,1,1,25,25,120,120,640,800,2,100,120,110");
        assertThatThrownBy(() -> new DlrmTraceReader().read(order)).hasMessage(order + ":2: column 'deletion_time': "
                + "value '110': before the instance started; an instance ends after it starts");
    }
}
