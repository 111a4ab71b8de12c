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
 */
package dev.keel.core.data;
