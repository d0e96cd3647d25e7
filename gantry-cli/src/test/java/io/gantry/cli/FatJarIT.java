package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar as users start it: everything it needs is inside. */
class FatJarIT {

    @TempDir
    Path dir;

    private static Path jar() {
        String path = System.getProperty("fatJar");
        assertThat(path).as("system property fatJar (set by failsafe)").isNotNull();
        return Path.of(path);
    }

    private Process start(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void simulatesTheBuiltInWorkloadAndWritesEveryReport() throws Exception {
        Path out = dir.resolve("out");
        Process p = start("simulate", "--policy", "fgd,random", "--out", out.toString());
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("synthetic-openb", "fgd", "random", "[2/2]", "2 runs in");
        for (String file : List.of("alloc.csv", "frag.csv", "frag_ratio.csv", "summary.json")) {
            assertThat(out.resolve(file)).isNotEmptyFile();
        }
        assertThat(Files.readString(out.resolve("summary.json"))).contains("\"sc_policy\" : \"06-FGD\"");
    }

    @Test
    void versionAndHelpWork() throws Exception {
        Process p = start("--help");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(output).contains("Usage: gantry", "simulate");

        Process v = start("--version");
        String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(v.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(version.trim()).isEqualTo("gantry 0.1.0-SNAPSHOT");
    }
}
