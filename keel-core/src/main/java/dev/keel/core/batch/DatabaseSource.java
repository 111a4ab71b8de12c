package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tables and queries of databases an administrator declared, never Keel's own store. A table is named by a plain identifier or
 * {@code schema.table} and quoted; a query must be a single SELECT (or WITH … SELECT), is wrapped as a subquery and runs in a
 * read-only transaction.
 */
final class DatabaseSource {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    private final ScoringDestinations databases;

    DatabaseSource(ScoringDestinations databases) {
        this.databases = Objects.requireNonNull(databases, "databases");
    }

    ScoringInputs.Pin pin(ScoringJobSpec.DatabaseInput input) {
        database(input);
        source(input);
        return new ScoringInputs.Pin(0, "");
    }

    ScoringInput open(ScoringJobSpec.DatabaseInput input, ScoringInputs.Selection selection) {
        KeelException.requireArgument(selection.changedSince() == 0, "%s is not a dataset; only dataset inputs select changed rows",
                input.label());
        return new QueryInput(database(input), source(input), input.orderBy(), selection.watermark(), input.label());
    }

    Optional<String> highest(ScoringJobSpec.DatabaseInput input, String column) {
        return new QueryInput(database(input), source(input), input.orderBy(), Optional.empty(), input.label()).highest(column);
    }

    private Database database(ScoringJobSpec.DatabaseInput input) {
        if (input.connection().toLowerCase(Locale.ROOT).equals(ScoringDestinations.KEEL)) {
            throw new KeelException(ErrorCode.FORBIDDEN, "input.connection '" + input.connection() + "' is Keel's own metadata store, which"
                    + " scoring jobs never read; name a connection an administrator declared");
        }
        return databases.database(input.connection());
    }

    /** The SELECT the input stands for: the table's rows, or the query checked to be a single SELECT. */
    static String source(ScoringJobSpec.DatabaseInput input) {
        if (input.table().isPresent()) {
            String table = input.table().get();
            String[] parts = table.split("\\.", -1);
            if (parts.length > 2 || java.util.Arrays.stream(parts).anyMatch(part -> !IDENTIFIER.matcher(part).matches())) {
                throw KeelException.badRequest("input.table '" + shorten(table) + "' is not a table name; expected an identifier or"
                        + " schema.table (letters, digits, '_' or '$', not starting with a digit)");
            }
            StringBuilder quoted = new StringBuilder();
            for (String part : parts) {
                quoted.append(quoted.isEmpty() ? "" : ".").append(DuckSql.quote(part));
            }
            return "SELECT * FROM " + quoted;
        }
        return singleSelect(input.query().orElseThrow());
    }

    /**
     * The query without a trailing semicolon, when it is one SELECT or WITH … SELECT statement.
     *
     * @throws KeelException INVALID_REQUEST naming input.query otherwise
     */
    static String singleSelect(String query) {
        int length = query.length();
        int end = length;
        int i = 0;
        int firstWord = -1;
        while (i < length) {
            char c = query.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int close = i + 1;
                while (close < length) {
                    if (query.charAt(close) == c) {
                        if (close + 1 < length && query.charAt(close + 1) == c) {
                            close += 2;
                            continue;
                        }
                        break;
                    }
                    close++;
                }
                i = close + 1;
            } else if (c == '-' && i + 1 < length && query.charAt(i + 1) == '-') {
                int newline = query.indexOf('\n', i);
                i = newline < 0 ? length : newline + 1;
            } else if (c == '/' && i + 1 < length && query.charAt(i + 1) == '*') {
                int close = query.indexOf("*/", i + 2);
                i = close < 0 ? length : close + 2;
            } else if (c == '$' && dollarTag(query, i) > 0) {
                String tag = query.substring(i, dollarTag(query, i));
                int close = query.indexOf(tag, i + tag.length());
                i = close < 0 ? length : close + tag.length();
            } else if (c == ';') {
                if (!onlyCommentsOrSpace(query.substring(i + 1))) {
                    throw KeelException.badRequest("input.query holds more than one statement (a ';' at character " + (i + 1) + "); a"
                            + " database input reads a single SELECT");
                }
                end = i;
                break;
            } else {
                if (firstWord < 0 && Character.isLetter(c)) {
                    firstWord = i;
                }
                i++;
            }
        }
        String statement = query.substring(0, end).strip();
        String word = firstWord < 0 ? "" : query.substring(firstWord).split("[^A-Za-z]", 2)[0].toUpperCase(Locale.ROOT);
        if (!word.equals("SELECT") && !word.equals("WITH")) {
            throw KeelException.badRequest("input.query must be a single SELECT (or WITH … SELECT); it starts with '" + shorten(word.isEmpty()
                    ? statement : word) + "'");
        }
        return statement;
    }

    /** The end of a PostgreSQL dollar-quote tag ({@code $$} or {@code $name$}) starting at {@code i}, or -1. */
    private static int dollarTag(String query, int i) {
        int j = i + 1;
        while (j < query.length() && (Character.isLetterOrDigit(query.charAt(j)) || query.charAt(j) == '_')) {
            j++;
        }
        if (j < query.length() && query.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(query.charAt(i + 1)))) {
            return j + 1;
        }
        return -1;
    }

    private static boolean onlyCommentsOrSpace(String rest) {
        String stripped = rest.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\\n]*", " ");
        return stripped.isBlank();
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
