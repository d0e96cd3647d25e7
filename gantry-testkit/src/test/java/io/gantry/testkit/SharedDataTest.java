package io.gantry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class SharedDataTest {

    @TempDir
    Path dir;

    @Test
    void presentDataIsReturnedInAndOutsideCi() throws IOException {
        Path file = Files.writeString(dir.resolve("rows.csv"), "x\n");
        assertThat(SharedData.require(file, "true")).isEqualTo(file);
        assertThat(SharedData.require(file, null)).isEqualTo(file);
        assertThat(SharedData.require(dir, "true")).as("a folder counts").isEqualTo(dir);
        assertThat(SharedData.present(file, "true")).isTrue();
        assertThat(SharedData.present(file, null)).isTrue();
    }

    @Test
    void missingDataFailsInCiNamingThePath() {
        Path missing = dir.resolve("traces/openb");
        for (String ci : new String[] {"true", "1", "yes"}) {
            assertThatThrownBy(() -> SharedData.require(missing, ci)).isExactlyInstanceOf(AssertionError.class)
                    .hasMessageContaining("shared data missing: " + missing + " does not exist")
                    .hasMessageContaining("-Dgantry.shared.dir");
            assertThatThrownBy(() -> SharedData.present(missing, ci)).isExactlyInstanceOf(AssertionError.class)
                    .hasMessageContaining(missing.toString());
        }
    }

    @Test
    void missingDataIsSkippedOutsideCi() {
        Path missing = dir.resolve("benchmarks/paper.csv");
        for (String ci : new String[] {null, "", "false", "0"}) {
            assertThatThrownBy(() -> SharedData.require(missing, ci)).isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("shared data not present at " + missing);
            assertThat(SharedData.present(missing, ci)).isFalse();
        }
    }

    @Test
    void theFolderComesFromTheBuildsProperty() {
        String before = System.getProperty(SharedData.DIR_PROPERTY);
        try {
            System.setProperty(SharedData.DIR_PROPERTY, dir.toString());
            assertThat(SharedData.dir()).isEqualTo(dir.toAbsolutePath().normalize());
            assertThatThrownBy(() -> SharedData.require("traces/none"))
                    .hasMessageContaining(dir.resolve("traces/none").toString());
        } finally {
            if (before == null) {
                System.clearProperty(SharedData.DIR_PROPERTY);
            } else {
                System.setProperty(SharedData.DIR_PROPERTY, before);
            }
        }
    }
}
