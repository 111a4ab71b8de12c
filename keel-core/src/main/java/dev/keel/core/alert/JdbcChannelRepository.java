package dev.keel.core.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.security.Envelope;
import dev.keel.core.security.RewrapReport;
import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Channels in the metadata store (table {@code alert_channels}, migration V40). Specs hold secret references only, except
 * a Slack or webhook channel's URL, which is itself a credential or often carries one: with encryption at rest on it is stored
 * sealed ({@link Envelope#sealText}).
 */
public final class JdbcChannelRepository implements ChannelRepository {
    private static final TypeReference<Map<String, Object>> SPEC = new TypeReference<>() {
    };
    private final Database database;
    private final Clock clock;
    private final Envelope envelope;

    /** The kinds whose URL is sealed: a Slack URL is a credential, and a webhook URL often carries a token in its path or query. */
    private static final java.util.Set<String> SEALED_KINDS = java.util.Set.of("slack", "webhook");

    /** A repository that stores Slack URLs as given. */
    public JdbcChannelRepository(Database database, Clock clock) {
        this(database, clock, Envelope.plaintext());
    }

    /** A repository that seals Slack URLs when {@code envelope} has an active key, and reads both forms. */
    public JdbcChannelRepository(Database database, Clock clock, Envelope envelope) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.envelope = Objects.requireNonNull(envelope, "envelope");
    }

    @Override
    public void add(Channel channel, String createdBy) {
        database.withConnection(connection -> {
            try {
                return Database.update(connection,
                        "INSERT INTO alert_channels (project, name, kind, spec, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                        channel.project(), channel.name(), channel.kind(), Json.write(stored(channel)),
                        clock.instant().toEpochMilli(), createdBy);
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    throw new KeelException(ErrorCode.ALREADY_EXISTS, "a channel named '" + channel.name()
                            + "' exists already; channel names are unique across projects");
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<Channel> find(String name) {
        return database.queryOne("SELECT project, spec FROM alert_channels WHERE name = ?", this::channel, name);
    }

    @Override
    public List<Channel> list(String project) {
        return database.query("SELECT project, spec FROM alert_channels WHERE project = ? ORDER BY name", this::channel,
                project);
    }

    @Override
    public boolean delete(String name) {
        return database.update("DELETE FROM alert_channels WHERE name = ?", name) > 0;
    }

    /**
     * Seals every Slack and webhook URL under the active key: those under another key, and those stored in plaintext before encryption
     * was on (both counted as re-wrapped); each row is updated only if it did not change meanwhile.
     *
     * @throws IllegalStateException when encryption is off
     */
    public RewrapReport rewrap() {
        String active = envelope.keys().active().orElseThrow(() -> new IllegalStateException(
                "re-wrapping needs an active key: set security.encryption.active"));
        record Row(String name, String kind, String spec) {
        }
        List<Row> rows = database.query("SELECT name, kind, spec FROM alert_channels ORDER BY name", row -> new Row(row.getString("name"),
                row.getString("kind"), row.getString("spec")));
        int rewrapped = 0;
        int current = 0;
        int failed = 0;
        List<String> failures = new ArrayList<>();
        for (Row row : rows) {
            if (!SEALED_KINDS.contains(row.kind())) {
                continue;
            }
            try {
                Map<String, Object> spec = new LinkedHashMap<>(Json.read(row.spec(), SPEC));
                String url = String.valueOf(spec.get("url"));
                Optional<String> resealed = Envelope.isSealedText(url) ? envelope.rewrapText(url, label(row.name()))
                        : Optional.of(envelope.sealText(url));
                if (resealed.isEmpty()) {
                    current++;
                    continue;
                }
                spec.put("url", resealed.get());
                if (database.update("UPDATE alert_channels SET spec = ? WHERE name = ? AND spec = ?", Json.write(spec), row.name(),
                        row.spec()) > 0) {
                    rewrapped++;
                }
            } catch (KeelException e) {
                failed++;
                if (failures.size() < RewrapReport.MAX_LISTED) {
                    failures.add("channel '" + row.name() + "': " + e.getMessage());
                }
            }
        }
        return new RewrapReport(active, rewrapped, current, 0, failed, failures);
    }

    private Map<String, Object> stored(Channel channel) {
        Map<String, Object> map = ChannelJson.toStored(channel);
        if (channel instanceof Channel.Slack slack) {
            map.put("url", envelope.sealText(slack.url().toString()));
        } else if (channel instanceof Channel.Webhook webhook) {
            map.put("url", envelope.sealText(webhook.url().toString()));
        }
        return map;
    }

    private Channel channel(ResultSet row) throws SQLException {
        Map<String, Object> spec = new LinkedHashMap<>(Json.read(row.getString("spec"), SPEC));
        if (spec.get("url") instanceof String url && Envelope.isSealedText(url)) {
            spec.put("url", envelope.openText(url, label(String.valueOf(spec.get("name")))));
        }
        return ChannelJson.fromMap(row.getString("project"), spec);
    }

    private static String label(String channel) {
        return "the URL of alert channel '" + channel + "'";
    }
}
