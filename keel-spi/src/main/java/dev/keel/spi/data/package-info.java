/**
 * The data-engine plug-in point: a declarative pipeline plan (sources, steps, expectations, outputs) that an engine
 * executes, and the row accounting, expectation outcomes, snapshots and profiles it reports back.
 *
 * <p>The plan is engine-neutral: steps are described by what they do (clean, dedupe, match/merge, impute, derive) and
 * SQL steps use standard SQL over named inputs, so an embedded engine (DuckDB) and a distributed one (Spark) run the
 * same spec unchanged. Engines write output files only under the staging directory they are given; publishing them
 * (fsync, atomic rename, metadata) is the core's job.
 */
package dev.keel.spi.data;
