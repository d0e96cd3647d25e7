package io.gantry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the gantry command in the test JVM, capturing what it prints. */
final class CliRun {

    private CliRun() {
    }

    /** The exit code of {@code gantry args...}; stdout goes to {@code out}, stderr to {@code err}. */
    static int execute(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = GantryCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
