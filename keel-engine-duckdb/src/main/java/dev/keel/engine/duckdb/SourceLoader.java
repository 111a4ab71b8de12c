package dev.keel.engine.duckdb;

import dev.keel.spi.data.AccessPolicy;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.SourceSpec;
import dev.keel.spi.data.ValueRef;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** Loads one source into a DuckDB table named after it and returns the fingerprint of what was read. */
final class SourceLoader {
    private final DuckDBConnection duck;
    private final ExecutionContext context;

    SourceLoader(DuckDBConnection duck, ExecutionContext context) {
        this.duck = duck;
        this.context = context;
    }

    /** Loads a source into a table named after it and returns its fingerprint. */
    String load(SourceSpec source, String path) throws SQLException {
        return switch (source) {
            case SourceSpec.Files files -> files(files, path);
            case SourceSpec.Jdbc jdbc -> jdbc(jdbc, path);
            case SourceSpec.Http http -> http(http, path);
        };
    }

    private String files(SourceSpec.Files source, String path) throws SQLException {
        List<Path> files = matchedFiles(source, path);
        CompletableFuture<String> fingerprint = CompletableFuture.supplyAsync(() -> fingerprint(files, path));
        create(source, files, path, "");
        try {
            return fingerprint.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof DataEngineException cause ? cause : e;
        }
    }

    /**
     * Creates an empty table named after a file source with the columns and types a run would read, from the CSV header and a
     * sample of its rows, the Parquet schema or a sample of the JSON lines; no file is read whole. Each file must exist, be
     * readable and lie under the source roots.
     */
    void schema(SourceSpec.Files source, String path) throws SQLException {
        List<Path> files = matchedFiles(source, path);
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                throw new DataEngineException(Kind.SOURCE, path + ".path", "'" + shown(file) + "' exists but cannot be read by Keel");
            }
        }
        create(source, files, path, " LIMIT 0");
    }

    private List<Path> matchedFiles(SourceSpec.Files source, String path) {
        List<Path> files = new ArrayList<>();
        for (String pattern : source.paths()) {
            List<Path> matched = expand(pattern, path + ".path");
            if (matched.isEmpty()) {
                throw new DataEngineException(Kind.SOURCE, path + ".path", "no file matches '" + pattern + "'; relative paths"
                        + " resolve against the pipelines base directory");
            }
            files.addAll(matched);
        }
        return files;
    }

    private String shown(Path file) {
        return file.startsWith(context.baseDirectory()) ? context.baseDirectory().relativize(file).toString() : file.toString();
    }

    private void create(SourceSpec.Files source, List<Path> files, String path, String limit) throws SQLException {
        String list = files.stream().map(file -> Sql.literal(file.toString())).collect(Collectors.joining(", ", "[", "]"));
        String read = switch (source.format()) {
            case CSV -> {
                StringBuilder options = new StringBuilder(", header = " + source.options().getOrDefault("header", "true"));
                if (source.options().containsKey("delimiter")) {
                    options.append(", delim = ").append(Sql.literal(source.options().get("delimiter")));
                }
                if (source.options().containsKey("quote")) {
                    options.append(", quote = ").append(Sql.literal(source.options().get("quote")));
                }
                if (source.options().containsKey("null-string")) {
                    options.append(", nullstr = ").append(Sql.literal(source.options().get("null-string")));
                }
                if (!source.types().isEmpty()) {
                    options.append(source.types().entrySet().stream()
                            .map(entry -> Sql.literal(entry.getKey()) + ": " + Sql.literal(Sql.duckType(entry.getValue())))
                            .collect(Collectors.joining(", ", ", types = {", "}")));
                }
                yield "read_csv(" + list + options + ", union_by_name = true)";
            }
            case PARQUET -> "read_parquet(" + list + ", union_by_name = true)";
            case JSON_LINES -> "read_json_auto(" + list + ", format = 'newline_delimited', union_by_name = true)";
        };
        String select = "SELECT * FROM " + read;
        if (source.format() != SourceSpec.FileFormat.CSV && !source.types().isEmpty()) {
            select = "SELECT * REPLACE (" + source.types().entrySet().stream()
                    .map(entry -> "CAST(" + Sql.id(entry.getKey()) + " AS " + Sql.duckType(entry.getValue()) + ") AS "
                            + Sql.id(entry.getKey()))
                    .collect(Collectors.joining(", ")) + ") FROM " + read;
        }
        try (Statement statement = duck.createStatement()) {
            statement.execute("CREATE TABLE " + Sql.id(source.name()) + " AS " + select + limit);
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_DATA, path, "cannot read " + source.format().name().toLowerCase(java.util.Locale.ROOT)
                    + " source '" + source.name() + "': " + firstLine(e), e);
        }
    }

    /** The SHA-256 over the files' names and contents, computed while DuckDB reads them. */
    private static String fingerprint(List<Path> files, String path) {
        MessageDigest digest = sha256();
        for (Path file : files) {
            digest.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    digest.update(buffer, 0, read);
                }
            } catch (IOException e) {
                throw new DataEngineException(Kind.SOURCE, path, "cannot read '" + file + "': " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The real paths of the files a path or glob names, each checked against the source roots (a glob's fixed part must lie
     * under a root, and so must every file it matches once links are resolved).
     */
    private List<Path> expand(String pattern, String path) {
        Path resolved = context.baseDirectory().resolve(pattern).normalize();
        if (!AccessPolicy.isGlob(pattern)) {
            Path real = context.access().confine(pattern, resolved, path);
            return Files.isRegularFile(real) ? List.of(real) : List.of();
        }
        Path root = AccessPolicy.globRoot(resolved);
        context.access().confine(pattern, root, path);
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + resolved);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> matched;
        try (Stream<Path> walk = Files.walk(root)) {
            matched = walk.filter(Files::isRegularFile).filter(matcher::matches).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> real = new ArrayList<>();
        for (Path file : matched) {
            String shown = file.startsWith(context.baseDirectory()) ? context.baseDirectory().relativize(file).toString()
                    : file.toString();
            real.add(context.access().confine(shown + "' matched by '" + pattern, file, path));
        }
        return real;
    }

    private String jdbc(SourceSpec.Jdbc source, String path) throws SQLException {
        Properties properties = new Properties();
        String user = context.secrets().resolve(source.user());
        if (!user.isEmpty()) {
            properties.setProperty("user", user);
        }
        if (!(source.password() instanceof ValueRef.Literal literal && literal.value().isEmpty())) {
            properties.setProperty("password", context.secrets().resolve(source.password()));
        }
        MessageDigest digest = sha256();
        String staging = Sql.id("__keel_jdbc_" + source.name());
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        try (Connection remote = DriverManager.getConnection(source.url(), properties)) {
            remote.setAutoCommit(false);
            try (PreparedStatement statement = remote.prepareStatement(source.query())) {
                statement.setFetchSize(source.fetchSize());
                try (ResultSet rows = statement.executeQuery()) {
                    ResultSetMetaData meta = rows.getMetaData();
                    List<String> definitions = new ArrayList<>();
                    for (int column = 1; column <= meta.getColumnCount(); column++) {
                        names.add(meta.getColumnLabel(column));
                        types.add(duckTypeOf(meta.getColumnType(column)));
                        String stagingType = types.get(column - 1).equals("BIGINT") || types.get(column - 1).equals("DOUBLE")
                                || types.get(column - 1).equals("BOOLEAN") ? types.get(column - 1) : "VARCHAR";
                        definitions.add(Sql.id(names.get(column - 1)) + " " + stagingType);
                    }
                    try (Statement create = duck.createStatement()) {
                        create.execute("CREATE TABLE " + staging + " (" + String.join(", ", definitions) + ")");
                    }
                    try (DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "__keel_jdbc_" + source.name())) {
                        while (rows.next()) {
                            appender.beginRow();
                            for (int column = 1; column <= names.size(); column++) {
                                appendValue(appender, rows, column, types.get(column - 1), digest);
                            }
                            appender.endRow();
                        }
                    }
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            Kind kind = state.startsWith("08") || state.startsWith("57P") || state.startsWith("53") ? Kind.TRANSIENT : Kind.SOURCE;
            throw new DataEngineException(kind, path, "jdbc source '" + source.name() + "' failed (SQLSTATE " + state + "): "
                    + firstLine(e), e);
        }
        List<String> select = new ArrayList<>();
        for (int column = 0; column < names.size(); column++) {
            String type = types.get(column);
            String id = Sql.id(names.get(column));
            select.add(type.equals("BIGINT") || type.equals("DOUBLE") || type.equals("BOOLEAN") || type.equals("VARCHAR") ? id
                    : "CAST(" + id + " AS " + type + ") AS " + id);
        }
        try (Statement statement = duck.createStatement()) {
            statement.execute("CREATE TABLE " + Sql.id(source.name()) + " AS SELECT " + String.join(", ", select) + " FROM " + staging);
            statement.execute("DROP TABLE " + staging);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String duckTypeOf(int sqlType) {
        return switch (sqlType) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> "BIGINT";
            case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.DECIMAL, Types.NUMERIC -> "DOUBLE";
            case Types.BOOLEAN, Types.BIT -> "BOOLEAN";
            case Types.DATE -> "DATE";
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> "TIMESTAMP";
            default -> "VARCHAR";
        };
    }

    private static void appendValue(DuckDBAppender appender, ResultSet rows, int column, String type, MessageDigest digest)
            throws SQLException {
        switch (type) {
            case "BIGINT" -> {
                long value = rows.getLong(column);
                if (rows.wasNull()) {
                    appender.appendNull();
                    digest.update((byte) 0);
                } else {
                    appender.append(value);
                    digest.update(Long.toString(value).getBytes(StandardCharsets.UTF_8));
                }
            }
            case "DOUBLE" -> {
                double value = rows.getDouble(column);
                if (rows.wasNull()) {
                    appender.appendNull();
                    digest.update((byte) 0);
                } else {
                    appender.append(value);
                    digest.update(Double.toString(value).getBytes(StandardCharsets.UTF_8));
                }
            }
            case "BOOLEAN" -> {
                boolean value = rows.getBoolean(column);
                if (rows.wasNull()) {
                    appender.appendNull();
                    digest.update((byte) 0);
                } else {
                    appender.append(value);
                    digest.update((byte) (value ? 2 : 1));
                }
            }
            default -> {
                String value = type.equals("TIMESTAMP") && rows.getTimestamp(column) != null
                        ? rows.getTimestamp(column).toLocalDateTime().toString() : rows.getString(column);
                if (value == null) {
                    appender.appendNull();
                    digest.update((byte) 0);
                } else {
                    appender.append(value);
                    digest.update(value.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        digest.update((byte) 31);
    }

    private String http(SourceSpec.Http source, String path) throws SQLException {
        // Redirects are followed by hand so that every hop is checked against the allowed hosts.
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(source.timeoutSeconds()))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        MessageDigest digest = sha256();
        Path file = context.stagingDirectory().resolve("http-" + source.name() + ".jsonl");
        String url = source.url();
        int pages = 0;
        long offset = 0;
        int pageNumber = source.paging() instanceof SourceSpec.Paging.PageNumber page ? page.start() : 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             PreparedStatement extract = duck.prepareStatement(
                     "SELECT unnest(CAST(json_extract(CAST(? AS JSON), ?) AS JSON[]))::VARCHAR");
             PreparedStatement next = duck.prepareStatement("SELECT json_extract_string(CAST(? AS JSON), ?)")) {
            while (url != null && pages < source.maxPages()) {
                String pageUrl = switch (source.paging()) {
                    case SourceSpec.Paging.None none -> url;
                    case SourceSpec.Paging.NextLink link -> url;
                    case SourceSpec.Paging.PageNumber page -> withQuery(url, page.parameter(), Integer.toString(pageNumber),
                            page.sizeParameter(), Integer.toString(page.size()));
                    case SourceSpec.Paging.Offset paged -> withQuery(url, paged.parameter(), Long.toString(offset),
                            paged.limitParameter(), Integer.toString(paged.limit()));
                };
                String body = get(client, source, pageUrl, path);
                digest.update(body.getBytes(StandardCharsets.UTF_8));
                pages++;
                int records = 0;
                extract.setString(1, body);
                extract.setString(2, source.recordsPointer().isEmpty() ? "$" : source.recordsPointer());
                try (ResultSet rows = extract.executeQuery()) {
                    while (rows.next()) {
                        out.write(rows.getString(1));
                        out.write('\n');
                        records++;
                    }
                } catch (SQLException e) {
                    throw new DataEngineException(Kind.BAD_DATA, path + ".records", "page " + pages + " of '" + pageUrl
                            + "' has no JSON array at '" + source.recordsPointer() + "': " + firstLine(e), e);
                }
                switch (source.paging()) {
                    case SourceSpec.Paging.None none -> url = null;
                    case SourceSpec.Paging.NextLink link -> {
                        next.setString(1, body);
                        next.setString(2, link.pointer());
                        try (ResultSet rows = next.executeQuery()) {
                            String link2 = rows.next() ? rows.getString(1) : null;
                            url = link2 == null || link2.isEmpty() ? null : URI.create(url).resolve(link2).toString();
                        }
                    }
                    case SourceSpec.Paging.PageNumber page -> {
                        pageNumber++;
                        if (records == 0 || (page.size() > 0 && records < page.size())) {
                            url = null;
                        }
                    }
                    case SourceSpec.Paging.Offset paged -> {
                        offset += records;
                        if (records < paged.limit()) {
                            url = null;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new DataEngineException(Kind.INTERNAL, path, "cannot stage http source '" + source.name() + "': " + e.getMessage(), e);
        }
        try (Statement statement = duck.createStatement()) {
            if (Files.size(file) == 0) {
                throw new DataEngineException(Kind.BAD_DATA, path, "http source '" + source.name() + "' returned no records");
            }
            statement.execute("CREATE TABLE " + Sql.id(source.name()) + " AS SELECT * FROM read_json_auto("
                    + Sql.literal(file.toString()) + ", format = 'newline_delimited')");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private String get(HttpClient client, SourceSpec.Http source, String firstUrl, String path) {
        String url = firstUrl;
        HttpResponse<String> response;
        for (int hops = 0; ; hops++) {
            context.access().checkUrl(url, path + ".url");
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(source.timeoutSeconds()))
                    .header("Accept", "application/json").GET();
            // Credentials go to the host the spec names only, never to a host a redirect points at.
            boolean sameHost = URI.create(url).getHost().equalsIgnoreCase(URI.create(source.url()).getHost());
            for (Map.Entry<String, ValueRef> header : source.headers().entrySet()) {
                if (sameHost) {
                    request.header(header.getKey(), context.secrets().resolve(header.getValue()));
                }
            }
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new DataEngineException(Kind.TRANSIENT, path, "GET " + url + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataEngineException(Kind.TRANSIENT, path, "interrupted during GET " + url, e);
            }
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (status < 300 || status >= 400 || status == 304 || location.isEmpty()) {
                break;
            }
            if (hops >= 5) {
                throw new DataEngineException(Kind.SOURCE, path, "GET " + firstUrl + " redirected more than 5 times");
            }
            url = URI.create(url).resolve(location.get()).toString();
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            throw new DataEngineException(Kind.TRANSIENT, path, "GET " + url + " returned HTTP " + status);
        }
        if (status >= 300) {
            throw new DataEngineException(Kind.SOURCE, path, "GET " + url + " returned HTTP " + status + "; expected 200");
        }
        return response.body();
    }

    private static String withQuery(String url, String parameter, String value, String sizeParameter, String size) {
        StringBuilder result = new StringBuilder(url).append(url.contains("?") ? '&' : '?')
                .append(URLEncoder.encode(parameter, StandardCharsets.UTF_8)).append('=').append(value);
        if (!sizeParameter.isEmpty() && !size.equals("0")) {
            result.append('&').append(URLEncoder.encode(sizeParameter, StandardCharsets.UTF_8)).append('=').append(size);
        }
        return result.toString();
    }

    static String firstLine(Exception e) {
        if (e instanceof SQLException sql && Sandbox.refused(sql)) {
            return Sandbox.REFUSED;
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        for (String marker : List.of("\nPossible fixes", "\nThe search space used", "\n\nLINE ", "\nLINE ")) {
            int cut = message.indexOf(marker);
            if (cut > 0) {
                message = message.substring(0, cut);
            }
        }
        return message.strip().replace('\n', ' ');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
