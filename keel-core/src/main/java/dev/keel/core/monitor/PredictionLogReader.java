package dev.keel.core.monitor;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the prediction log's Parquet segments: the port through which the log is queried, so that keel-core compiles
 * without a query engine. keel-engine-duckdb implements it; {@link #load()} finds the implementation with
 * {@link ServiceLoader}. Implementations are thread-safe.
 */
public interface PredictionLogReader extends AutoCloseable {

    /**
     * Streams the segments' records matching the query to the consumer: the model, {@code [from, to)} (or everything
     * before {@code to}), the version if given, else only served records (not shadow ones); oldest first, or for a query
     * with a limit the newest {@code limit} first.
     *
     * @return the number of records read
     */
    long scan(List<Path> segments, PredictionQuery query, Consumer<PredictionRecord> consumer);

    /** Served (not shadow) records per version of the query's model in {@code [from, to)}; the query has no limit. */
    Map<Integer, Long> versionCounts(List<Path> segments, PredictionQuery query);

    /** The model versions that logged each of these request ids, served records before shadow ones; absent ids are left out. */
    Map<String, Set<PredictionLog.LoggedModel>> loggedModels(List<Path> segments, Collection<String> requestIds);

    @Override
    void close();

    /** The reader on the class path; fails naming the missing module when there is none. */
    static PredictionLogReader load() {
        return ServiceLoader.load(PredictionLogReader.class, PredictionLogReader.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, "no prediction log reader on the class path; expected "
                        + "keel-engine-duckdb (" + PredictionLogReader.class.getName() + " through ServiceLoader)"));
    }
}
