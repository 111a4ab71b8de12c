package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.data.PipelineService;
import dev.keel.spi.data.TableData;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The batch scoring part of the demo: the lending team's operational database holds its applicants (the real credit-g rows as
 * the pipeline derived them); a scoring job keeps a table of a reports database filled with the champion's predictions; a
 * process owner reads it with plain SQL; new and changed applicants arrive and an incremental run scores only them.
 */
final class BatchDemo {
    static final String JOB = "credit-risk-scores";
    static final String TABLE = "credit_risk_scores";
    /** Applicants in the operational database before the second run; the rest arrive later. */
    private static final int FIRST = 900;
    /** The applicant whose age was typed as -5: a row the feature schema refuses. */
    private static final long MISTYPED = 17;
    private static final Instant LOADED = Instant.parse("2026-12-01T08:00:00Z");
    private static final Instant ARRIVED = Instant.parse("2026-12-02T08:00:00Z");

    private final KeelClient api;
    private final String project;
    private final String model;
    private final PrintStream out;
    private final Path tables;

    private BatchDemo(KeelClient api, String project, String model, PrintStream out, Path tables) {
        this.api = api;
        this.project = project;
        this.model = model;
        this.out = out;
        this.tables = tables;
    }

    /** The connections the demo's configuration declares: the operational database and the reports database. */
    static String connections(Path tables) {
        String base = tables.toAbsolutePath().toString().replace("'", "''");
        return """
                  connections:
                    crm: {url: 'jdbc:sqlite:%s/crm.db'}
                    reports: {url: 'jdbc:sqlite:%s/reports.db'}
                """.formatted(base, base);
    }

    private int step;

    /** Runs the steps on the model features of the latest version of dataset {@code dataset}. */
    static void run(KeelClient api, String project, String model, PrintStream out, Path tables, PipelineService pipelines, String dataset,
                    List<String> features) {
        int version = pipelines.dataset(dataset, 0).version();
        new BatchDemo(api, project, model, out, tables).steps(pipelines.read(dataset, version, features, 1_000_000), features);
    }

    private void step(String title) {
        out.println();
        out.println("[batch " + ++step + "] " + title);
    }

    private void ok(String message) {
        out.println("    ok: " + message);
    }

    private void steps(TableData applicants, List<String> features) {
        BatchDemo steps = this;
        steps.step("Consumption through a table: the lending team's operational database (SQLite 'crm') holds " + FIRST + " of the snapshot's "
                + applicants.rows().size() + " applicants, one of them with its age typed as -5; scoring job " + JOB + " keeps table " + TABLE
                + " of database 'reports' filled with the champion's predictions");
        String crm = "jdbc:sqlite:" + tables.resolve("crm.db");
        sql(crm, connection -> {
            createApplicants(connection, features);
            insert(connection, applicants, features, 0, FIRST, LOADED);
            try (PreparedStatement mistype = connection.prepareStatement("UPDATE applicants SET age = -5 WHERE applicant_id = ?")) {
                mistype.setLong(1, MISTYPED);
                mistype.executeUpdate();
            }
        });
        JsonNode job = api.postText("/v1/scoring/jobs", spec(), "application/yaml");
        steps.ok("job " + job.path("name").asText() + " v" + job.path("version").asInt() + ": model " + model + "@champion, input table"
                + " applicants of crm, upsert by applicant_id into " + TABLE + ", incremental on updated_at; quarantine " + TABLE + "_quarantine");

        steps.step("keel score run " + JOB + " --wait: the whole table is scored in chunks, checkpointed, with progress");
        JsonNode first = run();
        require(first.path("status").asText().equals("SUCCEEDED"), "the first scoring run ended " + first.path("status").asText() + ": "
                + first.path("message").asText());
        steps.ok(describe(first));
        List<String> quarantined = query("jdbc:sqlite:" + tables.resolve("reports.db"), "SELECT keys, column_name, value, reason FROM " + TABLE
                + "_quarantine", row -> "applicant " + row.getString(1) + ": " + row.getString(2) + " = " + row.getString(3) + ", " + row.getString(4));
        require(quarantined.size() == 1, "expected one quarantined applicant, found " + quarantined);
        steps.ok("quarantined, not scored: " + quarantined.getFirst() + " (the value is masked: age is sensitive)");

        steps.step("A process owner reads the predictions with plain SQL (sqlite3 " + tables.resolve("reports.db") + ")");
        String reports = "jdbc:sqlite:" + tables.resolve("reports.db");
        out.println("    sqlite> SELECT label, COUNT(*), ROUND(AVG(p_bad), 3) FROM " + TABLE + " GROUP BY label;");
        for (String line : query(reports, "SELECT label, COUNT(*), ROUND(AVG(p_bad), 3) FROM " + TABLE + " GROUP BY label ORDER BY label",
                row -> row.getString(1) + " | " + row.getLong(2) + " | " + row.getDouble(3))) {
            out.println("    " + line);
        }
        out.println("    sqlite> SELECT applicant_id, p_bad, label, model_version, scored_at FROM " + TABLE + " ORDER BY p_bad DESC LIMIT 3;");
        for (String line : query(reports, "SELECT applicant_id, p_bad, label, model_version, scored_at FROM " + TABLE
                + " ORDER BY p_bad DESC LIMIT 3", row -> row.getLong(1) + " | " + String.format(Locale.ROOT, "%.3f", row.getDouble(2)) + " | "
                + row.getString(3) + " | " + row.getInt(4) + " | " + row.getString(5))) {
            out.println("    " + line);
        }
        long rows = query(reports, "SELECT COUNT(*) FROM " + TABLE, row -> row.getLong(1)).getFirst();
        require(rows == FIRST - 1, "expected " + (FIRST - 1) + " rows in " + TABLE + ", found " + rows);

        int arrived = applicants.rows().size() - FIRST;
        steps.step("New data: " + arrived + " new applicants arrive and 5 existing ones are updated (the mistyped age corrected); the job runs"
                + " again and scores only the new and changed rows (updated_at above the last run's watermark)");
        sql(crm, connection -> {
            insert(connection, applicants, features, FIRST, applicants.rows().size(), ARRIVED);
            try (Statement update = connection.createStatement()) {
                update.executeUpdate("UPDATE applicants SET updated_at = '" + ARRIVED + "', credit_amount = credit_amount + 1000 WHERE applicant_id"
                        + " IN (1, 2, 3, 4)");
            }
            try (PreparedStatement fix = connection.prepareStatement("UPDATE applicants SET age = 35, updated_at = ? WHERE applicant_id = ?")) {
                fix.setString(1, ARRIVED.toString());
                fix.setLong(2, MISTYPED);
                fix.executeUpdate();
            }
        });
        JsonNode second = run();
        require(second.path("status").asText().equals("SUCCEEDED"), "the incremental run ended " + second.path("status").asText() + ": "
                + second.path("message").asText());
        steps.ok(describe(second));
        long read = second.path("rowsRead").asLong();
        require(read == arrived + 5, "the incremental run read " + read + " rows; expected " + (arrived + 5));
        long total = query(reports, "SELECT COUNT(*) FROM " + TABLE, row -> row.getLong(1)).getFirst();
        require(total == applicants.rows().size(), "expected " + applicants.rows().size() + " rows in " + TABLE + ", found " + total);
        steps.ok(TABLE + " now holds all " + total + " applicants; applicant " + MISTYPED + " is scored, the 4 updated ones carry the new run id");
    }

    /** Starts a run of the job and follows it to its end, with the CLI's progress line. */
    private JsonNode run() {
        String id = api.post("/v1/scoring/jobs/" + JOB + "/runs", Map.of()).path("id").asText();
        try {
            return ScoringCommands.follow(api, id, out, false, Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while following scoring run " + id, e);
        }
    }

    private String spec() {
        return """
                name: %s
                project: %s
                description: the lending team's nightly risk scores, read by the credit office's reports
                model: {name: %s, alias: champion}
                input: {connection: crm, table: applicants}
                keys: [applicant_id]
                outputs: {probabilities: true, label: true}
                destination: {kind: sqlite, connection: reports, table: %s, mode: upsert}
                incremental: {watermark: updated_at}
                schedule: "0 2 * * *"
                retries: 2
                chunk_size: 250
                """.formatted(JOB, project, model, TABLE);
    }

    private static String describe(JsonNode run) {
        StringBuilder text = new StringBuilder("run " + run.path("id").asText() + " " + run.path("status").asText().toLowerCase(Locale.ROOT) + ": "
                + run.path("rowsRead").asLong() + " rows read, " + run.path("rowsWritten").asLong() + " written, " + run.path("rowsQuarantined").asLong()
                + " quarantined, by " + run.path("model").asText() + " v" + run.path("modelVersion").asInt());
        JsonNode watermark = run.path("watermark");
        if (watermark.isObject()) {
            text.append("; updated_at in (").append(watermark.path("above").asText("-∞")).append(", ").append(watermark.path("upTo").asText())
                    .append("]");
        }
        return text.toString();
    }

    private static void createApplicants(Connection connection, List<String> features) throws SQLException {
        StringBuilder columns = new StringBuilder("applicant_id INTEGER PRIMARY KEY");
        for (String feature : features) {
            columns.append(", ").append(feature).append(" REAL");
        }
        columns.append(", updated_at TEXT NOT NULL");
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS applicants");
            statement.execute("CREATE TABLE applicants (" + columns + ")");
        }
    }

    private static void insert(Connection connection, TableData applicants, List<String> features, int from, int to, Instant at) throws SQLException {
        int[] indexes = features.stream().mapToInt(applicants.columns()::indexOf).toArray();
        StringBuilder marks = new StringBuilder("?");
        for (int i = 0; i < features.size(); i++) {
            marks.append(", ?");
        }
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO applicants (applicant_id, " + String.join(", ", features)
                + ", updated_at) VALUES (" + marks + ", ?)")) {
            for (int r = from; r < to; r++) {
                Object[] row = applicants.rows().get(r);
                insert.setLong(1, r + 1);
                for (int i = 0; i < indexes.length; i++) {
                    insert.setDouble(i + 2, ((Number) row[indexes[i]]).doubleValue());
                }
                insert.setString(indexes.length + 2, at.toString());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        connection.commit();
        connection.setAutoCommit(true);
    }

    private interface Work {
        void run(Connection connection) throws SQLException;
    }

    private interface Row<T> {
        T map(ResultSet row) throws SQLException;
    }

    private static void sql(String url, Work work) {
        try (Connection connection = DriverManager.getConnection(url)) {
            work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("the demo's database " + url + " failed: " + e.getMessage(), e);
        }
    }

    private static <T> List<T> query(String url, String select, Row<T> mapper) {
        List<T> rows = new ArrayList<>();
        sql(url, connection -> {
            try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(select)) {
                while (result.next()) {
                    rows.add(mapper.map(result));
                }
            }
        });
        return rows;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /** Commands to try after the demo. */
    static List<String> hints(Path tables) {
        return List.of("./keel score jobs --project " + DemoCommand.PROJECT, "./keel score list " + JOB, "sqlite3 " + tables.resolve("reports.db")
                + " 'SELECT * FROM " + TABLE + " ORDER BY p_bad DESC LIMIT 5'");
    }
}
