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
 * <p>Runs start in the background ({@link dev.keel.core.data.PipelineService#start}) once their checks and the audit of their
 * start have passed; callers follow them by id. A run whose output equals the latest version of its dataset byte for byte
 * records that version as unchanged instead of adding one. Validation plans a spec on its file sources' schemas through
 * {@link dev.keel.spi.data.DataEngine#check(dev.keel.spi.data.PipelinePlan, dev.keel.spi.data.ExecutionContext)}, so
 * missing files and columns and SQL that does not bind are refused at registration. Schedules fire only for slots after
 * the spec version was registered and after the last resume, and can be paused, resumed and deleted
 * ({@link dev.keel.core.data.ScheduleState}).
 *
 * <p>What a pipeline may reach is the admin's: {@link dev.keel.core.data.SourceAccess} confines file sources to the source
 * roots, resolves database names to the connections declared in {@link dev.keel.core.data.PipelinesConfig} and refuses
 * private HTTP hosts, when a spec is validated and again when it runs; the engine enforces the same
 * {@link dev.keel.spi.data.AccessPolicy} on every file it opens and runs user SQL without file access.
 */
package dev.keel.core.data;
