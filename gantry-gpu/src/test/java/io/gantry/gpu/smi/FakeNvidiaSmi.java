package io.gantry.gpu.smi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An executable {@code nvidia-smi} shell script in a directory of its own that answers from files the test writes:
 * the query output, its exit code and stderr, {@code topo -m}, the banner, and fields it rejects as an old driver
 * would.
 */
public final class FakeNvidiaSmi {

    private static final String SCRIPT = """
            #!/bin/sh
            # A stand-in for nvidia-smi; every answer comes from a file next to this script.
            dir=$(dirname "$0")
            case "$1" in
              --query-gpu=*)
                for f in $(cat "$dir/reject" 2>/dev/null); do
                  case "$1" in *"$f"*) echo "Field \\"$f\\" is not a valid field to query."; echo; exit 2;; esac
                done
                if [ -f "$dir/sleep" ]; then sleep "$(cat "$dir/sleep")"; fi
                cat "$dir/query.out"
                if [ -f "$dir/query.err" ]; then cat "$dir/query.err" >&2; fi
                exit "$(cat "$dir/query.rc")";;
              topo)
                cat "$dir/topo.out"
                exit "$(cat "$dir/topo.rc")";;
              "")
                cat "$dir/banner.out";;
              *)
                echo "unexpected arguments: $*" >&2; exit 64;;
            esac
            """;

    private final Path dir;

    public FakeNvidiaSmi(Path dir) {
        this.dir = dir;
        write("nvidia-smi", SCRIPT);
        try {
            Files.setPosixFilePermissions(dir.resolve("nvidia-smi"), PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        query("", 0);
        topo("", 0);
        banner("");
    }

    public String executable() {
        return dir.resolve("nvidia-smi").toString();
    }

    public FakeNvidiaSmi query(String stdout, int exitCode) {
        write("query.out", stdout);
        write("query.rc", Integer.toString(exitCode));
        return this;
    }

    public FakeNvidiaSmi queryStderr(String stderr) {
        return write("query.err", stderr);
    }

    public FakeNvidiaSmi topo(String stdout, int exitCode) {
        write("topo.out", stdout);
        return write("topo.rc", Integer.toString(exitCode));
    }

    public FakeNvidiaSmi banner(String stdout) {
        return write("banner.out", stdout);
    }

    /** Fields the query rejects, as a driver that does not know them does. */
    public FakeNvidiaSmi reject(String... fields) {
        return write("reject", String.join(" ", fields));
    }

    public FakeNvidiaSmi hang(int seconds) {
        return write("sleep", Integer.toString(seconds));
    }

    private FakeNvidiaSmi write(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
