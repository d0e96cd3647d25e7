package io.gantry.loadtest;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code gantry bench}: benchmarks that need more than JMH. Its own runnable jar ({@code gantry-loadtest-*-all.jar},
 * which {@code ./gantry bench ...} runs), so that the load test's API server never ships in the production CLI jar.
 */
@Command(name = "gantry bench", mixinStandardHelpOptions = true, versionProvider = BenchCommand.Version.class,
        description = "Benchmarks of Gantry end to end.",
        subcommands = {SchedulerLoadTest.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with plain-words errors, for tests and {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("gantry bench: " + e.getMessage());
            return 1;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BenchCommand.class.getPackage().getImplementationVersion();
            return new String[] {"gantry bench " + (v == null ? "development build" : v)};
        }
    }
}
