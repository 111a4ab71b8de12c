package dev.keel.spi.data;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Where a pipeline reads rows from; each source becomes a named relation that steps read. */
public sealed interface SourceSpec {
    /** The relation name steps refer to. */
    String name();

    /** The file formats a {@link Files} source reads. */
    enum FileFormat { CSV, PARQUET, JSON_LINES }

    /**
     * Local files or glob patterns of one format.
     *
     * @param options format options: for CSV {@code header} (true/false), {@code delimiter}, {@code quote},
     *                {@code null-string}; column types in {@code types} override detection
     */
    record Files(String name, FileFormat format, List<String> paths, Map<String, String> options,
                 Map<String, ColumnType> types) implements SourceSpec {
        public Files {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(format, "format");
            paths = List.copyOf(paths);
            options = Map.copyOf(options);
            types = Map.copyOf(types);
        }
    }

    /**
     * The result of a query on a JDBC database.
     *
     * @param connection the name of a connection an admin declared ({@code ""} for an inline URL); the platform fills in
     *                   its URL and credentials before the engine runs
     * @param user the user name, often a literal
     * @param password a reference, never a literal
     */
    record Jdbc(String name, String connection, String url, ValueRef user, ValueRef password, String query, int fetchSize)
            implements SourceSpec {
        public Jdbc {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(query, "query");
        }
    }

    /**
     * A JSON endpoint read page by page with HTTP GET.
     *
     * @param recordsPointer a JSON pointer to the array of records in each page ({@code ""} when the page is the array)
     * @param maxPages stops a runaway paginator
     */
    record Http(String name, String url, Map<String, ValueRef> headers, String recordsPointer, Paging paging,
                int maxPages, int timeoutSeconds) implements SourceSpec {
        public Http {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
            headers = Map.copyOf(headers);
            Objects.requireNonNull(recordsPointer, "recordsPointer");
            Objects.requireNonNull(paging, "paging");
        }
    }

    /** How an HTTP source walks through pages; paging stops at the first empty page or missing next link. */
    sealed interface Paging {
        /** One request only. */
        record None() implements Paging {
        }

        /** A page-number query parameter, with an optional page-size parameter ({@code ""} for none). */
        record PageNumber(String parameter, int start, String sizeParameter, int size) implements Paging {
        }

        /** An offset query parameter and a limit parameter. */
        record Offset(String parameter, String limitParameter, int limit) implements Paging {
        }

        /** The next page's URL is read from each page at a JSON pointer. */
        record NextLink(String pointer) implements Paging {
        }
    }
}
