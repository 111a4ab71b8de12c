package dev.keel.cli;

import dev.keel.server.Version;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code keel} command line. */
@Command(name = "keel", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Keel operates machine-learning models in production: registry, serving, pipelines, monitoring.",
        subcommands = {VersionCommand.class, ServerCommand.class, DemoCommand.class, TokenCommands.class, ProjectCommands.class,
            ModelCommands.class, EndpointCommands.class, AuditCommands.class, MonitorCommands.class, DriftCommands.class,
            PipelineCommands.class, DatasetCommands.class, AlertCommands.class, SilenceCommands.class, IncidentCommands.class,
            PolicyCommands.class, TrainingCommands.class, ApprovalCommands.class, ScoringCommands.class, LoginCommand.class, LogoutCommand.class,
            AdminCommands.class,
            CommandLine.HelpCommand.class})
public final class Main {
    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Keel server URL (default: $KEEL_URL or http://localhost:8080); before or after the subcommand")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "API token or identity provider JWT (default: $KEEL_TOKEN, else the one `keel login` stored)")
    String token;

    @Option(names = "--credentials", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Where `keel login` stores the token (default: $KEEL_CREDENTIALS or ~/.config/keel/credentials)")
    String credentials;

    @Spec
    CommandLine.Model.CommandSpec spec;

    String output;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "How answers are printed: table or json (default: table)")
    void output(String value) {
        if (!value.equalsIgnoreCase("table") && !value.equalsIgnoreCase("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-o must be table or json, got '" + value + "'");
        }
        this.output = value;
    }

    /** Reads the version from the build. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"keel " + Version.current()};
        }
    }

    /** A command given something it cannot use (exit code 2, as for picocli's own usage errors); the message says what was expected. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message, null, false, false);
        }
    }

    /** Gives every command under {@code keel} a {@code -h}/{@code --help} option (the top level has it from the standard options). */
    private static void addHelp(CommandLine line) {
        for (CommandLine sub : line.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            if (spec.findOption("--help") == null && spec.findOption("-h") == null) {
                spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
            addHelp(sub);
        }
    }

    public static void main(String[] arguments) {
        java.util.logging.Logger.getLogger("org.tribuo").setLevel(java.util.logging.Level.WARNING);
        System.exit(run(arguments));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 failure, 2 usage error. */
    public static int run(String... arguments) {
        CommandLine commandLine = new CommandLine(new Main());
        addHelp(commandLine);
        commandLine.setExecutionExceptionHandler((failure, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (failure instanceof KeelClient.ApiException api) {
                err.println("error: " + api.getMessage() + (api.status() > 0 ? " (" + api.code() + ", HTTP " + api.status() + ")" : ""));
            } else if (failure instanceof dev.keel.core.error.KeelException keel) {
                err.println("error: " + keel.getMessage() + " (" + keel.code() + ")");
            } else if (failure instanceof UsageError usage) {
                err.println("error: " + usage.getMessage());
                err.flush();
                return 2;
            } else if (failure instanceof java.nio.file.NoSuchFileException missing) {
                err.println("error: no such file: " + missing.getFile());
                err.flush();
                return 2;
            } else if (failure instanceof java.nio.file.AccessDeniedException denied) {
                err.println("error: cannot read " + denied.getFile() + " (permission denied)");
                err.flush();
                return 2;
            } else {
                err.println("error: " + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()));
            }
            err.flush();
            return 1;
        });
        return commandLine.execute(arguments);
    }
}
