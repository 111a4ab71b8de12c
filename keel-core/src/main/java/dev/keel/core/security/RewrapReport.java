package dev.keel.core.security;

import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What one re-wrap pass over a store did: files whose data key it wrapped under the active key, files already under it,
 * plaintext files left as they were, and files it could not re-wrap (each named with the reason; the pass goes on past them).
 *
 * @param failures up to {@value #MAX_LISTED} messages, one per failed file
 */
public record RewrapReport(String activeKey, int rewrapped, int current, int plaintext, int failed, List<String> failures) {
    /** At most this many failures are listed. */
    public static final int MAX_LISTED = 20;

    public RewrapReport {
        Objects.requireNonNull(activeKey, "activeKey");
        failures = List.copyOf(failures);
    }

    /** Both reports added up. */
    public RewrapReport plus(RewrapReport other) {
        List<String> all = new ArrayList<>(failures);
        all.addAll(other.failures);
        return new RewrapReport(activeKey, rewrapped + other.rewrapped, current + other.current, plaintext + other.plaintext,
                failed + other.failed, all.subList(0, Math.min(MAX_LISTED, all.size())));
    }

    /**
     * Re-wraps every regular file under {@code root} that {@code include} accepts, writing copies in {@code temporaryDirectory}.
     *
     * @throws IllegalStateException when {@code envelope} has no active key
     */
    public static RewrapReport walk(Path root, Path temporaryDirectory, Envelope envelope, Predicate<Path> include) {
        String active = envelope.keys().active().orElseThrow(() -> new IllegalStateException(
                "re-wrapping needs an active key: set security.encryption.active"));
        int rewrapped = 0;
        int current = 0;
        int plaintext = 0;
        int failed = 0;
        List<String> failures = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).filter(include).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        for (Path file : files) {
            try {
                switch (envelope.rewrap(file, temporaryDirectory)) {
                    case REWRAPPED -> rewrapped++;
                    case CURRENT -> current++;
                    case PLAINTEXT -> plaintext++;
                }
            } catch (NoSuchFileException e) {
                // deleted since it was listed: nothing to re-wrap
            } catch (IOException | KeelException e) {
                failed++;
                if (failures.size() < MAX_LISTED) {
                    failures.add(root.relativize(file) + ": " + e.getMessage());
                }
            }
        }
        return new RewrapReport(active, rewrapped, current, plaintext, failed, failures);
    }
}
