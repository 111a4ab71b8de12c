package dev.keel.server;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Patterns;
import dev.keel.core.incident.PatternsConfig;
import dev.keel.core.security.Permission;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The recurring-pattern report of a project's incidents over HTTP: {@code GET /v1/incident-patterns?project=&since=30d}. */
public final class IncidentPatternRoutes implements HttpService {
    /** How far back a report looks when {@code since} is not given. */
    static final Duration DEFAULT_SINCE = Duration.ofDays(30);
    private static final Pattern SHORT = Pattern.compile("(\\d{1,6})(m|h|d)");
    private static final int MAX_SINCE_TEXT = 40;

    private final Patterns patterns;
    private final Predicate<String> projectExists;

    /** @param projectExists whether a project exists; a report of an unknown project is a 404 */
    public IncidentPatternRoutes(Patterns patterns, Predicate<String> projectExists) {
        this.patterns = Objects.requireNonNull(patterns, "patterns");
        this.projectExists = Objects.requireNonNull(projectExists, "projectExists");
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> queryProject = call -> call.query("project");
        api.get("/v1/incident-patterns", Permission.INCIDENT_READ).project(queryProject)
                .describe("incident-pattern.report", "The recurring-pattern report of a project's incidents (?project=, ?since=30d|12h|ISO-8601,"
                        + " at most 366d): top recurring causes, escalated patterns with their likely upstream, time to automated remediation"
                        + " and each policy's success rate")
                .handle(call -> {
                    String project = call.query("project").orElseThrow(() -> invalid("project", "query parameter 'project' is required"));
                    if (!projectExists.test(project)) {
                        throw KeelException.notFound("there is no project '" + project + "'");
                    }
                    Duration since = since(call.query("since"));
                    call.ok(patterns.report(project, patterns.now().minus(since)).json());
                });
    }

    /** {@code 30d}, {@code 12h}, {@code 90m} or an ISO-8601 duration, positive and at most 366 days. */
    static Duration since(Optional<String> raw) {
        if (raw.isEmpty()) {
            return DEFAULT_SINCE;
        }
        String text = raw.get();
        String expected = "expected a positive duration of at most 366d such as 30d, 12h, 90m or ISO-8601 (P7D, PT12H)";
        if (text.length() > MAX_SINCE_TEXT) {
            throw invalid("since", "query parameter 'since' is longer than " + MAX_SINCE_TEXT + " characters; " + expected);
        }
        Duration duration;
        Matcher matcher = SHORT.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            duration = switch (matcher.group(2)) {
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } else {
            try {
                duration = Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw invalid("since", "query parameter 'since' is '" + text + "'; " + expected);
            }
        }
        if (!duration.isPositive() || duration.compareTo(PatternsConfig.MAX_WINDOW) > 0) {
            throw invalid("since", "query parameter 'since' is '" + text + "'; " + expected);
        }
        return duration;
    }

    private static KeelException invalid(String field, String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError(field, message)));
    }
}
