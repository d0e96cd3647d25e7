package io.gantry.gpu.smi;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuDiscoveryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one command with a time limit and returns its exit code and output. */
final class CommandRunner {

    /** Output beyond this is dropped; nvidia-smi prints a few KiB even on large nodes. */
    private static final int MAX_OUTPUT_BYTES = 4 << 20;

    private final Duration timeout;

    CommandRunner(Duration timeout) {
        this.timeout = requireNonNull(timeout, "timeout");
    }

    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** The command as a shell would show it. */
        String commandLine() {
            return String.join(" ", command);
        }

        /** The first lines of stdout and stderr, where nvidia-smi puts its reason. */
        String firstLines() {
            return NvidiaSmiParser.firstLines(stdout + "\n" + stderr, 3);
        }
    }

    /**
     * Runs {@code command}.
     *
     * @throws GpuDiscoveryException when it cannot start or runs past the time limit
     */
    Result run(List<String> command) {
        List<String> cmd = List.copyOf(command);
        Process process;
        try {
            process = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new GpuDiscoveryException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // Nothing is sent to the command; closing stdin only spares it a wait for input.
        }
        // Both streams are drained at once so that a full stderr pipe cannot stall the command.
        Drain out = Drain.start(process.getInputStream(), "stdout of " + cmd.get(0));
        Drain err = Drain.start(process.getErrorStream(), "stderr of " + cmd.get(0));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new GpuDiscoveryException(String.join(" ", cmd) + " did not finish within "
                        + describe(timeout) + " (a hung driver?); it was killed");
            }
            return new Result(cmd, process.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new GpuDiscoveryException("interrupted while running " + String.join(" ", cmd), e);
        }
    }

    /** Kills the command and what it started, which would otherwise keep running and hold the output pipes. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Reads a stream to its end on its own thread. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        static Drain start(InputStream in, String name) {
            Drain d = new Drain(in, name);
            d.thread.start();
            return d;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (bytes) {
                        if (bytes.size() < MAX_OUTPUT_BYTES) {
                            bytes.write(buf, 0, Math.min(n, MAX_OUTPUT_BYTES - bytes.size()));
                        }
                    }
                }
            } catch (IOException e) {
                // The process went away; what was read is all there is.
            }
        }

        String text() throws InterruptedException {
            // The process has exited, so the pipe closes; the bound only guards against a grandchild holding it.
            thread.join(5_000);
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    static List<String> command(String executable, List<String> args) {
        List<String> cmd = new ArrayList<>(args.size() + 1);
        cmd.add(executable);
        cmd.addAll(args);
        return cmd;
    }
}
