package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** Files of the repository that tests read: Maven runs them in gantry-cli/, one level below the root. */
final class Repo {

    /** The four A100s of deploy/examples/fake-inventory.yaml, in index order. */
    static final String[] FAKE_UUIDS = {
        "GPU-3f6c2a4e-8d1b-4c57-9e2a-61b0d7c4a812",
        "GPU-a81d5e07-2c3f-4b69-8f14-d93e2b6a0c57",
        "GPU-5b9e7c31-f0a4-4d82-a6c3-2e47f1d8b950",
        "GPU-c4027f9b-6e58-4a1d-b3f0-8a95d2e61c3e"};

    private Repo() {
    }

    static Path root() {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("deploy")).as("deploy/ under the repository root %s", root).isDirectory();
        return root;
    }

    static Path fakeInventory() {
        Path file = root().resolve("deploy/examples/fake-inventory.yaml");
        assertThat(file).isRegularFile();
        return file;
    }
}
