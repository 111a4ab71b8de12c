package dev.keel.core.data;

import dev.keel.core.config.ConfigNode;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.ValueRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code pipelines} configuration section.
 *
 * @param scheduler whether the server runs pipelines on their cron schedules ({@code scheduler}, default true)
 * @param zone the time zone cron expressions are read in ({@code time-zone}, default UTC)
 * @param baseDirectory relative source paths in specs resolve against it ({@code base-directory}, default the working
 *                      directory)
 * @param datasetsDirectory where snapshot files live ({@code datasets-directory}, default {@code <data>/datasets})
 * @param sourceRoots the directories file sources may read ({@code source-roots}, relative ones against the base directory;
 *                    default the base directory only)
 * @param connections databases specs refer to by name ({@code connections.<name>: {url, user, password-env | password-file}})
 * @param allowInlineJdbcUrls whether specs may give a JDBC {@code url} instead of a connection name
 *                            ({@code allow-inline-jdbc-urls}, default false)
 * @param httpAllowPrivate whether HTTP sources may reach loopback, private and link-local addresses
 *                         ({@code http.allow-private}, default false)
 * @param httpAllowedHosts hosts HTTP sources may reach whatever they resolve to ({@code http.allowed-hosts}, default none)
 * @param projectSourceRoots per project, the directories its pipelines' file sources may read instead of {@code source-roots}
 *                           ({@code project-source-roots.<project>: [dirs]}, default none: every project uses the source roots)
 * @param profileExactDistinctMaxRows profiles count distinct values exactly in datasets of up to this many rows and estimate
 *                                    them above ({@code profile-exact-distinct-max-rows}, default 1,000,000)
 * @param runLimits how long a source may take to read ({@code source-slow-after}, default none) and how large a share of the
 *                  rows read a run may quarantine ({@code max-quarantine-rate}, default 1: no limit) before the run is reported
 */
public record PipelinesConfig(boolean scheduler, ZoneId zone, Path baseDirectory, Path datasetsDirectory, List<Path> sourceRoots,
                              Map<String, JdbcConnection> connections, boolean allowInlineJdbcUrls, boolean httpAllowPrivate,
                              List<String> httpAllowedHosts, Map<String, List<Path>> projectSourceRoots,
                              long profileExactDistinctMaxRows, RunLimits runLimits) {
    private static final Pattern CONNECTION_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    public PipelinesConfig {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Objects.requireNonNull(datasetsDirectory, "datasetsDirectory");
        sourceRoots = List.copyOf(sourceRoots);
        connections = Map.copyOf(connections);
        httpAllowedHosts = List.copyOf(httpAllowedHosts);
        projectSourceRoots = projectSourceRoots.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                Map.Entry::getKey, entry -> List.copyOf(entry.getValue())));
        if (profileExactDistinctMaxRows < 0) {
            throw new IllegalArgumentException("profileExactDistinctMaxRows must be >= 0, got " + profileExactDistinctMaxRows);
        }
        Objects.requireNonNull(runLimits, "runLimits");
    }

    /** Settings without run limits. */
    public PipelinesConfig(boolean scheduler, ZoneId zone, Path baseDirectory, Path datasetsDirectory, List<Path> sourceRoots,
                           Map<String, JdbcConnection> connections, boolean allowInlineJdbcUrls, boolean httpAllowPrivate,
                           List<String> httpAllowedHosts, Map<String, List<Path>> projectSourceRoots, long profileExactDistinctMaxRows) {
        this(scheduler, zone, baseDirectory, datasetsDirectory, sourceRoots, connections, allowInlineJdbcUrls, httpAllowPrivate,
                httpAllowedHosts, projectSourceRoots, profileExactDistinctMaxRows, RunLimits.NONE);
    }

    /** Settings where every project reads under the same source roots and profiles count exactly up to 1,000,000 rows. */
    public PipelinesConfig(boolean scheduler, ZoneId zone, Path baseDirectory, Path datasetsDirectory, List<Path> sourceRoots,
                           Map<String, JdbcConnection> connections, boolean allowInlineJdbcUrls, boolean httpAllowPrivate,
                           List<String> httpAllowedHosts) {
        this(scheduler, zone, baseDirectory, datasetsDirectory, sourceRoots, connections, allowInlineJdbcUrls, httpAllowPrivate,
                httpAllowedHosts, Map.of(), ExecutionContext.DEFAULT_EXACT_DISTINCT_MAX_ROWS);
    }

    /** Settings whose file sources are confined to the base directory, with no connections and public HTTP hosts only. */
    public PipelinesConfig(boolean scheduler, ZoneId zone, Path baseDirectory, Path datasetsDirectory) {
        this(scheduler, zone, baseDirectory, datasetsDirectory, List.of(baseDirectory), Map.of(), false, false, List.of());
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static PipelinesConfig from(ConfigNode node, Path dataDirectory) {
        String zoneText = node.string("time-zone", "UTC");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            throw node.invalid("time-zone", zoneText, "a time zone such as UTC or Europe/Berlin");
        }
        Path baseDirectory = node.path("base-directory", "");
        List<Path> roots = roots(node, "source-roots", node.strings("source-roots").orElse(List.of(baseDirectory.toString())),
                baseDirectory);
        Map<String, List<Path>> projectRoots = new LinkedHashMap<>();
        ConfigNode projectRootsNode = node.section("project-source-roots");
        for (String project : projectRootsNode.names()) {
            projectRoots.put(project, roots(projectRootsNode, project, projectRootsNode.strings(project).orElse(List.of()), baseDirectory));
        }
        Map<String, JdbcConnection> connections = new LinkedHashMap<>();
        ConfigNode connectionsNode = node.section("connections");
        for (String name : connectionsNode.names()) {
            connections.put(name, connection(connectionsNode, name));
        }
        ConfigNode http = node.section("http");
        PipelinesConfig config = new PipelinesConfig(node.bool("scheduler", true), zone, baseDirectory,
                node.string("datasets-directory").map(Path::of).orElse(dataDirectory.resolve("datasets")), roots, connections,
                node.bool("allow-inline-jdbc-urls", false), http.bool("allow-private", false),
                http.strings("allowed-hosts").orElse(List.of()), projectRoots, exactDistinctMaxRows(node),
                new RunLimits(node.duration("source-slow-after", java.time.Duration.ZERO), node.number("max-quarantine-rate", 1.0, 0.0, 1.0)));
        http.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return config;
    }

    private static List<Path> roots(ConfigNode node, String key, List<String> written, Path baseDirectory) {
        List<Path> roots = written.stream().map(root -> baseDirectory.resolve(root).normalize()).toList();
        if (roots.isEmpty()) {
            throw node.invalid(key, "[]", "a non-empty list of existing directories (relative ones resolve against base-directory)");
        }
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw node.invalid(key, root, "a list of existing directories (relative ones resolve against base-directory)");
            }
        }
        return roots;
    }

    private static long exactDistinctMaxRows(ConfigNode node) {
        String text = node.string("profile-exact-distinct-max-rows", Long.toString(ExecutionContext.DEFAULT_EXACT_DISTINCT_MAX_ROWS))
                .replace("_", "");
        try {
            long rows = Long.parseLong(text);
            if (rows >= 0) {
                return rows;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw node.invalid("profile-exact-distinct-max-rows", text, "a number of rows >= 0 (0: always estimate)");
    }

    private static JdbcConnection connection(ConfigNode connections, String name) {
        if (!CONNECTION_NAME.matcher(name).matches()) {
            throw connections.invalid(name, name, "a connection name of lower-case letters, digits, '_' and '-'");
        }
        ConfigNode node = connections.section(name);
        String url = node.string("url").orElseThrow(() -> node.invalid("url", "", "a JDBC URL such as"
                + " jdbc:postgresql://host:5432/db"));
        if (!url.startsWith("jdbc:")) {
            throw node.invalid("url", url, "a JDBC URL starting with 'jdbc:'");
        }
        if (url.matches("(?i)^jdbc:[a-z]+://[^/@]*:[^/@]*@.*") || url.toLowerCase(java.util.Locale.ROOT).matches(".*[?&;]password=.*")) {
            throw node.invalid("url", "(a URL with a password)", "a URL without credentials; give the password with password-env"
                    + " or password-file");
        }
        String user = node.string("user", "");
        java.util.Optional<String> environment = node.string("password-env");
        java.util.Optional<String> file = node.string("password-file");
        if (environment.isPresent() && file.isPresent()) {
            throw node.invalid("password-file", file.get(), "absent when password-env is given (give one of them)");
        }
        ValueRef password = environment.<ValueRef>map(ValueRef.Env::new)
                .or(() -> file.map(ValueRef.File::new)).orElse(new ValueRef.Literal(""));
        node.rejectUnknownKeys();
        return new JdbcConnection(name, url, user, password);
    }
}
