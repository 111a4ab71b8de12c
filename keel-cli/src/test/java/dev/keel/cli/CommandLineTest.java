package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.json.Json;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's own behaviour: help everywhere, client options anywhere, clear messages for bad input. */
class CommandLineTest {
    private static final String[] NONE = {};

    @TempDir
    static Path directory;
    static ServerCommand.Started started;
    static String url;
    static String token;

    @BeforeAll
    static void start() {
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.resolve("data").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1"));
        started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        url = "http://127.0.0.1:" + started.server().port();
        token = started.adminSecret().orElseThrow();
    }

    @AfterAll
    static void stop() {
        started.server().close();
    }

    private static String[] client() {
        return new String[] {"--url", url, "--token", token};
    }

    private static byte[] creditModel() throws Exception {
        return Files.readAllBytes(Path.of("..", "build", "fixtures", "models", "credit_rf.onnx"));
    }

    @Test
    void groupCommands_answerHelp() {
        for (String group : new String[] {"model", "endpoint", "monitor", "pipeline", "dataset", "token", "project", "audit", "drift"}) {
            Cli.Run help = run(NONE, group, "--help");
            assertThat(help.code()).as(group + ": " + help.err()).isZero();
            assertThat(help.out()).as(group).contains("Usage: keel " + group);
        }
    }

    @Test
    void leafCommands_answerHelpWithoutAskingForTheirArguments() {
        Cli.Run register = run(NONE, "model", "register", "--help");
        Cli.Run predict = run(NONE, "endpoint", "predict", "-h");

        assertThat(register.code()).as(register.err()).isZero();
        assertThat(register.out()).contains("Usage: keel model register", "--file");
        assertThat(register.err()).doesNotContain("Missing");
        assertThat(predict.code()).as(predict.err()).isZero();
        assertThat(predict.out()).contains("--data");
    }

    @Test
    void everyOptionAndParameter_hasHelpText() {
        CommandLine root = new CommandLine(new Main());
        List<String> missing = new ArrayList<>();
        collectUndescribed(root, missing);

        assertThat(missing).isEmpty();
    }

    private static void collectUndescribed(CommandLine line, List<String> missing) {
        CommandLine.Model.CommandSpec spec = line.getCommandSpec();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            if (option.inherited() || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            if (option.description().length == 0 || String.join("", option.description()).isBlank()) {
                missing.add(spec.qualifiedName() + " " + option.longestName());
            }
        }
        for (CommandLine.Model.PositionalParamSpec parameter : spec.positionalParameters()) {
            if (parameter.description().length == 0 || String.join("", parameter.description()).isBlank()) {
                missing.add(spec.qualifiedName() + " " + parameter.paramLabel());
            }
        }
        for (CommandLine sub : line.getSubcommands().values()) {
            if (!sub.getCommandName().equals("help")) {
                collectUndescribed(sub, missing);
            }
        }
    }

    @Test
    void clientOptions_workBeforeTheSubcommandAndAfterIt() {
        Cli.Run before = run(NONE, "--url", url, "--token", token, "-o", "json", "model", "list");
        Cli.Run between = run(NONE, "model", "--url", url, "--token", token, "list", "-o", "json");
        Cli.Run after = run(client(), "model", "list", "-o", "json");

        for (Cli.Run each : List.of(before, between, after)) {
            assertThat(each.code()).as(each.err()).isZero();
            assertThat(each.out()).contains("\"models\"");
        }
    }

    @Test
    void output_otherThanTableOrJson_isAUsageError() {
        Cli.Run refused = run(client(), "model", "list", "-o", "yaml");

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("-o must be table or json, got 'yaml'");
    }

    @Test
    void tokenGrantOfTheWrongForm_isAUsageError() {
        Cli.Run refused = run(client(), "token", "create", "billing", "--grant", "nonsense");

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("--grant must look like PROJECT=ROLE");
    }

    @Test
    void predict_missingFile_isAClearUsageError() {
        Cli.Run missing = run(client(), "endpoint", "predict", "nowhere", "--file", directory.resolve("absent.json").toString());

        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file", "absent.json").doesNotContain("Exception");
    }

    @Test
    void predict_dataThatIsNotJson_isAClearUsageError() {
        Cli.Run notJson = run(client(), "endpoint", "predict", "nowhere", "--data", "notjson");

        assertThat(notJson.code()).isEqualTo(2);
        assertThat(notJson.err()).contains("--data", "is not JSON").doesNotContain("Exception").doesNotContain("com.fasterxml");
    }

    @Test
    void register_aFileThatIsNotOnnx_isRefusedBeforeTheModelIsCreated() throws Exception {
        Path notOnnx = directory.resolve("hostname");
        Files.writeString(notOnnx, "keel-host\n");

        Cli.Run refused = run(client(), "model", "register", "leftover", "--file", notOnnx.toString());
        Cli.Run show = run(client(), "model", "show", "leftover");

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("is not an ONNX model");
        assertThat(show.code()).isEqualTo(1);
        assertThat(show.err()).contains("leftover");
    }

    @Test
    void register_aVersionTheServerRefuses_leavesNoEmptyModelBehind() throws Exception {
        Path model = directory.resolve("credit-narrow.onnx");
        Files.write(model, creditModel());
        Path twoNames = directory.resolve("two-names.json");
        Files.writeString(twoNames, Json.write(List.of("duration", "age")));

        Cli.Run refused = run(client(), "model", "register", "narrow", "--file", model.toString(), "--features", twoNames.toString());
        Cli.Run show = run(client(), "model", "show", "narrow");

        assertThat(refused.code()).as(refused.out()).isNotZero();
        assertThat(show.code()).as(show.out()).isEqualTo(1);
        assertThat(show.err()).contains("narrow");
    }

    @Test
    void register_aMissingFile_isRefusedBeforeTheModelIsCreated() {
        Cli.Run refused = run(client(), "model", "register", "ghost", "--file", directory.resolve("missing.onnx").toString());

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("cannot read the model file");
        assertThat(run(client(), "model", "show", "ghost").code()).isEqualTo(1);
    }

    @Test
    void register_featuresGivenAsPlainNames_areTakenAsNumbers() throws Exception {
        Path model = directory.resolve("credit.onnx");
        Files.write(model, creditModel());
        List<String> names = Files.readAllLines(Path.of("..", "build", "fixtures", "models", "credit_rf_features.txt")).stream()
                .filter(line -> !line.isBlank()).toList();
        Path jsonNames = directory.resolve("names.json");
        Files.writeString(jsonNames, Json.write(names));
        Path lineNames = directory.resolve("names.txt");
        Files.writeString(lineNames, String.join("\n", names) + "\n", StandardCharsets.UTF_8);

        Cli.Run fromJson = run(client(), "model", "register", "named", "--file", model.toString(), "--features", jsonNames.toString());
        Cli.Run fromLines = run(client(), "model", "register", "named", "--file", model.toString(), "--features", lineNames.toString());

        assertThat(fromJson.code()).as(fromJson.err()).isZero();
        assertThat(fromLines.code()).as(fromLines.err()).isZero();
        JsonNode version = new KeelClient(url, Optional.of(token)).get("/v1/models/named/versions/2");
        assertThat(version.path("features").size()).isEqualTo(names.size());
        assertThat(version.path("features").get(0).path("name").asText()).isEqualTo(names.getFirst());
        assertThat(version.path("features").get(0).path("type").asText()).isEqualTo("number");
    }

    @Test
    void register_featuresOfTheWrongShape_neverShowJavaTypeNames() throws Exception {
        Path model = directory.resolve("credit-typed.onnx");
        Files.write(model, creditModel());
        Path badSchema = directory.resolve("bad.json");
        Files.writeString(badSchema, "[[1, 2]]");
        Path wrongField = directory.resolve("wrong-field.json");
        Files.writeString(wrongField, "[{\"name\": \"age\", \"type\": \"number\", \"allowed\": 5}]");

        Cli.Run local = run(client(), "model", "register", "typed", "--file", model.toString(), "--features", badSchema.toString());
        Cli.Run remote = run(client(), "model", "register", "typed", "--file", model.toString(), "--features", wrongField.toString());

        assertThat(local.code()).isEqualTo(2);
        assertThat(local.err()).contains("entry 0").doesNotContain("FeatureSpec");
        assertThat(remote.code()).isEqualTo(1);
        assertThat(remote.err()).contains("features").doesNotContain("FeatureSpec").doesNotContain("java.");
    }
}
