package io.gantry.loadtest.apiserver;

import java.io.IOException;
import java.io.InputStream;

/**
 * Runs the {@link ApiServer} as its own process: {@code --port P} (0: a free one), {@code --event-loops N},
 * {@code --history N}. Prints {@code listening on http://127.0.0.1:PORT} once it serves, and exits when its
 * standard input closes, so that it never outlives the load test that started it.
 */
public final class ApiServerMain {

    /** The line the parent waits for; the URL follows it. */
    public static final String READY = "gantry-loadtest api server listening on ";

    private ApiServerMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = 0;
        int eventLoops = 2;
        int history = 200_000;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + a);
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--port" -> port = Integer.parseInt(v);
                    case "--event-loops" -> eventLoops = Integer.parseInt(v);
                    case "--history" -> history = Integer.parseInt(v);
                    default -> usage("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                usage(a + " needs a number, got '" + v + "'");
            }
        }
        ApiServer server = ApiServer.start("127.0.0.1", port, eventLoops, history);
        System.out.println(READY + server.url());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // the parent holds our stdin open while it needs us
        }
        server.close();
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("gantry-loadtest api server: " + problem
                + "; usage: ApiServerMain [--port P] [--event-loops N] [--history N]");
        System.exit(2);
    }
}
