/**
 * The embedded DuckDB data engine: runs pipeline plans in an in-memory DuckDB database, one per run, spilling to the run's
 * staging directory when memory runs short.
 *
 * <p>User code runs sandboxed. {@link dev.keel.engine.duckdb.SourceLoader} reads every source into a table, checking each
 * file against the run's {@link dev.keel.spi.data.AccessPolicy}; then {@link dev.keel.engine.duckdb.Sandbox} locks the
 * database (no file access but the staging directory, no extensions, configuration locked) and
 * {@link dev.keel.engine.duckdb.SqlGuard} judges each SQL step and derive expression from DuckDB's parse tree before it
 * runs, so a refusal names the function or statement instead of echoing DuckDB's message.
 *
 * <p>It also reads the prediction log's Parquet segments for monitoring
 * ({@link dev.keel.engine.duckdb.DuckDbPredictionLogReader}, keel-core's {@code PredictionLogReader} port).
 */
package dev.keel.engine.duckdb;
