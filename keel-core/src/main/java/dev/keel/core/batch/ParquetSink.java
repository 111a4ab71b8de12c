package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A directory of Parquet files under the output root as a run's destination: one file per chunk ({@code part-<hash of run id>-<chunk>
 * .parquet}), or per chunk and partition under Hive-style {@code column=value/} directories. Append writes into the directory itself;
 * replace writes into a sibling staging directory {@code .staging-<hash of run id>} and swaps it in at the end.
 *
 * <p>The swap is two renames, each atomic on POSIX file systems: the old directory aside to {@code .replaced-<hash>}, the staging
 * directory into its place; then the old one is deleted. Between the two renames (microseconds) the path does not exist; a reader
 * never sees a mix of old and new files. A crash in between is completed by the next attempt of the run.
 */
final class ParquetSink implements ScoringSink {
    private final ScoringJobSpec.ParquetDestination destination;
    private final Path outputRoot;
    private final BatchRun run;
    private final ChunkFiles files;
    private final String hash;
    private Path target;
    private Path parent;

    ParquetSink(ScoringJobSpec.ParquetDestination destination, Path outputRoot, BatchRun run, ScoringPlan plan) {
        this.destination = destination;
        this.outputRoot = outputRoot;
        this.run = run;
        this.hash = ScoringRun.hashedName("", run.id());
        this.files = new ChunkFiles(plan.columns(), destination.partitionBy(), "part-" + hash);
    }

    private boolean replace() {
        return destination.mode() == ScoringJobSpec.Mode.REPLACE;
    }

    private Path staging() {
        return parent.resolve(".staging-" + hash);
    }

    private Path aside() {
        return parent.resolve(".replaced-" + hash);
    }

    private Path writing() {
        return replace() ? staging() : target;
    }

    @Override
    public boolean prepare(boolean resumed) {
        target = OutputDirectories.resolve(outputRoot, destination.path(), !replace());
        parent = target.getParent();
        if (!replace()) {
            return true;
        }
        if (resumed && !Files.isDirectory(staging(), LinkOption.NOFOLLOW_LINKS)) {
            // The staging directory exists from before chunk 0 until the swap: without it the swap has happened.
            ChunkFiles.deleteTree(aside());
            return false;
        }
        try {
            if (!resumed) {
                ChunkFiles.deleteTree(staging());
            }
            Files.createDirectories(staging());
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot create the staging directory " + staging() + ": " + e.getMessage(), e);
        }
        return true;
    }

    @Override
    public int write(int chunk, List<Object[]> rows, Object[] runValues, Checkpoint checkpoint) {
        files.write(writing(), parent.resolve(".tmp-" + hash + "-" + chunk), chunk, rows, runValues);
        try {
            checkpoint.record(Optional.empty(), rows.size());
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot checkpoint chunk " + chunk + " of run '" + run.id() + "': " + e.getMessage(), e);
        }
        return rows.size();
    }

    @Override
    public void finish() {
        if (!replace()) {
            return;
        }
        try {
            if (Files.isDirectory(staging(), LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    ChunkFiles.deleteTree(aside());
                    ChunkFiles.move(target, aside());
                }
                ChunkFiles.move(staging(), target);
                ChunkFiles.forceDirectory(parent);
            }
            ChunkFiles.deleteTree(aside());
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot swap " + staging() + " in for " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
