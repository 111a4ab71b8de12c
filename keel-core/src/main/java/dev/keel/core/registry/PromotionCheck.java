package dev.keel.core.registry;

import dev.keel.core.error.KeelException;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Before an alias moves: the version's artifact is read (verified against its hash), loaded by its runtime and scores a
 * {@link SmokeRow}, within a time limit. A version that cannot do that would fail every request it is given.
 */
final class PromotionCheck {
    private final ModelRuntimes runtimes;
    private final Duration limit;

    PromotionCheck(ModelRuntimes runtimes, Duration limit) {
        this.runtimes = runtimes;
        this.limit = limit;
    }

    /** Why the version cannot serve, or empty when it loaded and scored the smoke row. */
    Optional<String> problem(ModelVersion version, ArtifactSource artifacts) {
        byte[] artifact;
        try {
            artifact = artifacts.read(version);
        } catch (KeelException e) {
            return Optional.of(e.getMessage());
        }
        Map<String, Tensor> row;
        try {
            row = SmokeRow.of(version);
        } catch (RuntimeException e) {
            return Optional.of("no smoke row can be built from its signature: " + e.getMessage());
        }
        // a thread of its own, not waited for after the limit: a native call that hangs does not hold the promotion
        CompletableFuture<Optional<String>> run = new CompletableFuture<>();
        Thread.ofVirtual().name("keel-promotion-check-" + version.label()).start(() -> {
            try {
                run.complete(score(version, artifact, row));
            } catch (Throwable e) {
                run.completeExceptionally(e);
            }
        });
        try {
            return run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Optional.of("it did not load and score a smoke row within " + limit.toMillis() + " ms");
        } catch (ExecutionException e) {
            return Optional.of("it failed on a smoke row: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("the check was interrupted");
        }
    }

    private Optional<String> score(ModelVersion version, byte[] artifact, Map<String, Tensor> row) {
        LoadedModel model;
        try {
            model = runtimes.require(version.format()).load(artifact, new RuntimeOptions(1, "all", 1));
        } catch (RuntimeException e) {
            return Optional.of("its " + version.format() + " runtime cannot load it: " + e.getMessage());
        }
        try (model) {
            Map<String, Tensor> outputs = model.predict(row);
            if (outputs.isEmpty()) {
                return Optional.of("it answered a smoke row with no outputs");
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("it failed on a smoke row " + describe(row) + ": " + e.getMessage());
        }
    }

    private static String describe(Map<String, Tensor> row) {
        StringBuilder text = new StringBuilder("(");
        row.forEach((name, tensor) -> text.append(text.length() > 1 ? ", " : "").append(name).append(' ').append(tensor.type())
                .append(java.util.Arrays.toString(tensor.shape())));
        return text.append(')').toString();
    }

    /** Reads a version's artifact, verified. */
    @FunctionalInterface
    interface ArtifactSource {
        byte[] read(ModelVersion version);
    }
}
