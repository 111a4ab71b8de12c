package dev.keel.cli;

import dev.keel.server.Version;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code keel} command line. */
@Command(name = "keel", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Keel operates machine-learning models in production: registry, serving, pipelines, monitoring.",
        subcommands = {VersionCommand.class, ServerCommand.class, DemoCommand.class, TokenCommands.class, ProjectCommands.class,
            ModelCommands.class, EndpointCommands.class, AuditCommands.class, MonitorCommands.class, DriftCommands.class,
            PipelineCommands.class, DatasetCommands.class,
            CommandLine.HelpCommand.class})
public final class Main {
    /** Reads the version from the build. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"keel " + Version.current()};
        }
    }

    public static void main(String[] arguments) {
        java.util.logging.Logger.getLogger("org.tribuo").setLevel(java.util.logging.Level.WARNING);
        System.exit(run(arguments));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 failure, 2 usage error. */
    public static int run(String... arguments) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((failure, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (failure instanceof KeelClient.ApiException api) {
                err.println("error: " + api.getMessage() + (api.status() > 0 ? " (" + api.code() + ", HTTP " + api.status() + ")" : ""));
            } else if (failure instanceof dev.keel.core.error.KeelException keel) {
                err.println("error: " + keel.getMessage() + " (" + keel.code() + ")");
            } else {
                err.println("error: " + failure);
            }
            err.flush();
            return 1;
        });
        return commandLine.execute(arguments);
    }
}
