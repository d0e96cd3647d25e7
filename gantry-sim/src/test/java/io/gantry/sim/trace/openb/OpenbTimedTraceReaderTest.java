package io.gantry.sim.trace.openb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.sim.trace.TimedTrace;
import io.gantry.sim.trace.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenbTimedTraceReaderTest {

    private static final String HEADER =
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        Path f = dir.resolve("openb_pod_list_test.csv");
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void arrivesAtCreationAndRunsFromScheduledToDeletion() throws IOException {
        TimedTrace t = new OpenbTimedTraceReader().read(write(HEADER,
                "p0,1000,1024,1,500,,LS,Running,10,110,30",
                "p1,1000,1024,0,0,,BE,Pending,20,50,"));
        assertThat(t.name()).isEqualTo("openb_pod_list_test");
        assertThat(t.pods()).hasSize(2);
        assertThat(t.pods().get(0).arrivalMillis()).isEqualTo(10_000);
        assertThat(t.pods().get(0).durationMillis()).isEqualTo(80_000); // 110 - 30
        assertThat(t.pods().get(0).pod().gpuMilliPerGpu()).isEqualTo(500);
        assertThat(t.pods().get(1).durationMillis()).isEqualTo(30_000); // never scheduled: 50 - 20
        assertThat(t.endMillis()).isEqualTo(110_000);
    }

    @Test
    void listsWithoutTimesAreRefusedNamingTheMissingColumns() throws IOException {
        Path f = write("name,cpu_milli,memory_mib,num_gpu,gpu_milli", "p0,1000,1024,1,1000");
        assertThatThrownBy(() -> new OpenbTimedTraceReader().read(f)).isInstanceOf(TraceFormatException.class)
                .hasMessage(f + ":1: column 'creation_time': time mode needs the columns creation_time and "
                        + "deletion_time, and this pod list has no creation_time, no deletion_time (the openb "
                        + "multigpu* lists have no times); simulate it with --mode paper");
    }

    @Test
    void badTimesNameFileLineColumnAndValue() throws IOException {
        Path f = write(HEADER, "p0,1000,1024,1,1000,,LS,Running,10,110,30", "p1,1000,1024,1,1000,,LS,Running,50,40,");
        assertThatThrownBy(() -> new OpenbTimedTraceReader().read(f)).hasMessage(f
                + ":3: column 'deletion_time': value '40': before creation_time 50; a task ends after it starts");
        Path g = write(HEADER, "p0,1000,1024,1,1000,,LS,Running,soon,110,30");
        assertThatThrownBy(() -> new OpenbTimedTraceReader().read(g))
                .hasMessage(g + ":2: column 'creation_time': value 'soon': not a number of seconds");
        Path h = write(HEADER, "p0,1000,1024,1,1000,,LS,Running,,110,30");
        assertThatThrownBy(() -> new OpenbTimedTraceReader().read(h))
                .hasMessage(h + ":2: column 'creation_time': value '': empty time; every openb task has a creation_time");
    }

    @Test
    void ownerAndExpectedDurationColumnsBecomeWhatBackfillReads() throws IOException {
        TimedTrace t = new OpenbTimedTraceReader().read(write(HEADER + ",queue,owner,expected_duration_s",
                "p0,1000,1024,1,1000,,LS,Running,10,110,30,team-a,nightly-train,90",
                "p1,1000,1024,1,1000,,LS,Running,10,110,30,team-a,,"));
        var p0 = t.pods().get(0).pod();
        assertThat(io.gantry.engine.tenancy.TenancyKeys.ownerOf(p0)).isEqualTo("nightly-train");
        assertThat(p0.attributes().getOrNull(io.gantry.engine.tenancy.TenancyKeys.EXPECTED_SECONDS)).isEqualTo(90L);
        var p1 = t.pods().get(1).pod();
        assertThat(p1.attributes().getOrNull(io.gantry.engine.tenancy.TenancyKeys.EXPECTED_SECONDS)).isNull();
        Path bad = write(HEADER + ",expected_duration_s", "p0,1000,1024,1,1000,,LS,Running,10,110,30,an hour");
        assertThatThrownBy(() -> new OpenbTimedTraceReader().read(bad)).hasMessage(bad
                + ":2: column 'expected_duration_s': value 'an hour': not a number of seconds");
    }
}
