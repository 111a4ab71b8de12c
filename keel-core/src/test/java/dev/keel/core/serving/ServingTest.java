package dev.keel.core.serving;

import dev.keel.spi.event.AliasMoved;
import dev.keel.spi.event.FallbackUsed;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.PredictionMade;
import java.time.Duration;
import dev.keel.core.event.EventDispatcher;
import dev.keel.spi.event.KeelEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingModelRuntime;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelRuntime;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving's parts wired as in the server, over a SQLite file, with a testing runtime and clock. */
class ServingTest {
    @TempDir
    Path directory;

    private final TestingClock clock = new TestingClock();
    private TestDatabases.Opened store;
    private ModelRegistry registry;
    private Serving serving;
    private SimpleMeterRegistry meters;
    private EventDispatcher events;
    private final List<KeelEvent> published = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Format {@code scripted}: accepted like the testing runtime; an artifact whose label ends in {@code fail} loads but fails
     * every call, any other answers as the testing runtime does.
     */
    private static final class TestingScriptedRuntime implements ModelRuntime {
        private final TestingModelRuntime testing = new TestingModelRuntime("scripted");

        @Override
        public String format() {
            return "scripted";
        }

        @Override
        public ModelSignature inspect(byte[] artifact) {
            return testing.inspect(artifact);
        }

        @Override
        public LoadedModel load(byte[] artifact, RuntimeOptions options) {
            LoadedModel model = testing.load(artifact, options);
            if (!new String(artifact, StandardCharsets.UTF_8).endsWith("fail")) {
                return model;
            }
            return new LoadedModel() {
                @Override
                public ModelSignature signature() {
                    return model.signature();
                }

                @Override
                public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                    throw new ModelException("scripted failure", false);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @BeforeEach
    void open() {
        events = new EventDispatcher(new SimpleMeterRegistry(), 10_000, Duration.ofSeconds(5));
        events.subscribe(published::add);
        store = TestDatabases.open(StoreKind.SQLITE, directory);
        ProjectService projects = new ProjectService(store.database(), clock);
        projects.ensureDefault();
        ModelRuntimes runtimes = new ModelRuntimes(List.of(new TestingScriptedRuntime()));
        registry = new ModelRegistry(store.database(), new LocalArtifactStore(directory.resolve("artifacts")), runtimes, projects, clock, events);
        registry.createModel(ProjectService.DEFAULT, "churn", "", PromotionGate.open(), "alice");
        meters = new SimpleMeterRegistry();
        serving = new Serving(store.database(), registry, runtimes, meters, ServingSettings.defaults(), clock, events);
    }

    @AfterEach
    void close() {
        serving.close();
        events.close();
        store.close();
    }

    private ModelVersion register(String label) {
        return registry.registerVersion("churn", TestingModelRuntime.artifact(label), new NewVersion("scripted", List.of(), Map.of(), Map.of(),
                Lineage.none(), label), "alice");
    }

    private static PredictionInput row() {
        JsonNode record = Json.MAPPER.valueToTree(Map.of("input", List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)));
        return new PredictionInput.Records(List.of(record));
    }

    private static EndpointConfig withCanary(String name, int canaryVersion) {
        EndpointConfig base = EndpointConfig.of(name, "churn", "champion");
        return new EndpointConfig(name, "churn", "champion", Optional.of(new EndpointConfig.Canary(EndpointConfig.Target.version(canaryVersion),
                100)), Optional.empty(), base.batching(), base.maxConcurrency(), base.queue(), base.timeoutMillis(), base.fallback());
    }

    private Prediction predict(String endpoint) {
        return serving.predict(endpoint, row(), PredictOptions.of(UUID.randomUUID().toString()));
    }

    @Test
    void aCanaryWhoseBreakerOpens_sendsItsShareToTheMainVersionUntilAProbeAfterTheCoolDown() {
        register("good");
        register("canary-fail");
        registry.promote("churn", "champion", 1, "", "bob");
        serving.create(withCanary("churn-risk", 2), "alice");

        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> predict("churn-risk")).isInstanceOfSatisfying(KeelException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        }
        Prediction answered = predict("churn-risk");
        assertThat(answered.route()).isEqualTo(Route.MAIN);
        assertThat(answered.version().version()).isEqualTo(1);
        assertThat(errors(2)).isEqualTo(5);

        clock.advance(ServingSettings.defaults().breaker().coolDown());
        assertThatThrownBy(() -> predict("churn-risk")).as("the probe goes to the canary").isInstanceOf(KeelException.class);
        assertThat(predict("churn-risk").route()).as("the failed probe opened it again").isEqualTo(Route.MAIN);
        assertThat(errors(2)).isEqualTo(6);
        @SuppressWarnings("unchecked")
        Map<String, Object> breaker = (Map<String, Object>) ((Map<String, Object>) serving.stats("churn-risk").get("breakers")).get("2");
        assertThat(breaker).containsEntry("state", "open").containsEntry("timesOpened", 2L);
        assertThat(meters.get(ServingMetrics.BREAKER).tag("endpoint", "churn-risk").tag("version", "2").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void aliasMovesPredictionsAndModelFailures_arePublishedAsEvents() {
        register("good");
        register("canary-fail");
        registry.promote("churn", "champion", 1, "baseline", "bob");
        serving.create(withCanary("churn-risk", 2), "alice");

        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> predict("churn-risk")).isInstanceOf(KeelException.class);
        }
        Prediction answered = predict("churn-risk");

        assertThat(events.awaitDelivered(Duration.ofSeconds(10))).isTrue();
        assertThat(published).filteredOn(AliasMoved.class::isInstance).map(AliasMoved.class::cast)
                .extracting(AliasMoved::model, AliasMoved::alias, AliasMoved::toVersion, AliasMoved::rollback)
                .containsExactly(tuple("churn", "champion", 1, false));
        assertThat(published).filteredOn(ModelFailed.class::isInstance).map(ModelFailed.class::cast).hasSize(5)
                .allSatisfy(failed -> {
                    assertThat(failed.endpoint()).isEqualTo("churn-risk");
                    assertThat(failed.version()).isEqualTo(2);
                    assertThat(failed.kind()).isEqualTo(ModelFailed.Kind.ERROR);
                });
        assertThat(published).filteredOn(PredictionMade.class::isInstance).map(PredictionMade.class::cast).singleElement()
                .satisfies(made -> {
                    assertThat(made.requestId()).isEqualTo(answered.requestId());
                    assertThat(made.version()).isEqualTo(1);
                    assertThat(made.source()).isEqualTo(PredictionMade.Source.MODEL);
                });
    }

    @Test
    void aCanaryAnsweredByTheMainVersion_isPublishedAsModelFailedThenFallbackUsed() {
        register("good");
        register("canary-fail");
        registry.promote("churn", "champion", 1, "baseline", "bob");
        EndpointConfig base = withCanary("churn-risk", 2);
        serving.create(new EndpointConfig(base.name(), base.model(), base.alias(), base.canary(), base.shadow(), base.batching(),
                base.maxConcurrency(), base.queue(), base.timeoutMillis(), EndpointConfig.Fallback.parse("previous-version", Map.of())), "alice");

        Prediction answered = predict("churn-risk");

        assertThat(answered.version().version()).isEqualTo(1);
        assertThat(events.awaitDelivered(Duration.ofSeconds(10))).isTrue();
        assertThat(published).filteredOn(event -> !(event instanceof AliasMoved)).extracting(event -> event.getClass().getSimpleName())
                .containsExactly("ModelFailed", "FallbackUsed", "PredictionMade");
        assertThat(published).filteredOn(FallbackUsed.class::isInstance).map(FallbackUsed.class::cast).singleElement()
                .satisfies(used -> {
                    assertThat(used.failedVersion()).isEqualTo(2);
                    assertThat(used.mode()).isEqualTo("previous-version");
                    assertThat(used.requestId()).isEqualTo(answered.requestId());
                });
        assertThat(published).filteredOn(PredictionMade.class::isInstance).map(PredictionMade.class::cast).singleElement()
                .satisfies(made -> assertThat(made.fallback()).isTrue());
    }

    private double errors(int version) {
        return meters.find(ServingMetrics.ERRORS).tag("endpoint", "churn-risk").tag("version", Integer.toString(version)).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    @Test
    void pinToFallback_servesTheAliasPreviousHolderPinned_andAnEndpointWithoutOneIsRefused() {
        register("one");
        register("two");
        registry.promote("churn", "champion", 1, "", "bob");
        registry.promote("churn", "champion", 2, "", "bob");
        EndpointConfig base = EndpointConfig.of("churn-risk", "churn", "champion");
        serving.create(new EndpointConfig("churn-risk", "churn", "champion", Optional.empty(), Optional.empty(), base.batching(),
                base.maxConcurrency(), base.queue(), base.timeoutMillis(), EndpointConfig.Fallback.parse("previous-version", Map.of())), "alice");
        serving.create(EndpointConfig.of("plain", "churn", "champion"), "alice");
        assertThat(predict("churn-risk").version().version()).isEqualTo(2);

        Endpoint pinned = serving.pinToFallback("churn-risk");

        assertThat(pinned.config().alias()).isEqualTo("1");
        assertThat(serving.require("churn-risk").config().alias()).isEqualTo("1");
        assertThat(predict("churn-risk").version().version()).isEqualTo(1);
        assertThat(registry.requireModel("churn").aliases()).containsEntry("champion", 2);
        assertThatThrownBy(() -> serving.pinToFallback("plain")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT)).hasMessageContaining("has no fallback version to switch to");
        assertThat(serving.require("plain").config().alias()).isEqualTo("champion");
    }

    @Test
    void routeTable_servesThePreviousHolderInPlaceOfAnUnloadableTarget_butAnExactBuildRefuses() throws Exception {
        register("one");
        ModelVersion second = register("two");
        registry.promote("churn", "champion", 1, "", "bob");
        registry.promote("churn", "champion", 2, "", "bob");
        EndpointConfig base = EndpointConfig.of("churn-risk", "churn", "champion");
        EndpointConfig config = new EndpointConfig("churn-risk", "churn", "champion", Optional.empty(), Optional.empty(), base.batching(),
                base.maxConcurrency(), base.queue(), base.timeoutMillis(), EndpointConfig.Fallback.parse("previous-version", Map.of()));
        serving.create(config, "alice");
        serving.close();
        String sha = second.artifact().sha256();
        Files.write(directory.resolve("artifacts").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha),
                TestingModelRuntime.artifact("swapped"));
        serving = new Serving(store.database(), registry, new ModelRuntimes(List.of(new TestingScriptedRuntime())), meters,
                ServingSettings.defaults(), clock, events);

        serving.refresh();

        EndpointStatus status = serving.status("churn-risk");
        assertThat(status.state()).isEqualTo(EndpointStatus.State.DEGRADED);
        assertThat(status.target()).contains(2);
        assertThat(status.serving()).contains(1);
        assertThat(status.problems()).singleElement().asString().contains("churn:2", "integrity", "churn:1");
        Prediction answer = predict("churn-risk");
        assertThat(answer.version().version()).isEqualTo(1);
        assertThat(answer.fallback()).contains(FallbackMode.PREVIOUS_VERSION);
        assertThat(answer.failedVersion()).contains(2);
        assertThatThrownBy(() -> serving.update(config)).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE));
    }

    @Test
    void byModelName_goesThroughTheOnlyEndpoint_theOneNamedLikeTheModel_orIsRefusedNamingThem() {
        register("good");
        registry.promote("churn", "champion", 1, "", "bob");
        PredictOptions options = PredictOptions.of("r1");
        assertThat(serving.endpointOf("churn")).isEmpty();
        assertThat(serving.predictModel("churn", row(), options).route()).isEqualTo(Route.DIRECT);

        serving.create(EndpointConfig.of("churn-a", "churn", "champion"), "alice");
        assertThat(serving.predictModel("churn", row(), options).endpoint()).isEqualTo("churn-a");

        serving.create(EndpointConfig.of("churn-b", "churn", "champion"), "alice");
        assertThatThrownBy(() -> serving.predictModel("churn", row(), options)).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT)).hasMessageContaining("[churn-a, churn-b]");

        serving.create(EndpointConfig.of("churn", "churn", "champion"), "alice");
        assertThat(serving.predictModel("churn", row(), options).endpoint()).isEqualTo("churn");
        serving.delete("churn");
        serving.delete("churn-b");
        assertThat(serving.endpointOf("churn")).contains("churn-a");
    }

    @Test
    void fallbackModes_travelAsTheirWireNames() {
        EndpointConfig.Fallback fallback = EndpointConfig.Fallback.parse("default-response", Map.of("probabilities", List.of(0.5, 0.5)));

        assertThat(Json.write(fallback)).isEqualTo("{\"mode\":\"default-response\",\"response\":{\"probabilities\":[0.5,0.5]}}");
        assertThat(Json.read(Json.write(fallback), EndpointConfig.Fallback.class)).isEqualTo(fallback);
        assertThat(EndpointConfig.Fallback.parse(null, Map.of()).mode()).isEqualTo(FallbackMode.NONE);
        assertThatThrownBy(() -> EndpointConfig.Fallback.parse("retry", Map.of()))
                .hasMessageContaining("'retry'").hasMessageContaining("[none, previous-version, default-response]");
        assertThat(Json.write(Route.CANARY)).isEqualTo("\"canary\"");
    }
}
