/**
 * Data collection: declarative pipeline specs (YAML), their validation with paths into the file, runs on a
 * {@link dev.keel.spi.data.DataEngine}, versioned dataset snapshots with profiles and lineage, run history with row
 * accounting, and cron schedules.
 *
 * <p>{@link dev.keel.core.data.PipelineService} is the facade the server and the CLI call. Storage goes through three
 * repository interfaces ({@link dev.keel.core.data.PipelineRepository}, {@link dev.keel.core.data.RunRepository},
 * {@link dev.keel.core.data.DatasetRepository}). Snapshot files are written by the engine into a private staging
 * directory, then fsynced and renamed into place by {@link dev.keel.core.data.SnapshotStore} before any metadata is
 * recorded, so a crash never leaves a half-written dataset version.
 *
 * <p>What a pipeline may reach is the admin's: {@link dev.keel.core.data.SourceAccess} confines file sources to the source
 * roots, resolves database names to the connections declared in {@link dev.keel.core.data.PipelinesConfig} and refuses
 * private HTTP hosts, when a spec is validated and again when it runs; the engine enforces the same
 * {@link dev.keel.spi.data.AccessPolicy} on every file it opens and runs user SQL without file access.
 */
package dev.keel.core.data;
