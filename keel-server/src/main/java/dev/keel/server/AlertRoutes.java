package dev.keel.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.alert.Alerting;
import dev.keel.core.alert.Channel;
import dev.keel.core.alert.ChannelJson;
import dev.keel.core.alert.DeliveryAttempt;
import dev.keel.core.alert.Silence;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.security.Permission;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Alert channels and silences over HTTP. A channel is named by its name (unique across projects) and checked in its project;
 * lists take {@code ?project=}. Secrets are accepted and shown only as references ({@code env:NAME}, {@code file:path}).
 */
public final class AlertRoutes implements HttpService {
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private final Alerting alerting;
    private final ProjectCheck projects;

    /** Whether a project exists; an object of an unknown project is refused. */
    @FunctionalInterface
    public interface ProjectCheck {
        boolean exists(String project);

        /**
         * The named project, checked: a 400 naming the field {@code project} when it is absent ({@code where} says where it
         * is expected), a 404 when no project has that name.
         */
        default String require(Optional<String> project, String where) {
            String name = project.orElseThrow(() -> {
                String message = "the project is required (" + where + ")";
                return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError("project", message)));
            });
            if (!exists(name)) {
                throw KeelException.notFound("there is no project '" + name + "'");
            }
            return name;
        }
    }

    public AlertRoutes(Alerting alerting, ProjectCheck projects) {
        this.alerting = alerting;
        this.projects = projects;
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> queryProject = call -> call.query("project");
        Function<Call, Optional<String>> bodyProject = call -> Optional.of(call.jsonText("project", "")).filter(text -> !text.isEmpty());
        Function<Call, Optional<String>> channelProject = call -> alerting.channelProject(call.path("id"));
        Function<Call, Optional<String>> silenceProject = call -> alerting.findSilence(call.path("id")).map(Silence::project);

        api.get("/v1/alert-channels", Permission.ALERT_READ).project(queryProject)
                .describe("alert-channel.list", "The alert channels of a project (?project=), secrets shown as references only")
                .handle(call -> call.ok(Map.of("channels", alerting.channels(requiredProject(call)).stream().map(ChannelJson::toPublic)
                        .toList())));
        api.post("/v1/alert-channels", Permission.ALERT_WRITE).project(bodyProject)
                .describe("alert-channel.add", "Add an alert channel: {project, name, kind: webhook|slack|email, ...}; secrets as env:NAME "
                        + "or file:path references")
                .handle(call -> {
                    String project = requireKnown(bodyProject.apply(call));
                    Map<String, Object> body = new LinkedHashMap<>(Json.MAPPER.convertValue(call.json(), OBJECT));
                    body.remove("project");
                    Channel channel = alerting.addChannel(ChannelJson.fromMap(project, body), call.actor());
                    call.created(ChannelJson.toPublic(channel));
                });
        api.get("/v1/alert-channels/{id}", Permission.ALERT_READ).project(channelProject)
                .describe("alert-channel.show", "One alert channel by name")
                .handle(call -> call.ok(ChannelJson.toPublic(alerting.channel(call.path("id")))));
        api.delete("/v1/alert-channels/{id}", Permission.ALERT_WRITE).project(channelProject)
                .describe("alert-channel.delete", "Delete an alert channel; its delivery records stay")
                .handle(call -> {
                    alerting.deleteChannel(call.path("id"));
                    call.ok(Map.of("deleted", call.path("id")));
                });
        api.post("/v1/alert-channels/{id}/test", Permission.ALERT_WRITE).project(channelProject)
                .describe("alert-channel.test", "Send a test alert to the channel now, with retries; answers every attempt made")
                .handle(call -> {
                    List<DeliveryAttempt> attempts = alerting.test(call.path("id"), call.actor());
                    call.ok(Map.of("delivered", attempts.getLast().status() == DeliveryAttempt.Status.SENT, "attempts", attempts));
                });
        api.get("/v1/alert-channels/{id}/deliveries", Permission.ALERT_READ).project(channelProject)
                .describe("alert-channel.deliveries", "The channel's most recent delivery attempts, newest first (?limit=, default 50)")
                .handle(call -> call.ok(Map.of("deliveries", alerting.deliveries(call.path("id"), call.queryInt("limit", 50, 1, 1000)))));

        api.get("/v1/silences", Permission.ALERT_READ).project(queryProject)
                .describe("silence.list", "The silences of a project (?project=), expired ones included, newest first")
                .handle(call -> call.ok(Map.of("silences", alerting.silences(requiredProject(call)))));
        api.post("/v1/silences", Permission.ALERT_WRITE).project(bodyProject)
                .describe("silence.add", "Silence a project's alerts: {project, matchers: {label: value}, duration: \"2h\", comment}")
                .handle(call -> {
                    String project = requireKnown(bodyProject.apply(call));
                    JsonNode body = call.json();
                    for (java.util.Iterator<String> fields = body.fieldNames(); fields.hasNext();) {
                        String field = fields.next();
                        if (!List.of("project", "matchers", "duration", "comment").contains(field)) {
                            throw invalid(field, "field '" + field + "' is not one of [comment, duration, matchers, project]");
                        }
                    }
                    JsonNode matchers = body.get("matchers");
                    if (matchers == null || !matchers.isObject()) {
                        throw invalid("matchers", "field 'matchers' must be an object of label names to values");
                    }
                    Map<String, String> values = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonNode> matcher : matchers.properties()) {
                        if (!matcher.getValue().isTextual()) {
                            throw invalid("matchers." + matcher.getKey(), "matcher '" + matcher.getKey() + "' must be a string");
                        }
                        values.put(matcher.getKey(), matcher.getValue().asText());
                    }
                    Duration duration = duration(call.jsonText("duration", ""));
                    call.created(alerting.addSilence(project, values, duration, call.jsonText("comment", ""), call.actor()));
                });
        api.delete("/v1/silences/{id}", Permission.ALERT_WRITE).project(silenceProject)
                .describe("silence.expire", "Expire a silence now; it stays listed with its end")
                .handle(call -> {
                    Silence silence = alerting.findSilence(call.path("id"))
                            .orElseThrow(() -> KeelException.notFound("there is no silence '" + call.path("id") + "'"));
                    call.ok(alerting.expireSilence(silence.project(), silence.id()));
                });
    }

    private String requiredProject(Call call) {
        return requireKnown(call.query("project"));
    }

    private String requireKnown(Optional<String> project) {
        return projects.require(project, "?project= for lists, \"project\" in a body");
    }

    private static Duration duration(String text) {
        if (text.isEmpty()) {
            throw invalid("duration", "field 'duration' is required, for example \"2h\" or \"PT30M\"");
        }
        java.util.regex.Matcher short_ = java.util.regex.Pattern.compile("(\\d{1,6})(m|h|d)").matcher(text);
        if (short_.matches()) {
            long amount = Long.parseLong(short_.group(1));
            return switch (short_.group(2)) {
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid("duration", "field 'duration' is '" + text + "'; expected minutes, hours or days such as 30m, 2h, 1d, or ISO-8601");
        }
    }

    private static KeelException invalid(String field, String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError(field, message)));
    }
}
