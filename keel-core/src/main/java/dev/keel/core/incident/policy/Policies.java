package dev.keel.core.incident.policy;

import dev.keel.core.data.SpecError;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Incidents;
import dev.keel.core.incident.Observation;
import dev.keel.core.incident.StoredSignal;
import dev.keel.core.store.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Remediation policies as the server, the CLI and the tests use them: apply, list, show and delete specs, dry-run them over
 * stored signals, and the engine that runs them on incident changes (registered with the incidents as a listener, and as a
 * fingerprinter for policies that group their signals by their own fields).
 */
public final class Policies implements AutoCloseable {
    /** The most policies one project may hold. */
    public static final int MAX_PER_PROJECT = 200;
    /** The most days a dry run replays. */
    public static final int MAX_DRY_RUN_DAYS = 90;
    /** The most stored signal rows a dry run replays. */
    public static final int MAX_DRY_RUN_SIGNALS = 50_000;
    /** How often a server reads the policies again, for those applied through another server. */
    public static final Duration RELOAD_EVERY = Duration.ofSeconds(30);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Policies.class);

    private final PolicyStore store;
    private final Incidents incidents;
    private final Predicate<String> knownProject;
    private final PolicySpecParser parser = new PolicySpecParser();
    private final PolicyEngine engine;
    private final ScheduledExecutorService retryExecutor;
    private volatile Map<String, List<Policy>> byProject = Map.of();

    /**
     * Wires policies over a store and registers the engine with the incidents.
     *
     * @param knownProject whether a project exists; a spec must name one that does
     * @param retries where retry attempts wait; the server's is a scheduled executor
     * @param random draws the jitter of retry waits
     */
    public Policies(PolicyStore store, Incidents incidents, RemedyServices services, Predicate<String> knownProject,
                    PolicyEngine.RetryScheduler retries, RandomGenerator random) {
        this(store, incidents, services, knownProject, retries, random, null);
    }

    private Policies(PolicyStore store, Incidents incidents, RemedyServices services, Predicate<String> knownProject,
                     PolicyEngine.RetryScheduler retries, RandomGenerator random, ScheduledExecutorService retryExecutor) {
        this.store = Objects.requireNonNull(store, "store");
        this.incidents = Objects.requireNonNull(incidents, "incidents");
        this.knownProject = Objects.requireNonNull(knownProject, "knownProject");
        this.retryExecutor = retryExecutor;
        this.engine = new PolicyEngine(store, incidents, services, this::policies, retries, random);
        reload();
        incidents.addFingerprinter(signal -> {
            for (Policy policy : policies(signal.project())) {
                Optional<String> chosen = Matching.fingerprint(policy.spec(), signal);
                if (chosen.isPresent()) {
                    return chosen;
                }
            }
            return Optional.empty();
        });
        incidents.addListener(engine);
    }

    /**
     * Policies over the metadata store, with retries waiting on a scheduled thread of their own, which also reads the policies
     * again every {@link #RELOAD_EVERY} so that specs applied through another server are acted on.
     */
    public static Policies open(Database database, Incidents incidents, RemedyServices services, Predicate<String> knownProject) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("keel-policy-retries")
                .daemon(true).factory());
        Policies policies = new Policies(new PolicyStore(database), incidents, services, knownProject,
                (delay, task) -> executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS), RandomGenerator.of("L64X128MixRandom"), executor);
        executor.scheduleWithFixedDelay(policies::reloadQuietly, RELOAD_EVERY.toMillis(), RELOAD_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return policies;
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.warn("policies could not be read again; acting on the ones read before: {}", e.getMessage());
        }
    }

    public PolicyEngine engine() {
        return engine;
    }

    public PolicyStore store() {
        return store;
    }

    /** The policies of a project, as the engine sees them. */
    List<Policy> policies(String project) {
        return byProject.getOrDefault(project, List.of());
    }

    private synchronized void reload() {
        Map<String, List<Policy>> loaded = new HashMap<>();
        for (Policy policy : store.list("")) {
            loaded.computeIfAbsent(policy.project(), ignored -> new ArrayList<>()).add(policy);
        }
        loaded.replaceAll((project, list) -> List.copyOf(list));
        byProject = Map.copyOf(loaded);
    }

    /** What applying a spec did. */
    public record Applied(Policy policy, boolean created, boolean changed) {
    }

    /**
     * Checks a spec and stores it as its policy's next version, or keeps the policy as it is when the text is unchanged.
     * Names are unique across projects, and a policy stays in the project it was created in.
     *
     * @throws KeelException INVALID_SPEC naming every error's path; CONFLICT when the name is another project's policy or the
     *     project holds {@link #MAX_PER_PROJECT} policies
     */
    public synchronized Applied apply(String text, String actor) {
        PolicySpec spec = check(text);
        Optional<Policy> current = store.find(spec.name());
        if (current.isPresent() && !current.get().project().equals(spec.project())) {
            throw new KeelException(ErrorCode.CONFLICT, "policy '" + spec.name() + "' belongs to project '" + current.get().project()
                    + "'; policy names are unique across projects (field 'project' is '" + spec.project() + "')",
                    List.of(new KeelException.FieldError("project", "expected '" + current.get().project() + "'")));
        }
        if (current.isPresent() && current.get().specText().equals(text)) {
            return new Applied(current.get(), false, false);
        }
        if (current.isEmpty() && store.count(spec.project()) >= MAX_PER_PROJECT) {
            throw KeelException.conflict("project '" + spec.project() + "' holds " + MAX_PER_PROJECT + " policies, the most it may; delete one first");
        }
        Instant now = incidents.clock().instant();
        Policy policy = new Policy(spec.name(), spec.project(), text, spec, current.map(Policy::version).orElse(0) + 1,
                current.map(Policy::createdAt).orElse(now), current.map(Policy::createdBy).orElse(actor), now, actor);
        store.save(policy);
        reload();
        return new Applied(policy, current.isEmpty(), true);
    }

    /** Parses and checks a spec, its project included. */
    public PolicySpec check(String text) {
        var result = parser.parse(text);
        if (!result.valid()) {
            throw PolicySpecParser.invalid(result.errors());
        }
        PolicySpec spec = result.spec().orElseThrow();
        if (!knownProject.test(spec.project())) {
            throw PolicySpecParser.invalid(List.of(new SpecError("project", "project '" + spec.project()
                    + "' does not exist; create it first or leave the key out for project 'default'")));
        }
        return spec;
    }

    /**
     * The project a spec's policy belongs to, for the permission check: the stored policy's when one has the spec's name (a new
     * version cannot move it), otherwise the project the spec names ({@code default} when none); empty for text that is no spec.
     */
    public Optional<String> projectOfSpec(String text) {
        return parser.identity(text).map(identity -> store.find(identity.name()).map(Policy::project).orElse(identity.project()));
    }

    public List<Policy> list(String project) {
        return store.list(project);
    }

    public Optional<Policy> find(String name) {
        return store.find(name);
    }

    /** The policy, or 404. */
    public Policy get(String name) {
        return store.find(name).orElseThrow(() -> KeelException.notFound("there is no policy '" + name + "'"));
    }

    /** The project of a policy, for the permission check of routes that name it. */
    public Optional<String> projectOf(String name) {
        return store.find(name).map(Policy::project);
    }

    /** Deletes a policy; the actions it took stay recorded. */
    public synchronized void delete(String name) {
        if (!store.delete(name)) {
            throw KeelException.notFound("there is no policy '" + name + "'");
        }
        reload();
    }

    /** The policy's most recent actions, newest first. */
    public List<ActionRecord> actions(String name, int limit) {
        get(name);
        return store.actions(name, limit);
    }

    /**
     * Replays the project's stored signals of the last {@code days} days through a policy with the engine's matching, window,
     * idempotency, cool-down and cap, and answers what it would have done; does nothing. Grouping follows the stored incidents,
     * or the policy's own fingerprint fields; without {@code within} the window is every replayed occurrence of the group.
     */
    public DryRun dryRun(PolicySpec spec, int days) {
        KeelException.requireArgument(days >= 1 && days <= MAX_DRY_RUN_DAYS, "days must be between 1 and %d, got %d", MAX_DRY_RUN_DAYS, days);
        Instant until = incidents.clock().instant();
        Instant since = until.minus(Duration.ofDays(days));
        List<StoredSignal> rows = incidents.store().signals(spec.project(), since, until.plusMillis(1), MAX_DRY_RUN_SIGNALS + 1);
        boolean truncated = rows.size() > MAX_DRY_RUN_SIGNALS;
        if (truncated) {
            rows = rows.subList(0, MAX_DRY_RUN_SIGNALS);
        }
        MemoryLedger ledger = new MemoryLedger();
        Map<String, List<Observation>> groups = new HashMap<>();
        Set<String> skipsShown = new HashSet<>();
        List<DryRun.Planned> planned = new ArrayList<>();
        for (StoredSignal row : rows) {
            Observation observation = row.observation();
            Optional<String> own = Matching.fingerprint(spec, observation.signal());
            String fingerprint = own.orElse(observation.fingerprint());
            if (!Matching.matches(spec.when(), observation.signal()) || !spec.when().fingerprint().map(fingerprint::equals).orElse(true)) {
                continue;
            }
            String group = own.map(value -> "group:" + value).orElse(row.incidentId());
            List<Observation> seen = groups.computeIfAbsent(group, ignored -> new ArrayList<>());
            seen.add(observation);
            Instant at = observation.lastAt();
            Instant start = Matching.windowStart(spec.when(), at, seen.getFirst().firstAt());
            long count = seen.stream().filter(earlier -> !earlier.lastAt().isBefore(start)).mapToLong(Observation::count).sum();
            if (count < spec.when().count()) {
                continue;
            }
            for (PolicyAction action : spec.actions()) {
                Optional<String> target = Matching.target(action, observation.signal(), group);
                String reason;
                String name = target.orElse("(none)");
                if (target.isEmpty()) {
                    reason = "no target: the signals name no " + Matching.role(action) + " to " + action.name();
                } else {
                    String key = ActionRecord.key(group, action.name(), target.get());
                    Optional<String> held = Matching.holdBack(spec, action.name(), target.get(), key, at, ledger);
                    if (held.isEmpty()) {
                        ledger.record(key, spec.name(), action.name(), target.get(), at);
                        planned.add(new DryRun.Planned(at, group, action.name(), target.get(), "would_run", count + " occurrences in the window",
                                count));
                        continue;
                    }
                    reason = held.get();
                }
                if (skipsShown.add(group + "\u0000" + action.name() + "\u0000" + name + "\u0000" + Matching.category(reason))) {
                    planned.add(new DryRun.Planned(at, group, action.name(), name, "skipped", reason, count));
                }
            }
        }
        return new DryRun(spec.name(), spec.project(), since, until, rows.size(), truncated, planned);
    }

    /** A dry run's record of the actions it would have taken. */
    private static final class MemoryLedger implements Ledger {
        private record Taken(String key, String policy, String action, String target, Instant at) {
        }

        private final List<Taken> taken = new ArrayList<>();

        void record(String key, String policy, String action, String target, Instant at) {
            taken.add(new Taken(key, policy, action, target, at));
        }

        @Override
        public Optional<ActionRecord> attempted(String key) {
            return taken.stream().filter(done -> done.key().equals(key)).findFirst().map(done -> new ActionRecord("dry-run", done.policy(), "",
                    "", done.action(), done.target(), done.at(), ActionRecord.Outcome.SUCCEEDED, ""));
        }

        @Override
        public Optional<Instant> lastAttempt(String policy, String action, String target) {
            return taken.stream().filter(done -> done.action().equals(action) && done.target().equals(target)).map(Taken::at)
                    .max(Instant::compareTo);
        }

        @Override
        public int attemptsSince(String policy, Instant since) {
            return (int) taken.stream().filter(done -> !done.at().isBefore(since)).count();
        }
    }

    @Override
    public void close() {
        if (retryExecutor != null) {
            retryExecutor.shutdownNow();
        }
        engine.close();
    }
}
