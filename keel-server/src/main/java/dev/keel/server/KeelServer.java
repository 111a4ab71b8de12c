package dev.keel.server;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.OidcAuthenticator;
import dev.keel.core.security.Principal;
import dev.keel.core.security.TokenService;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Timer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;

/**
 * Keel's HTTP server: the route table served by Javalin on virtual threads, with authentication, default-deny
 * authorization, audit, problem+json errors, request logs, metrics and graceful shutdown around every route.
 */
public final class KeelServer implements AutoCloseable {
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String CALL = "keel.call";
    private static final String TOKEN_CREATION = "token.create";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeelServer.class);

    private final Keel keel;
    private final Api api = new Api();
    private final RequestLog requestLog;
    private final RateLimits limits;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private Javalin javalin;

    private KeelServer(Keel keel, List<HttpService> services, PrintStream log) {
        this.keel = keel;
        KeelConfig config = keel.config();
        this.requestLog = new RequestLog(log, config.logging().format(), config.logging().requests());
        this.limits = new RateLimits(RateLimits.Settings.read(config.root().section("server").section("rate-limits")), keel.clock());
        List<HttpService> all = new ArrayList<>();
        Readiness readiness = new Readiness(keel, () -> !draining);
        all.add(new SystemRoutes(keel, api, readiness));
        all.add(new AdminRoutes(keel));
        all.add(new ModelRoutes(keel));
        all.add(new dev.keel.server.serving.EndpointRoutes(keel));
        all.add(new dev.keel.server.serving.V2Routes(keel, readiness));
        all.add(new dev.keel.server.monitor.MonitorRoutes(keel));
        all.add(new dev.keel.server.data.PipelineRoutes(keel));
        all.add(new AlertRoutes(keel.alerting(), project -> keel.projects().find(project).isPresent()));
        all.add(new IncidentRoutes(keel.incidents(), project -> keel.projects().find(project).isPresent()));
        all.add(new IncidentPatternRoutes(keel.patterns(), project -> keel.projects().find(project).isPresent()));
        all.add(new PolicyRoutes(keel.policies(), project -> keel.projects().find(project).isPresent()));
        all.add(new TrainingRoutes(keel.training(), keel.registry(), project -> keel.projects().find(project).isPresent()));
        all.add(new ScoringRoutes(keel.scoring(), project -> keel.projects().find(project).isPresent()));
        all.addAll(services);
        for (HttpService service : all) {
            service.routes(api);
        }
    }

    /** Builds the server over wired components and extra route groups, and starts it on the configured port. */
    public static KeelServer start(Keel keel, List<HttpService> services, PrintStream log) {
        KeelServer server = new KeelServer(keel, services, log);
        server.startJavalin();
        return server;
    }

    public Api api() {
        return api;
    }

    public int port() {
        return javalin.port();
    }

    public Keel keel() {
        return keel;
    }

    private void startJavalin() {
        KeelConfig.Server settings = keel.config().server();
        Optional<TlsSettings> tls = TlsSettings.read(keel.config().root().section("server").section("tls"));
        SecurityHeaders headers = new SecurityHeaders(tls.isPresent());
        javalin = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = settings.maxRequestSize();
            config.http.defaultContentType = "application/json";
            config.router.ignoreTrailingSlashes = true;
            config.http.prefer405over404 = true;
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(settings.shutdownGrace().toMillis());
                server.setErrorHandler(new ServerErrorHandler(headers));
            });
            config.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new ServerErrorHandler(headers)));
            config.routes.before(context -> headers.apply(context::header));
            tls.ifPresent(secure -> config.jetty.addConnector((server, http) -> secureConnector(server, http, secure)));
            for (ApiRoute route : matchingOrder(api.routes())) {
                AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(600);
                config.routes.addHttpHandler(HandlerType.findOrCreate(route.method()), route.path(), context -> serve(route, timers, context));
            }
            config.routes.error(404, context -> unmatched(context, ErrorCode.ROUTE_NOT_FOUND,
                    "no route matches " + context.method() + " " + context.path() + "; see /openapi.json"));
            config.routes.error(405, context -> unmatched(context, ErrorCode.METHOD_NOT_ALLOWED,
                    context.method() + " is not allowed on " + context.path()));
            for (int status = 400; status < 600; status++) {
                if (status != 404 && status != 405) {
                    config.routes.error(status, KeelServer::emptyError);
                }
            }
            config.routes.exception(Exception.class, (failure, context) -> {
                String requestId = requestId(context);
                Problems.write(context, Problems.classify(failure, requestId), requestId);
            });
        });
        javalin.start(settings.host(), settings.port());
    }

    /** The HTTPS connector that replaces plain HTTP when {@code server.tls} is set; it listens on the configured host and port. */
    private org.eclipse.jetty.server.ServerConnector secureConnector(org.eclipse.jetty.server.Server server,
            org.eclipse.jetty.server.HttpConfiguration http, TlsSettings tls) {
        org.eclipse.jetty.server.HttpConfiguration https = new org.eclipse.jetty.server.HttpConfiguration(http);
        https.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer());
        org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(server,
                new org.eclipse.jetty.server.SslConnectionFactory(tls.contextFactory(), "http/1.1"),
                new org.eclipse.jetty.server.HttpConnectionFactory(https));
        connector.setHost(keel.config().server().host());
        connector.setPort(keel.config().server().port());
        return connector;
    }

    /**
     * The routes in the order Javalin tries them (the first whose pattern matches serves the call): prediction routes first,
     * since they carry nearly all traffic, then the rest as declared. This changes no match: no prediction route's pattern
     * overlaps another route of its method ({@link #overlap}, checked by the route table's tests).
     */
    static List<ApiRoute> matchingOrder(List<ApiRoute> routes) {
        List<ApiRoute> ordered = new ArrayList<>(routes.stream().filter(KeelServer::servesPredictions).toList());
        routes.stream().filter(route -> !servesPredictions(route)).forEach(ordered::add);
        return ordered;
    }

    static boolean servesPredictions(ApiRoute route) {
        return route.permission().filter(permission -> permission == dev.keel.core.security.Permission.PREDICT).isPresent();
    }

    /** Whether one request path could match both route patterns: same number of segments, and literals agree. */
    static boolean overlap(ApiRoute one, ApiRoute other) {
        if (!one.method().equals(other.method())) {
            return false;
        }
        String[] first = one.path().split("/");
        String[] second = other.path().split("/");
        if (first.length != second.length) {
            return false;
        }
        for (int i = 0; i < first.length; i++) {
            boolean parameter = first[i].startsWith("{") || second[i].startsWith("{");
            if (!parameter && !first[i].equals(second[i])) {
                return false;
            }
        }
        return true;
    }

    private void unmatched(Context context, ErrorCode code, String message) {
        if (context.attribute(CALL) != null) {
            return;
        }
        String requestId = requestId(context);
        Problems.write(context, new KeelException(code, message), requestId);
        requestLog.log(requestId, context.method().name(), context.path(), context.statusCode(), 0, "anonymous");
    }

    /** Gives an error answer that has no body yet (a route that only set a status) Keel's body for its status. */
    private static void emptyError(Context context) {
        if (context.resultInputStream() != null) {
            return;
        }
        int status = context.statusCode();
        String detail = context.path().endsWith("/ready") ? "not ready" : "the request could not be served (HTTP " + status + ")";
        Problems.writeStatus(context, status, detail, requestId(context));
    }

    private static String requestId(Context context) {
        String given = context.header("X-Request-Id");
        String id = given != null && REQUEST_ID.matcher(given).matches() ? given : newRequestId();
        context.header("X-Request-Id", id);
        return id;
    }

    /** A random version-4 UUID drawn from a thread-local generator: request ids need uniqueness, not secrecy. */
    static String newRequestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** The request timer of a route and status, kept per route by status code rather than looked up by a built key. */
    private Timer timer(ApiRoute route, AtomicReferenceArray<Timer> byStatus, int status) {
        int slot = status >= 0 && status < 600 ? status : 0;
        Timer timer = byStatus.get(slot);
        if (timer == null) {
            timer = Timer.builder("keel.http.requests").tag("method", route.method()).tag("route", route.path())
                    .tag("status", Integer.toString(status)).register(keel.metrics());
            byStatus.compareAndSet(slot, null, timer);
        }
        return timer;
    }

    private void serve(ApiRoute route, AtomicReferenceArray<Timer> timers, Context context) {
        long start = System.nanoTime();
        String requestId = requestId(context);
        Call call = new Call(context, requestId, keel.config().server().maxRequestSize());
        context.attribute(CALL, call);
        inFlight.incrementAndGet();
        String outcome = "success";
        Optional<String> detail = Optional.empty();
        boolean attemptRecorded = false;
        try {
            if (draining && !route.isPublic()) {
                throw new KeelException(ErrorCode.UNAVAILABLE, "the server is shutting down; retry on another replica",
                        List.of(), java.util.Map.of("retryAfterSeconds", 1), null);
            }
            if (route.permission().isPresent()) {
                call.principal(authenticate(context));
                limits.caller(call.principal().tokenId(), call.principal().name());
                authorize(route, call);
                if (call.project().isPresent()) {
                    limits.project(call.project().get());
                }
                if (TOKEN_CREATION.equals(route.operationId())) {
                    limits.tokenCreation(call.principal().tokenId(), call.principal().name());
                }
            } else {
                limits.unauthenticated(context.ip());
            }
            if (route.audited()) {
                recordAttempt(route, call);
                attemptRecorded = true;
            }
            route.handler().handle(call);
        } catch (Exception failure) {
            KeelException problem = Problems.classify(failure, requestId);
            outcome = switch (problem.code()) {
                case UNAUTHENTICATED, FORBIDDEN -> "denied";
                default -> "failure";
            };
            detail = Optional.of(problem.getMessage());
            Problems.write(context, problem, requestId);
        } finally {
            int status = context.statusCode();
            if (route.audited()) {
                audit(route, call, outcome, status, detail, attemptRecorded);
            }
            double millis = (System.nanoTime() - start) / 1e6;
            timer(route, timers, status).record((long) (millis * 1e6), TimeUnit.NANOSECONDS);
            requestLog.log(requestId, route.method(), context.path(), status, millis, call.actor());
            inFlight.decrementAndGet();
        }
    }

    /**
     * Authenticates the caller. A caller that failed too often, from its address or with this bearer value, is refused with
     * 429 before its token is looked at; every failure with a credential counts towards that. A call without one is held to
     * the limit for calls without a token.
     */
    private Principal authenticate(Context context) {
        String header = context.header("Authorization");
        if (header == null || header.isBlank()) {
            limits.unauthenticated(context.ip());
            return verify(header);
        }
        String address = context.ip();
        limits.beforeAuthentication(address, header);
        try {
            return verify(header);
        } catch (KeelException refused) {
            if (refused.code() == ErrorCode.UNAUTHENTICATED) {
                limits.failedAuthentication(address, header);
            }
            throw refused;
        }
    }

    private Principal verify(String header) {
        if (header == null || header.isBlank()) {
            throw new KeelException(ErrorCode.UNAUTHENTICATED, "this route needs a token; send 'Authorization: Bearer <token>'");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw new KeelException(ErrorCode.UNAUTHENTICATED, "the Authorization header must be 'Bearer <token>'");
        }
        String token = header.substring(7).trim();
        if (token.length() > OidcAuthenticator.MAX_TOKEN_LENGTH) {
            throw TokenService.refuse("a bearer value of " + token.length() + " characters");
        }
        if (!token.startsWith("keel_") && OidcAuthenticator.isJwtShaped(token) && keel.oidc().isPresent()) {
            return keel.oidc().get().authenticate(token);
        }
        return keel.tokens().authenticate(token);
    }

    private static void authorize(ApiRoute route, Call call) {
        var permission = route.permission().orElseThrow();
        Principal principal = call.principal();
        if (!principal.canSomewhere(permission)) {
            throw new KeelException(ErrorCode.FORBIDDEN, "token '" + principal.name() + "' lacks permission " + permission
                    + " (route " + route.operationId() + ")");
        }
        Optional<String> project = route.project().apply(call);
        if (project.isPresent()) {
            call.project(project.get());
            if (!principal.can(permission, project.get())) {
                throw new KeelException(ErrorCode.FORBIDDEN, "token '" + principal.name() + "' lacks permission " + permission
                        + " in project '" + project.get() + "'");
            }
        }
    }

    /**
     * Writes the {@code attempt} entry of an authorized call before its handler runs. When the audit log cannot be written
     * the call fails closed: it is answered 503 AUDIT_UNAVAILABLE and its handler never runs, so nothing changes unrecorded.
     */
    private void recordAttempt(ApiRoute route, Call call) {
        try {
            keel.audit().append(call.actor(), route.operationId(), call.project(), Optional.of(route.method() + " " + call.context().path()),
                    "attempt", 0, Optional.of(call.requestId()), Optional.empty());
        } catch (RuntimeException e) {
            LOG.error("audit log unavailable: request {} ({}) refused before it ran", call.requestId(), route.operationId(), e);
            throw new KeelException(ErrorCode.AUDIT_UNAVAILABLE, "the audit log cannot be written, so " + route.operationId()
                    + " was not carried out; retry later", List.of(), java.util.Map.of("retryAfterSeconds", 5), e);
        }
    }

    /** Writes the outcome entry of an audited call; it links to the attempt entry by request id. */
    private void audit(ApiRoute route, Call call, String outcome, int status, Optional<String> detail, boolean attemptRecorded) {
        try {
            Optional<String> project = call.project().or(() -> projectOf(route, call));
            keel.audit().append(call.actor(), route.operationId(), project, Optional.of(route.method() + " " + call.context().path()),
                    outcome, status, Optional.of(call.requestId()), detail);
        } catch (RuntimeException e) {
            LOG.error("could not write the outcome audit entry of request {} ({} {}){}", call.requestId(), route.operationId(), status,
                    attemptRecorded ? "; its attempt entry records the call" : "", e);
        }
    }

    /** The project a refused call aimed at, for the audit log; empty when it cannot be told. */
    private static Optional<String> projectOf(ApiRoute route, Call call) {
        try {
            return route.project().apply(call);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops gracefully: new calls get 503, calls in flight finish (up to the configured grace), then the server and Keel close.
     */
    @Override
    public void close() {
        draining = true;
        Duration grace = keel.config().server().shutdownGrace();
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        javalin.stop();
        keel.close();
    }
}
