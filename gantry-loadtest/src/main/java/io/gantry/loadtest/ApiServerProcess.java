package io.gantry.loadtest;

import io.gantry.loadtest.apiserver.ApiServerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The standalone API server as a child JVM on 127.0.0.1, started from this JVM's own class path. It lives while this
 * handle holds its standard input open; {@link #close()} closes it, then kills the process if it has not gone.
 */
public final class ApiServerProcess implements AutoCloseable {

    private final Process process;
    private final String url;

    private ApiServerProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Starts the server with these JVM options (for example {@code -Xmx2g}) and event loops, and waits until it
     * listens.
     */
    public static ApiServerProcess start(List<String> jvmOptions, int eventLoops, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ApiServerMain.class.getName());
        command.add("--port");
        command.add("0");
        command.add("--event-loops");
        command.add(Integer.toString(eventLoops));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = new CompletableFuture<>();
        StringBuilder early = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith(ApiServerMain.READY)) {
                        ready.complete(line.substring(ApiServerMain.READY.length()).trim());
                    } else {
                        synchronized (early) {
                            early.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.complete(null);
        }, "loadtest-apiserver-output");
        reader.setDaemon(true);
        reader.start();
        String url;
        try {
            url = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            url = null;
        }
        if (url == null) {
            p.destroyForcibly();
            String said;
            synchronized (early) {
                said = early.toString();
            }
            throw new IOException("the API server process did not start within " + timeout.toSeconds() + " s"
                    + (said.isEmpty() ? "" : "; it said:\n" + said));
        }
        return new ApiServerProcess(p, url);
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    /** CPU time the server process has used so far (user + system), in nanoseconds; -1 if the OS does not say. */
    public long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    @Override
    public void close() {
        try {
            OutputStream in = process.getOutputStream();
            in.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
