package dev.keel.core.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.data.JdbcDatasetRepository;
import dev.keel.core.data.JdbcPipelineRepository;
import dev.keel.core.data.PipelineVersion;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingModelRuntime;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** What the lineage catalog reads from the stores: sources and outputs of specs, model datasets from lineage and references. */
@OnEachStore
class StoreCatalogTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();
    private JdbcPipelineRepository pipelines;
    private ModelRegistry registry;
    private StoreCatalog catalog;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        pipelines = new JdbcPipelineRepository(store.database());
        ProjectService projects = new ProjectService(store.database(), clock);
        projects.ensureDefault();
        registry = new ModelRegistry(store.database(), new LocalArtifactStore(directory.resolve("artifacts")),
                new ModelRuntimes(List.of(new TestingModelRuntime())), projects, clock, event -> { });
        Map<String, String> references = Map.of("credit:2", "dataset:credit-reference@3", "credit:1", "upload:csv");
        catalog = new StoreCatalog(pipelines, new JdbcDatasetRepository(store.database()), registry, (model, version) -> {
            if (model.equals("broken")) {
                throw new IllegalStateException("reference file is gone");
            }
            return Optional.ofNullable(references.get(model + ":" + version));
        });
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void pipeline_namesEachPlaceItReads_urlsWithoutTheirQuery() {
        pipelines.insert(new PipelineVersion("mixed", 1, """
                pipeline: mixed
                sources:
                  - {name: files, type: parquet, paths: [/lake/a/*.parquet, /lake/b.parquet]}
                  - {name: warehouse, type: jdbc, connection: dwh, query: select 1}
                  - {name: api, type: http, url: 'https://api.example.com/v1/rates?day=2026-12-04&page=1'}
                outputs:
                  - {dataset: mixed-out, from: files}
                  - {dataset: mixed-warehouse, from: warehouse}
                  - {dataset: mixed-api, from: api}
                """, "sha-1", clock.instant()));

        Upstreams.PipelineFacts facts = catalog.pipeline("mixed").orElseThrow();

        assertThat(facts.sources()).containsExactly(new Upstreams.SourceFact("files", "file", "/lake/a/*.parquet"),
                new Upstreams.SourceFact("files", "file", "/lake/b.parquet"), new Upstreams.SourceFact("warehouse", "connection", "dwh"),
                new Upstreams.SourceFact("api", "http", "https://api.example.com/v1/rates"));
        assertThat(facts.outputs()).containsExactly("mixed-out", "mixed-warehouse", "mixed-api");
        assertThat(catalog.producer("mixed-out")).contains("mixed");
        assertThat(catalog.producer("nobody")).isEmpty();
        assertThat(catalog.pipeline("absent")).isEmpty();
    }

    @Test
    void datasets_comeFromTrainingLineageAndKeelDatasetReferences_forTheAliasedVersions() {
        registry.createModel(ProjectService.DEFAULT, "credit", "", PromotionGate.open(), "alice");
        for (int version = 1; version <= 3; version++) {
            registry.registerVersion("credit", TestingModelRuntime.artifact("credit-" + version), new NewVersion("onnx", List.of(), Map.of(), Map.of(),
                    new Lineage(Optional.empty(), Optional.of(version == 3 ? "s3://bucket/train.csv" : "dataset:credit-features@" + version),
                            Optional.empty(), Optional.empty(), Map.of()), "v" + version), "alice");
        }
        registry.promote("credit", "champion", 2, "best", "alice");

        assertThat(catalog.datasets("credit", Optional.empty())).containsExactly(
                new Upstreams.ModelDataset("credit", 2, "credit-features", 2, "trained on"),
                new Upstreams.ModelDataset("credit", 2, "credit-reference", 3, "reference"));
        assertThat(catalog.datasets("credit", Optional.of(1))).as("an uploaded reference is no dataset")
                .containsExactly(new Upstreams.ModelDataset("credit", 1, "credit-features", 1, "trained on"));
        assertThat(catalog.datasets("credit", Optional.of(3))).as("a training file outside Keel is no dataset").isEmpty();
        assertThat(catalog.datasets("unknown", Optional.empty())).isEmpty();

        registry.createModel(ProjectService.DEFAULT, "broken", "", PromotionGate.open(), "alice");
        registry.registerVersion("broken", TestingModelRuntime.artifact("broken-1"), new NewVersion("onnx", List.of(), Map.of(), Map.of(),
                Lineage.none(), "v1"), "alice");
        assertThat(catalog.datasets("broken", Optional.empty())).as("an unreadable reference names nothing").isEmpty();
    }
}
