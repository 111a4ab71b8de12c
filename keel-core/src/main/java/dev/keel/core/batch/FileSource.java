package dev.keel.core.batch;

import dev.keel.core.data.SourceAccess;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.AccessPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Parquet or CSV files named by a path or a glob: matched under the project's source roots (the glob's fixed part and every
 * file it matches, once {@code ..} and links are resolved, outside Keel's own directories), sorted by path, and fingerprinted by
 * their paths, sizes and modification times.
 */
final class FileSource {
    /** The most files one input may match. */
    static final int MAX_FILES = 10_000;

    private final SourceAccess access;
    private final Path baseDirectory;

    FileSource(SourceAccess access, Path baseDirectory) {
        this.access = Objects.requireNonNull(access, "access");
        this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory").toAbsolutePath().normalize();
    }

    /** The matched files (real paths, in the order of the paths that matched them) and their fingerprint. */
    record Matched(List<Path> files, String fingerprint) {
        Matched {
            files = List.copyOf(files);
        }
    }

    ScoringInputs.Pin pin(ScoringJobSpec.FileInput input, String project) {
        return new ScoringInputs.Pin(0, match(input, project).fingerprint());
    }

    ScoringInput open(ScoringJobSpec.FileInput input, ScoringInputs.Pin pin, String project, ScoringInputs.Selection selection) {
        KeelException.requireArgument(selection.changedSince() == 0, "%s is not a dataset; only dataset inputs select changed rows",
                input.label());
        return new FilesInput(matchPinned(input, pin, project), input.format(), selection.watermark(), input.label());
    }

    Optional<String> highest(ScoringJobSpec.FileInput input, ScoringInputs.Pin pin, String project, String column) {
        return new FilesInput(matchPinned(input, pin, project), input.format(), Optional.empty(), input.label()).highest(column);
    }

    private List<Path> matchPinned(ScoringJobSpec.FileInput input, ScoringInputs.Pin pin, String project) {
        Matched matched = match(input, project);
        if (!matched.fingerprint().equals(pin.fingerprint())) {
            throw KeelException.conflict(input.label() + " changed since the input was pinned (files added, removed or modified); the"
                    + " rows cannot be read again in the same order");
        }
        return matched.files();
    }

    /**
     * The files a path or glob matches.
     *
     * @throws KeelException FORBIDDEN naming the path as written when it, the glob's fixed part or a matched file lies outside the
     *     source roots; NOT_FOUND when nothing matches
     */
    Matched match(ScoringJobSpec.FileInput input, String project) {
        String written = input.path();
        Path resolved;
        try {
            resolved = baseDirectory.resolve(written).normalize();
        } catch (InvalidPathException e) {
            throw KeelException.badRequest("input path '" + written + "' is not a valid path");
        }
        List<Path> files = new ArrayList<>();
        if (!AccessPolicy.isGlob(written)) {
            Path real = access.confine(project, written, resolved);
            if (!Files.isRegularFile(real)) {
                throw KeelException.notFound("input path '" + written + "' is not a file");
            }
            files.add(real);
        } else {
            Path root = AccessPolicy.globRoot(resolved);
            Path realRoot = access.confine(project, written, root);
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + resolved);
            List<Path> matched = List.of();
            if (Files.isDirectory(realRoot)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    matched = walk.filter(Files::isRegularFile).filter(matcher::matches).limit(MAX_FILES + 1L).sorted().toList();
                } catch (IOException | UncheckedIOException e) {
                    throw new KeelException(ErrorCode.UNAVAILABLE, "cannot list the files of input path '" + written + "': " + e.getMessage(), e);
                }
            }
            if (matched.size() > MAX_FILES) {
                throw KeelException.badRequest("input path '" + written + "' matches more than " + MAX_FILES + " files; narrow the glob");
            }
            for (Path file : matched) {
                String shown = file.startsWith(baseDirectory) ? baseDirectory.relativize(file).toString() : file.toString();
                files.add(access.confine(project, shown + "' matched by '" + written, file));
            }
            if (files.isEmpty()) {
                throw KeelException.notFound("input path '" + written + "' matches no file");
            }
        }
        for (Path file : files) {
            if (AccessPolicy.isGlob(file.toString())) {
                throw new KeelException(ErrorCode.INVALID_INPUT, "the file '" + file.getFileName() + "' of input path '" + written + "' has"
                        + " a wildcard character (*, ?, [ or {) in its path, which the reader would take for a pattern; rename it");
            }
        }
        return new Matched(files, fingerprint(files, written));
    }

    /** The files' count and a SHA-256 over each file's real path, size and modification time. */
    private static String fingerprint(List<Path> files, String written) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                digest.update((file + "\t" + attributes.size() + "\t" + attributes.lastModifiedTime().toMillis() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new KeelException(ErrorCode.NOT_FOUND, "a file of input path '" + written + "' cannot be read: " + e.getMessage(), e);
            }
        }
        return "files=" + files.size() + ";sha256=" + HexFormat.of().formatHex(digest.digest());
    }
}
