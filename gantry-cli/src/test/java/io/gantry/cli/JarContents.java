package io.gantry.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** What a jar holds that must not ship in the production image: mock API servers and the load test. */
final class JarContents {

    /**
     * Package prefixes of mock servers and test-only code: fabric8's mock web server and Kubernetes mock, OkHttp's
     * MockWebServer, Gantry's sandbox (fabric8's mock made to bind) and the load test with its API server.
     */
    static final List<String> FORBIDDEN = List.of(
            "io/fabric8/mockwebserver/",
            "io/fabric8/kubernetes/client/server/mock/",
            "okhttp3/mockwebserver/",
            "mockwebserver3/",
            "io/gantry/kube/sandbox/",
            "io/gantry/loadtest/");

    private JarContents() {
    }

    /** The entries of the jar under a forbidden prefix, sorted; empty when the jar is clean. */
    static List<String> forbiddenEntries(Path jar) throws IOException {
        List<String> found = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                String name = e.getName();
                for (String prefix : FORBIDDEN) {
                    if (name.startsWith(prefix) && !e.isDirectory()) {
                        found.add(name);
                    }
                }
            }
        }
        Collections.sort(found);
        return found;
    }
}
