package io.gantry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gantry} command. */
@Command(name = "gantry", mixinStandardHelpOptions = true, versionProvider = GantryCommand.Version.class,
        description = "GPU-aware scheduling for Kubernetes: simulate policies on GPU cluster traces, run the "
                + "scheduler and the node agent, list a node's GPUs.",
        footer = {"", "The scheduler load test is not in this jar (it brings its own API server):",
            "  ./gantry bench scheduler   (builds and runs gantry-loadtest's jar)"},
        subcommands = {SimulateCommand.class, SchedulerCommand.class, AgentCommand.class, DiscoverCommand.class,
            CommandLine.HelpCommand.class})
public final class GantryCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Gantry's error handling, for tests and {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GantryCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("gantry: " + e.getMessage());
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
            String v = GantryCommand.class.getPackage().getImplementationVersion();
            return new String[] {"gantry " + (v == null ? "development build" : v)};
        }
    }
}
