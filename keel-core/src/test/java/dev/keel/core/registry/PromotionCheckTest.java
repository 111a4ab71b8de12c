package dev.keel.core.registry;

import dev.keel.spi.event.KeelEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.OnEachStore;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** A promotion moves an alias only to a version that loads and scores a smoke row; refusals are kept in the history. */
@OnEachStore
class PromotionCheckTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private ModelRegistry registry;
    private final List<KeelEvent> heard = new ArrayList<>();

    /** Format {@code failing}: reads like the testing runtime, loads, and fails every call. */
    private static final class TestingFailingRuntime implements ModelRuntime {
        private final TestingModelRuntime readable = new TestingModelRuntime("failing");

        @Override
        public String format() {
            return "failing";
        }

        @Override
        public ModelSignature inspect(byte[] artifact) {
            return readable.inspect(artifact);
        }

        @Override
        public LoadedModel load(byte[] artifact, RuntimeOptions options) {
            ModelSignature signature = inspect(artifact);
            return new LoadedModel() {
                @Override
                public ModelSignature signature() {
                    return signature;
                }

                @Override
                public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                    throw new ModelException("Reshape cannot make [1, 11] into [2, 2]", false);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        TestingClock clock = new TestingClock();
        ProjectService projects = new ProjectService(store.database(), clock);
        projects.ensureDefault();
        registry = new ModelRegistry(store.database(), new LocalArtifactStore(directory.resolve("artifacts")),
                new ModelRuntimes(List.of(new TestingModelRuntime(), new TestingFailingRuntime())), projects, clock, heard::add);
        registry.createModel(ProjectService.DEFAULT, "churn", "", PromotionGate.open(), "alice");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private ModelVersion register(String format, String label) {
        return registry.registerVersion("churn", TestingModelRuntime.artifact(label), new NewVersion(format, List.of(), Map.of(), Map.of(),
                Lineage.none(), label), "alice");
    }

    @Test
    void promote_versionFailingOnTheSmokeRow_isRefusedWithTheReasonAndKeptInTheHistory() {
        register("onnx", "good");
        ModelVersion broken = register("failing", "broken");
        registry.promote("churn", "champion", 1, "first", "bob");

        assertThatThrownBy(() -> registry.promote("churn", "champion", broken.version(), "try", "bob"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("churn:2 cannot become 'champion'").hasMessageContaining("smoke row")
                .hasMessageContaining("Reshape cannot make").hasMessageContaining("did not move");

        assertThat(registry.resolve("churn", "champion").version()).isEqualTo(1);
        List<AliasEvent> history = registry.history("churn", Optional.of("champion"));
        assertThat(history).extracting(AliasEvent::action).containsExactly(AliasAction.PROMOTE, AliasAction.REFUSED);
        AliasEvent refused = history.get(1);
        assertThat(refused.fromVersion()).contains(1);
        assertThat(refused.toVersion()).contains(2);
        assertThat(refused.actor()).isEqualTo("bob");
        assertThat(refused.reason()).contains("smoke row");
        assertThat(heard).hasSize(1);
    }

    @Test
    void promote_versionWhoseArtifactWasAltered_isRefused() throws Exception {
        ModelVersion version = register("onnx", "good");
        String sha = version.artifact().sha256();
        Files.write(directory.resolve("artifacts").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha),
                TestingModelRuntime.artifact("swapped"));

        assertThatThrownBy(() -> registry.promote("churn", "champion", 1, "try", "bob"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("integrity");
        assertThat(registry.requireModel("churn").aliases()).doesNotContainKey("champion");
    }

    @Test
    void rollback_afterARefusedPromotion_goesToTheHolderBeforeTheCurrentOne() {
        register("onnx", "one");
        register("onnx", "two");
        register("failing", "three");
        registry.promote("churn", "champion", 1, "", "bob");
        registry.promote("churn", "champion", 2, "", "bob");
        assertThatThrownBy(() -> registry.promote("churn", "champion", 3, "", "bob")).isInstanceOf(KeelException.class);

        AliasEvent back = registry.rollback("churn", "champion", "v2 drifts", "carol");

        assertThat(back.toVersion()).contains(1);
        assertThat(registry.holders("churn", "champion").current()).contains(1);
    }
}
