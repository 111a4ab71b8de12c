package dev.keel.core.data;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.AccessPolicy;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.OutputSpec;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.SourceSpec;
import dev.keel.spi.data.ValueRef;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What pipelines may reach, as an admin configured it: file sources under the source roots and outside Keel's own
 * directories, databases through declared connections (never Keel's own store), HTTP sources on public hosts. Checked when a
 * spec is validated or registered and again when it runs, because files and addresses change in between.
 */
public final class SourceAccess {
    private static final List<String> FILE_DATABASES = List.of("jdbc:sqlite:", "jdbc:duckdb:", "jdbc:h2:", "jdbc:derby:",
            "jdbc:hsqldb:");

    private final AccessPolicy policy;
    private final Map<String, AccessPolicy> projectPolicies;
    private final Map<String, JdbcConnection> connections;
    private final boolean allowInlineJdbcUrls;
    private final String storeUrl;
    private final List<Path> keelDirectories;

    private SourceAccess(AccessPolicy policy, Map<String, AccessPolicy> projectPolicies, Map<String, JdbcConnection> connections,
                         boolean allowInlineJdbcUrls, String storeUrl, List<Path> keelDirectories) {
        this.policy = policy;
        this.projectPolicies = Map.copyOf(projectPolicies);
        this.connections = Map.copyOf(connections);
        this.allowInlineJdbcUrls = allowInlineJdbcUrls;
        this.storeUrl = storeUrl;
        this.keelDirectories = keelDirectories.stream().map(directory -> AccessPolicy.realPath(directory.toAbsolutePath()
                .normalize())).toList();
    }

    /**
     * The access the {@code pipelines} section grants.
     *
     * @param storeUrl the metadata store's JDBC URL, which no connection may point at
     * @param keelDirectories Keel's own directories (data, artifacts, datasets): no source reads them, no file database lives
     *                        in them
     * @throws KeelException INVALID_CONFIG naming the connection whose URL points at Keel's store or data
     */
    public static SourceAccess of(PipelinesConfig settings, String storeUrl, List<Path> keelDirectories) {
        Objects.requireNonNull(settings, "settings");
        AccessPolicy policy = new AccessPolicy(settings.sourceRoots(), keelDirectories, settings.httpAllowPrivate(),
                settings.httpAllowedHosts());
        Map<String, AccessPolicy> projectPolicies = settings.projectSourceRoots().entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, entry -> new AccessPolicy(entry.getValue(), keelDirectories, settings.httpAllowPrivate(),
                        settings.httpAllowedHosts())));
        SourceAccess access = new SourceAccess(policy, projectPolicies, settings.connections(), settings.allowInlineJdbcUrls(), storeUrl,
                keelDirectories);
        for (JdbcConnection connection : settings.connections().values()) {
            access.storeRefusal(connection.url()).ifPresent(why -> {
                throw new KeelException(ErrorCode.INVALID_CONFIG, "invalid configuration: 'pipelines.connections."
                        + connection.name() + ".url' " + why + "; pipelines must not read or write Keel's own metadata");
            });
        }
        return access;
    }

    /** File sources confined to one directory; no connections, no inline JDBC URLs, public HTTP hosts only. */
    public static SourceAccess confinedTo(Path directory) {
        return new SourceAccess(AccessPolicy.confinedTo(directory), Map.of(), Map.of(), false, "", List.of());
    }

    /** Like {@link #confinedTo(Path)}, with declared connections (for tests and embedding). */
    public static SourceAccess confinedTo(Path directory, List<JdbcConnection> connections, boolean allowPrivateHosts) {
        return new SourceAccess(new AccessPolicy(List.of(directory), List.of(), allowPrivateHosts, List.of()), Map.of(),
                connections.stream().collect(Collectors.toMap(JdbcConnection::name, connection -> connection)), false, "", List.of());
    }

    /** The policy the engine enforces at run time for a pipeline of the project: its own source roots where set. */
    public AccessPolicy policy(String project) {
        return projectPolicies.getOrDefault(project, policy);
    }

    /**
     * The real path of a file (or of a glob's fixed part) that a spec of the project names, when it lies under the project's source
     * roots and outside Keel's own directories once {@code ..} and symbolic links are resolved.
     *
     * @param written the path as the spec gives it, for the message
     * @param resolved the path resolved against the base directory
     * @throws KeelException FORBIDDEN naming the path as written and the roots
     */
    public Path confine(String project, String written, Path resolved) {
        Objects.requireNonNull(written, "written");
        Objects.requireNonNull(resolved, "resolved");
        AccessPolicy policy = policy(project);
        Optional<String> refusal = policy.check(written, resolved);
        if (refusal.isPresent()) {
            throw new KeelException(ErrorCode.FORBIDDEN, refusal.get());
        }
        return AccessPolicy.realPath(resolved.toAbsolutePath().normalize());
    }

    /** Every way the plan of a pipeline of the project reaches beyond what the admin allows; empty when it stays inside. */
    public List<SpecError> check(PipelinePlan plan, Path baseDirectory, String project) {
        AccessPolicy policy = policy(project);
        List<SpecError> errors = new ArrayList<>();
        for (int index = 0; index < plan.sources().size(); index++) {
            String path = "sources[" + index + "]";
            switch (plan.sources().get(index)) {
                case SourceSpec.Files files -> {
                    for (String written : files.paths()) {
                        Path resolved;
                        try {
                            resolved = baseDirectory.resolve(written).normalize();
                        } catch (InvalidPathException e) {
                            errors.add(new SpecError(path + ".path", "'" + written + "' is not a valid path"));
                            continue;
                        }
                        policy.check(written, AccessPolicy.isGlob(written) ? AccessPolicy.globRoot(resolved) : resolved)
                                .ifPresent(message -> errors.add(new SpecError(path + ".path", message)));
                    }
                }
                case SourceSpec.Jdbc jdbc -> {
                    database(jdbc.connection(), jdbc.url(), path, errors);
                    reference(policy, jdbc.user(), baseDirectory, path + ".user", errors);
                    reference(policy, jdbc.password(), baseDirectory, path + ".password", errors);
                }
                case SourceSpec.Http http -> {
                    policy.refuseHost(http.url()).ifPresent(message -> errors.add(new SpecError(path + ".url", message)));
                    http.headers().forEach((header, value) -> reference(policy, value, baseDirectory, path + ".headers." + header, errors));
                }
            }
        }
        for (int index = 0; index < plan.outputs().size(); index++) {
            Optional<OutputSpec.JdbcTable> table = plan.outputs().get(index).table();
            if (table.isPresent()) {
                String path = "outputs[" + index + "].table";
                database(table.get().connection(), table.get().url(), path, errors);
                reference(policy, table.get().user(), baseDirectory, path + ".user", errors);
                reference(policy, table.get().password(), baseDirectory, path + ".password", errors);
            }
        }
        return errors;
    }

    /** The plan with every connection name replaced by the connection's URL and credentials. */
    public PipelinePlan resolve(PipelinePlan plan) {
        List<SourceSpec> sources = new ArrayList<>();
        for (int index = 0; index < plan.sources().size(); index++) {
            SourceSpec source = plan.sources().get(index);
            if (source instanceof SourceSpec.Jdbc jdbc && !jdbc.connection().isEmpty()) {
                JdbcConnection connection = connection(jdbc.connection(), "sources[" + index + "].connection");
                source = new SourceSpec.Jdbc(jdbc.name(), jdbc.connection(), connection.url(), new ValueRef.Literal(connection.user()),
                        connection.password(), jdbc.query(), jdbc.fetchSize());
            }
            sources.add(source);
        }
        List<OutputSpec> outputs = new ArrayList<>();
        for (int index = 0; index < plan.outputs().size(); index++) {
            OutputSpec output = plan.outputs().get(index);
            Optional<OutputSpec.JdbcTable> table = output.table();
            if (table.isPresent() && !table.get().connection().isEmpty()) {
                OutputSpec.JdbcTable target = table.get();
                JdbcConnection connection = connection(target.connection(), "outputs[" + index + "].table.connection");
                output = new OutputSpec(output.dataset(), output.from(), Optional.of(new OutputSpec.JdbcTable(target.connection(),
                        connection.url(), new ValueRef.Literal(connection.user()), connection.password(), target.table(),
                        target.mode())));
            }
            outputs.add(output);
        }
        return new PipelinePlan(plan.pipeline(), sources, plan.steps(), plan.expectations(), outputs, plan.quarantineDataset());
    }

    private JdbcConnection connection(String name, String path) {
        JdbcConnection connection = connections.get(name);
        if (connection == null) {
            throw new DataEngineException(DataEngineException.Kind.BAD_SPEC, path, unknownConnection(name));
        }
        return connection;
    }

    private String unknownConnection(String name) {
        return "no connection named '" + name + "'; declared: " + connections.keySet().stream().sorted().toList()
                + " (an admin declares connections under pipelines.connections)";
    }

    private void database(String connection, String url, String path, List<SpecError> errors) {
        if (!connection.isEmpty()) {
            if (!connections.containsKey(connection)) {
                errors.add(new SpecError(path + ".connection", unknownConnection(connection)));
            }
            return;
        }
        if (!allowInlineJdbcUrls) {
            errors.add(new SpecError(path + ".url", "JDBC URLs in specs are not allowed; ask an admin to declare the database"
                    + " under pipelines.connections and refer to it with 'connection: <name>'"));
            return;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (FILE_DATABASES.stream().anyMatch(lower::startsWith)) {
            errors.add(new SpecError(path + ".url", "a file database cannot be named by URL in a spec; ask an admin to declare it"
                    + " under pipelines.connections"));
            return;
        }
        storeRefusal(url).ifPresent(why -> errors.add(new SpecError(path + ".url", "the URL " + why)));
    }

    /** Why a JDBC URL reaches Keel's own store or directories, or empty when it does not. */
    Optional<String> storeRefusal(String url) {
        if (!storeUrl.isEmpty() && withoutParameters(url).equalsIgnoreCase(withoutParameters(storeUrl))) {
            return Optional.of("points at Keel's own metadata store");
        }
        String lower = url.toLowerCase(Locale.ROOT);
        for (String prefix : FILE_DATABASES) {
            if (lower.startsWith(prefix)) {
                Optional<Path> file = databaseFile(url.substring(prefix.length()));
                Optional<Path> store = storeUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:sqlite:")
                        ? databaseFile(storeUrl.substring("jdbc:sqlite:".length())) : Optional.empty();
                if (file.isPresent() && (file.equals(store) || keelDirectories.stream().anyMatch(file.get()::startsWith))) {
                    return Optional.of("names a database file in Keel's data directory");
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> databaseFile(String location) {
        String file = withoutParameters(location);
        if (file.startsWith("file:")) {
            file = file.substring("file:".length());
        }
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("memory:") || file.startsWith("mem:")) {
            return Optional.empty();
        }
        try {
            return Optional.of(AccessPolicy.realPath(Path.of(file).toAbsolutePath().normalize()));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static String withoutParameters(String url) {
        int cut = url.indexOf('?');
        return (cut < 0 ? url : url.substring(0, cut)).strip();
    }

    /** Value references in a spec may not read Keel's own settings nor files outside the source roots. */
    private static void reference(AccessPolicy policy, ValueRef value, Path baseDirectory, String path, List<SpecError> errors) {
        switch (value) {
            case ValueRef.Literal literal -> {
                // A literal is the author's own text.
            }
            case ValueRef.Env env -> {
                if (env.variable().toUpperCase(Locale.ROOT).startsWith("KEEL_")) {
                    errors.add(new SpecError(path, "the environment variable '" + env.variable() + "' is one of Keel's own settings,"
                            + " which specs cannot read"));
                }
            }
            case ValueRef.File file -> policy.check(file.path(), baseDirectory.resolve(file.path()).normalize())
                    .ifPresent(message -> errors.add(new SpecError(path, message)));
        }
    }
}
