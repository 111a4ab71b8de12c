package dev.keel.core.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Channels in the metadata store (table {@code alert_channels}, migration V40); specs hold secret references only. */
public final class JdbcChannelRepository implements ChannelRepository {
    private static final TypeReference<Map<String, Object>> SPEC = new TypeReference<>() {
    };
    private final Database database;
    private final Clock clock;

    public JdbcChannelRepository(Database database, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void add(Channel channel, String createdBy) {
        database.withConnection(connection -> {
            try {
                return Database.update(connection,
                        "INSERT INTO alert_channels (project, name, kind, spec, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                        channel.project(), channel.name(), channel.kind(), Json.write(ChannelJson.toStored(channel)),
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
        return database.queryOne("SELECT project, spec FROM alert_channels WHERE name = ?", JdbcChannelRepository::channel, name);
    }

    @Override
    public List<Channel> list(String project) {
        return database.query("SELECT project, spec FROM alert_channels WHERE project = ? ORDER BY name", JdbcChannelRepository::channel,
                project);
    }

    @Override
    public boolean delete(String name) {
        return database.update("DELETE FROM alert_channels WHERE name = ?", name) > 0;
    }

    private static Channel channel(ResultSet row) throws SQLException {
        return ChannelJson.fromMap(row.getString("project"), Json.read(row.getString("spec"), SPEC));
    }
}
