package dev.keel.core.security;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Projects: the namespaces that group models, endpoints, pipelines and datasets, and to which roles are granted. */
public final class ProjectService {
    public static final String DEFAULT = "default";

    private final Database database;
    private final Clock clock;

    public ProjectService(Database database, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A project. */
    public record Project(String name, String description, Instant createdAt, String createdBy) {
    }

    public Project create(String name, String description, String createdBy) {
        KeelException.requireArgument(name != null && name.matches("[a-z][a-z0-9-]{0,62}"),
                "project name must be 1-63 lower-case letters, digits or '-', starting with a letter; got '%s'", name);
        Instant now = clock.instant();
        try {
            database.update("INSERT INTO projects (name, description, created_at, created_by) VALUES (?, ?, ?, ?)",
                    name, description, now, createdBy);
        } catch (KeelException e) {
            if (e.code() == ErrorCode.ALREADY_EXISTS) {
                throw new KeelException(ErrorCode.ALREADY_EXISTS, "project '" + name + "' exists already");
            }
            throw e;
        }
        return new Project(name, description, now, createdBy);
    }

    /** Creates the default project when it is missing. */
    public void ensureDefault() {
        if (find(DEFAULT).isEmpty()) {
            create(DEFAULT, "The project used when none is named", "keel");
        }
    }

    public List<Project> list() {
        return database.query("SELECT * FROM projects ORDER BY name", row -> new Project(row.getString("name"),
                row.getString("description"), Instant.ofEpochMilli(row.getLong("created_at")), row.getString("created_by")));
    }

    public Optional<Project> find(String name) {
        return database.queryOne("SELECT * FROM projects WHERE name = ?", row -> new Project(row.getString("name"),
                row.getString("description"), Instant.ofEpochMilli(row.getLong("created_at")), row.getString("created_by")), name);
    }

    /** The project, or a 404 naming it. */
    public Project require(String name) {
        return find(name).orElseThrow(() -> KeelException.notFound("project '" + name + "' does not exist"));
    }
}
