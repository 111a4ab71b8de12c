package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Directories under {@code batch.output-root}. A destination's relative path is resolved one segment at a time and each existing
 * segment through its real path, so a symbolic link cannot lead a run's files out of the root.
 */
final class OutputDirectories {
    private OutputDirectories() {
    }

    /** Creates the output root when missing; returns its real path. */
    static Path root(Path outputRoot) {
        try {
            Files.createDirectories(outputRoot);
            return outputRoot.toRealPath();
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "batch.output-root '" + outputRoot + "' cannot be created: " + e.getMessage(), e);
        }
    }

    /**
     * The real path of {@code relative} under the root, its parent directories created; the last segment is created too when
     * {@code createLast}.
     *
     * @throws KeelException INVALID_REQUEST for a path that is absolute, empty or climbs out; FORBIDDEN when an existing segment
     *     resolves (through a symbolic link) outside the root
     */
    static Path resolve(Path outputRoot, String relative, boolean createLast) {
        Path root = root(outputRoot);
        Path path = Path.of(relative);
        if (path.isAbsolute() || relative.isEmpty() || !path.normalize().equals(path) || path.startsWith("..")) {
            throw KeelException.badRequest("destination.path '" + relative + "' is not a relative directory under batch.output-root");
        }
        Path current = root;
        for (int i = 0; i < path.getNameCount(); i++) {
            String segment = path.getName(i).toString();
            if (segment.equals("..") || segment.equals(".")) {
                throw KeelException.badRequest("destination.path '" + relative + "' is not a relative directory under batch.output-root");
            }
            Path next = current.resolve(segment);
            boolean last = i == path.getNameCount() - 1;
            try {
                if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                    if (last && !createLast) {
                        current = next;
                        continue;
                    }
                    Files.createDirectory(next);
                }
                current = next.toRealPath();
            } catch (IOException e) {
                throw new KeelException(ErrorCode.INTERNAL, "cannot create '" + next + "' under batch.output-root: " + e.getMessage(), e);
            }
            if (!current.startsWith(root)) {
                throw new KeelException(ErrorCode.FORBIDDEN, "destination.path '" + relative + "' leads to " + current + ", outside"
                        + " batch.output-root " + root + "; a scoring run writes only under the output root");
            }
            if (!Files.isDirectory(current)) {
                throw KeelException.badRequest("destination.path '" + relative + "': " + current + " is not a directory");
            }
        }
        return current;
    }
}
