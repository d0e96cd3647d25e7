package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check FatJarIT runs on the production jar finds mock-server classes when they are there. */
class JarContentsTest {

    @TempDir
    Path dir;

    private Path jar(String... entries) throws IOException {
        Path jar = dir.resolve("test.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String e : entries) {
                zip.putNextEntry(new ZipEntry(e));
                zip.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
                zip.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void findsEveryKindOfMockServerClass() throws IOException {
        Path jar = jar("io/gantry/cli/GantryCommand.class", "io/fabric8/mockwebserver/MockWebServer.class",
                "io/fabric8/kubernetes/client/server/mock/KubernetesCrudDispatcher.class",
                "okhttp3/mockwebserver/MockWebServer.class", "io/gantry/kube/sandbox/KubeSandbox.class",
                "io/gantry/loadtest/apiserver/ApiServer.class", "io/fabric8/kubernetes/client/KubernetesClient.class");
        assertThat(JarContents.forbiddenEntries(jar)).containsExactly(
                "io/fabric8/kubernetes/client/server/mock/KubernetesCrudDispatcher.class",
                "io/fabric8/mockwebserver/MockWebServer.class", "io/gantry/kube/sandbox/KubeSandbox.class",
                "io/gantry/loadtest/apiserver/ApiServer.class", "okhttp3/mockwebserver/MockWebServer.class");
    }

    @Test
    void aCleanJarHasNone() throws IOException {
        assertThat(JarContents.forbiddenEntries(jar("io/gantry/cli/GantryCommand.class",
                "io/fabric8/kubernetes/client/KubernetesClient.class", "META-INF/MANIFEST.MF"))).isEqualTo(List.of());
    }
}
