package dev.keel.core.registry;

import dev.keel.spi.event.AliasMoved;
import dev.keel.spi.event.ArtifactRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.Database;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.Concurrently;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingModelRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

@OnEachStore
class ModelRegistryTest {
    private final List<AliasMoved> heard = new ArrayList<>();
    private final List<ArtifactRejected> rejectedArtifacts = new ArrayList<>();
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private Database database;
    private final TestingClock clock = new TestingClock();
    private ModelRegistry registry;
    private LocalArtifactStore artifacts;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        database = store.database();
        ProjectService projects = new ProjectService(database, clock);
        projects.ensureDefault();
        artifacts = new LocalArtifactStore(directory.resolve("artifacts"));
        registry = new ModelRegistry(database, artifacts, new ModelRuntimes(List.of(new TestingModelRuntime())), projects, clock, event -> {
            if (event instanceof AliasMoved moved) {
                heard.add(moved);
            } else if (event instanceof ArtifactRejected rejected) {
                rejectedArtifacts.add(rejected);
            }
        });
    }

    @AfterEach
    void close() {
        store.close();
    }

    private ModelVersion register(String model, double auc) {
        clock.advance(Duration.ofSeconds(1));
        return registry.registerVersion(model, TestingModelRuntime.artifact(model + "-" + auc),
                new NewVersion("onnx", List.of(), Map.of("auc", auc), Map.of("team", "risk"), Lineage.none(), "auc " + auc), "alice");
    }

    private void createModel(String name, PromotionGate gate) {
        registry.createModel(ProjectService.DEFAULT, name, "credit risk", gate, "alice");
    }

    @Test
    void registerVersion_numbersVersionsFromOneAndKeepsThemImmutable() {
        createModel("churn", PromotionGate.open());

        ModelVersion first = register("churn", 0.71);
        ModelVersion second = register("churn", 0.74);
        ModelVersion third = register("churn", 0.78);

        assertThat(List.of(first.version(), second.version(), third.version())).containsExactly(1, 2, 3);
        assertThat(registry.listVersions("churn")).containsExactly(first, second, third);
        assertThat(registry.requireVersion("churn", 2)).isEqualTo(second);
        assertThat(registry.requireModel("churn").latestVersion()).contains(3);
        assertThat(second.signature()).isEqualTo(TestingModelRuntime.SIGNATURE);
        assertThat(second.metrics()).isEqualTo(Map.of("auc", 0.74));
        assertThat(registry.artifact(second)).isEqualTo(TestingModelRuntime.artifact("churn-0.74"));
    }

    @Test
    void deleteEmptyModel_removesAModelWithoutVersions_andRefusesOneWithAny() {
        createModel("empty", PromotionGate.open());
        createModel("churn", PromotionGate.open());
        register("churn", 0.71);

        registry.deleteEmptyModel("empty");

        assertThat(registry.findModel("empty")).isEmpty();
        assertThatThrownBy(() -> registry.deleteEmptyModel("churn"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("latest version 1").hasMessageContaining("kept forever");
        assertThat(registry.listVersions("churn")).hasSize(1);
        assertThatThrownBy(() -> registry.deleteEmptyModel("nowhere"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void registerVersion_unreadableArtifact_isInvalidModelAndStoresNothing() {
        createModel("churn", PromotionGate.open());

        assertThatThrownBy(() -> registry.registerVersion("churn", "not a model".getBytes(), new NewVersion(null, null, null, null, null, null),
                "alice"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_MODEL))
                .hasMessageContaining("onnx");
        assertThat(registry.listVersions("churn")).isEmpty();
    }

    @Test
    void registerVersion_featureSchemaMustMatchTheInputWidth() {
        createModel("churn", PromotionGate.open());
        List<FeatureSpec> three = List.of(FeatureSpec.number("a"), FeatureSpec.number("b"), FeatureSpec.number("c"));

        assertThatThrownBy(() -> registry.registerVersion("churn", TestingModelRuntime.artifact("x"),
                new NewVersion("onnx", three, null, null, null, null), "alice"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_MODEL))
                .hasMessageContaining("3 features").hasMessageContaining("11 columns");
    }

    @Test
    void registerVersion_unknownModel_isNotFound() {
        assertThatThrownBy(() -> register("ghost", 0.9))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("'ghost'");
    }

    @Test
    void registerVersion_concurrently_givesDistinctVersionNumbers() throws Exception {
        createModel("churn", PromotionGate.open());
        int writers = 16;
        List<Integer> versions = Concurrently.run(writers, i -> registry.registerVersion("churn", TestingModelRuntime.artifact("v" + i),
                new NewVersion("onnx", null, Map.of("auc", 0.5 + i / 100.0), null, null, null), "writer").version());

        assertThat(versions).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, writers).boxed().toList());
        assertThat(registry.listVersions("churn")).hasSize(writers);
    }

    @Test
    void promote_concurrentlyOnSeveralAliases_keepsEveryMoveInHistory() throws Exception {
        createModel("churn", PromotionGate.open());
        register("churn", 0.8);
        register("churn", 0.9);
        Concurrently.run(12, i -> registry.promote("churn", "alias-" + (i % 6), 1 + i / 6, "move " + i, "bob"));

        List<AliasEvent> history = registry.history("churn", Optional.empty());
        assertThat(history).hasSize(12).extracting(AliasEvent::seq).doesNotHaveDuplicates();
        assertThat(registry.requireModel("churn").aliases()).hasSize(6);
    }

    @Test
    void createModel_refusesDuplicatesBadNamesAndUnknownProjects() {
        createModel("churn", PromotionGate.open());

        assertThatThrownBy(() -> createModel("churn", PromotionGate.open()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS))
                .hasMessageContaining("'churn'");
        assertThatThrownBy(() -> createModel("Churn Model", PromotionGate.open())).hasMessageContaining("'Churn Model'");
        assertThatThrownBy(() -> registry.createModel("nowhere", "fraud", "", PromotionGate.open(), "alice"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("'nowhere'");
    }

    @Test
    void requireVersion_unknown_namesTheLatestVersion() {
        createModel("churn", PromotionGate.open());
        register("churn", 0.7);
        register("churn", 0.8);

        assertThatThrownBy(() -> registry.requireVersion("churn", 7))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessage("model 'churn' has no version 7; latest is 2");
    }

    @Test
    void resolve_acceptsNumbersLatestAndAliases() {
        createModel("churn", PromotionGate.open());
        register("churn", 0.7);
        register("churn", 0.8);
        registry.promote("churn", "champion", 1, "first", "bob");

        assertThat(registry.resolve("churn", "2").version()).isEqualTo(2);
        assertThat(registry.resolve("churn", "latest").version()).isEqualTo(2);
        assertThat(registry.resolve("churn", "champion").version()).isEqualTo(1);
        assertThatThrownBy(() -> registry.resolve("churn", "challenger")).hasMessageContaining("no alias 'challenger'");
    }

    @Test
    void promote_belowGate_isRefusedNamingThresholdAndShortfall() {
        createModel("churn", PromotionGate.parse(List.of("auc >= 0.75"), List.of("champion")));
        register("churn", 0.72);

        assertThatThrownBy(() -> registry.promote("churn", "champion", 1, "try", "bob"))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.GATE_FAILED);
                    assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("metrics.auc");
                })
                .hasMessageContaining("auc >= 0.75")
                .hasMessageContaining("0.72")
                .hasMessageContaining("misses by 0.0300000");
        assertThat(registry.requireModel("churn").aliases()).isEmpty();
        assertThat(registry.history("churn", Optional.empty())).isEmpty();
    }

    @Test
    void promote_missingMetric_isRefusedNamingTheMetric() {
        createModel("churn", PromotionGate.parse(List.of("recall > 0.5"), List.of()));
        register("churn", 0.9);

        assertThatThrownBy(() -> registry.promote("churn", "champion", 1, "try", "bob"))
                .hasMessageContaining("no metric 'recall'");
    }

    @Test
    void promote_unguardedAlias_skipsTheGate() {
        createModel("churn", PromotionGate.parse(List.of("auc >= 0.75"), List.of("champion")));
        register("churn", 0.6);

        AliasEvent event = registry.promote("churn", "challenger", 1, "shadow test", "bob");

        assertThat(event.action()).isEqualTo(AliasAction.PROMOTE);
        assertThat(registry.requireModel("churn").aliases()).isEqualTo(Map.of("challenger", 1));
    }

    @Test
    void promote_movesTheAliasAndRecordsHistory() {
        createModel("churn", PromotionGate.parse(List.of("auc >= 0.75"), List.of()));
        register("churn", 0.8);
        register("churn", 0.85);

        AliasEvent first = registry.promote("churn", "champion", 1, "baseline", "bob");
        AliasEvent second = registry.promote("churn", "champion", 2, "better auc", "carol");
        AliasEvent unchanged = registry.promote("churn", "champion", 2, "again", "carol");

        assertThat(first.fromVersion()).isEmpty();
        assertThat(first.toVersion()).contains(1);
        assertThat(second.fromVersion()).contains(1);
        assertThat(second.toVersion()).contains(2);
        assertThat(second.actor()).isEqualTo("carol");
        assertThat(unchanged.action()).isEqualTo(AliasAction.UNCHANGED);
        assertThat(registry.requireModel("churn").aliases()).isEqualTo(Map.of("champion", 2));
        assertThat(registry.history("churn", Optional.of("champion"))).containsExactly(first, second);
        assertThat(heard).extracting(AliasMoved::toVersion, AliasMoved::actor).containsExactly(tuple(1, "bob"), tuple(2, "carol"));
        assertThat(heard.get(1).fromVersion()).hasValue(1);
    }

    @Test
    void promote_unknownVersionOrBadAlias_isRefused() {
        createModel("churn", PromotionGate.open());
        register("churn", 0.8);

        assertThatThrownBy(() -> registry.promote("churn", "champion", 4, "", "bob")).hasMessageContaining("latest is 1");
        assertThatThrownBy(() -> registry.promote("churn", "latest", 1, "", "bob")).hasMessageContaining("'latest'");
        assertThatThrownBy(() -> registry.promote("churn", "Champion!", 1, "", "bob")).hasMessageContaining("'Champion!'");
    }

    @Test
    void rollback_walksBackThroughHistoryAndKeepsIt() {
        createModel("churn", PromotionGate.open());
        IntStream.rangeClosed(1, 4).forEach(i -> register("churn", 0.7 + i / 100.0));
        registry.promote("churn", "champion", 1, "v1", "bob");
        registry.promote("churn", "champion", 2, "v2", "bob");
        registry.promote("churn", "champion", 3, "v3", "bob");

        AliasEvent back = registry.rollback("churn", "champion", "v3 drifts", "carol");
        assertThat(back.fromVersion()).contains(3);
        assertThat(back.toVersion()).contains(2);
        assertThat(back.reason()).isEqualTo("v3 drifts");
        assertThat(registry.resolve("churn", "champion").version()).isEqualTo(2);

        AliasEvent further = registry.rollback("churn", "champion", "v2 too", "carol");
        assertThat(further.toVersion()).contains(1);

        assertThatThrownBy(() -> registry.rollback("churn", "champion", "nothing left", "carol"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("no previous holder");

        registry.promote("churn", "champion", 4, "v4", "bob");
        assertThat(registry.rollback("churn", "champion", "v4 bad", "carol").toVersion()).contains(1);

        assertThat(registry.history("churn", Optional.of("champion"))).extracting(AliasEvent::action, AliasEvent::toVersion)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(AliasAction.PROMOTE, Optional.of(1)),
                        org.assertj.core.groups.Tuple.tuple(AliasAction.PROMOTE, Optional.of(2)),
                        org.assertj.core.groups.Tuple.tuple(AliasAction.PROMOTE, Optional.of(3)),
                        org.assertj.core.groups.Tuple.tuple(AliasAction.ROLLBACK, Optional.of(2)),
                        org.assertj.core.groups.Tuple.tuple(AliasAction.ROLLBACK, Optional.of(1)),
                        org.assertj.core.groups.Tuple.tuple(AliasAction.PROMOTE, Optional.of(4)),
                        org.assertj.core.groups.Tuple.tuple(AliasAction.ROLLBACK, Optional.of(1)));
        assertThat(registry.listVersions("churn")).hasSize(4);
    }

    @Test
    void rollback_needsAReason() {
        createModel("churn", PromotionGate.open());
        register("churn", 0.8);
        register("churn", 0.9);
        registry.promote("churn", "champion", 1, "", "bob");
        registry.promote("churn", "champion", 2, "", "bob");

        assertThatThrownBy(() -> registry.rollback("churn", "champion", " ", "carol"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("reason");
        assertThat(registry.resolve("churn", "champion").version()).isEqualTo(2);
    }

    @Test
    void rollback_aliasNeverSet_isNotFound() {
        createModel("churn", PromotionGate.open());

        assertThatThrownBy(() -> registry.rollback("churn", "champion", "why not", "carol"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void artifact_tamperedOnDisk_failsIntegrityAndIsNotReturned() throws Exception {
        createModel("churn", PromotionGate.open());
        ModelVersion version = register("churn", 0.8);
        String sha = version.artifact().sha256();
        Path file = directory.resolve("artifacts").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
        Files.write(file, TestingModelRuntime.artifact("swapped"));

        assertThatThrownBy(() -> registry.artifact(version))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE))
                .hasMessageContaining("churn:1");
        assertThat(rejectedArtifacts).singleElement().satisfies(rejected -> {
            assertThat(rejected.sha256()).isEqualTo(sha);
            assertThat(rejected.usedBy()).isEqualTo("churn:1");
            assertThat(rejected.message()).contains("damaged or altered");
        });
    }

    @Test
    void updateGate_appliesToLaterPromotions() {
        createModel("churn", PromotionGate.open());
        register("churn", 0.7);

        registry.updateGate("churn", PromotionGate.parse(List.of("auc >= 0.8"), List.of()));

        assertThat(registry.requireModel("churn").gate().thresholds()).hasSize(1);
        assertThatThrownBy(() -> registry.promote("churn", "champion", 1, "", "bob")).hasMessageContaining("auc >= 0.8");
    }

    @Test
    void gateThreshold_malformed_isRefused() {
        assertThatThrownBy(() -> PromotionGate.parse(List.of("auc is high"), List.of())).hasMessageContaining("'auc is high'");
    }
}
