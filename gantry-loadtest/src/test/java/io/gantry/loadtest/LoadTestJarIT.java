package io.gantry.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The load test's runnable jar as {@code ./gantry bench} starts it: the API server child runs from it too. */
class LoadTestJarIT {

    @Test
    void benchSchedulerRunsFromTheJarAndPasses() throws Exception {
        String jar = System.getProperty("loadTestJar");
        assertThat(jar).as("system property loadTestJar (set by failsafe)").isNotNull();
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar, "scheduler", "--nodes", "10", "--pods", "30", "--timeout", "120"))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("API server started (pid", "30 / 30", "pods/s", "check: OK")
                .doesNotContain("Exception");
    }
}
