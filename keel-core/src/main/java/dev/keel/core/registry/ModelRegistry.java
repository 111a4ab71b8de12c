package dev.keel.core.registry;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.ProjectService;
import dev.keel.core.security.SigningSettings;
import dev.keel.core.store.Database;
import dev.keel.spi.ArtifactIntegrityException;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.ArtifactStore;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.TensorSpec;
import dev.keel.spi.event.AliasMoved;
import dev.keel.spi.event.ArtifactRejected;
import dev.keel.spi.event.EventSink;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The model registry: registered models with immutable versions, aliases whose moves are promotions guarded by a gate,
 * rollback to an alias's previous holder, and the alias history kept forever.
 */
public final class ModelRegistry {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelRegistry.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    private final RegistryRepository repository;
    private final ArtifactStore artifacts;
    private final ModelRuntimes runtimes;
    private final ProjectService projects;
    private final Clock clock;
    private static final java.time.Duration PROMOTION_CHECK_LIMIT = java.time.Duration.ofSeconds(30);

    private final PromotionCheck check;
    private final VersionSigning signing;
    private final EventSink events;
    private volatile java.util.function.Function<ModelVersion, Optional<Map<String, Double>>> verifiedMetrics = version -> Optional.empty();

    /** A registry that trusts no signing key: signatures can be neither attached nor required. */
    public ModelRegistry(Database database, ArtifactStore artifacts, ModelRuntimes runtimes, ProjectService projects, Clock clock,
                         EventSink events) {
        this(database, artifacts, runtimes, projects, clock, events, SigningSettings.none());
    }

    /**
     * @param events where committed alias moves are published ({@link AliasMoved}), on the promoting thread
     * @param signing the keys trusted to sign versions and the aliases that require a signature ({@code security.signing})
     */
    public ModelRegistry(Database database, ArtifactStore artifacts, ModelRuntimes runtimes, ProjectService projects, Clock clock,
                         EventSink events, SigningSettings signing) {
        this.repository = new RegistryRepository(Objects.requireNonNull(database, "database"));
        this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
        this.runtimes = Objects.requireNonNull(runtimes, "runtimes");
        this.projects = Objects.requireNonNull(projects, "projects");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.check = new PromotionCheck(runtimes, PROMOTION_CHECK_LIMIT);
        this.events = Objects.requireNonNull(events, "events");
        this.signing = new VersionSigning(database, Objects.requireNonNull(signing, "signing"));
    }

    /** A signature as attached: the stored one, and whether this call added it (false: the key had signed the version already). */
    public record SignatureAttached(VersionSignature signature, boolean added) {
    }

    /** Publishes a committed promotion or rollback. */
    private void published(AliasEvent event) {
        events.accept(new AliasMoved(event.model(), event.alias(), event.fromVersion().map(OptionalInt::of).orElse(OptionalInt.empty()),
                event.toVersion().orElseThrow(), event.action() == AliasAction.ROLLBACK, event.reason(), event.actor(), event.at()));
    }

    /**
     * Where the gate finds the metrics Keel measured itself for a version (its evaluation after retraining); the gate of a
     * guarded alias checks those instead of the uploader's claimed metrics whenever they exist.
     */
    public void verifiedMetrics(java.util.function.Function<ModelVersion, Optional<Map<String, Double>>> lookup) {
        this.verifiedMetrics = Objects.requireNonNull(lookup, "lookup");
    }

    public RegisteredModel createModel(String project, String name, String description, PromotionGate gate, String actor) {
        KeelException.requireArgument(name != null && NAME.matcher(name).matches(),
                "model name must be 1-63 lower-case letters, digits, '_' or '-', starting with a letter; got '%s'", name);
        projects.require(project);
        try {
            repository.insertModel(name, project, Objects.requireNonNullElse(description, ""), gate, clock.instant(), actor);
        } catch (KeelException e) {
            if (e.code() == ErrorCode.ALREADY_EXISTS) {
                throw new KeelException(ErrorCode.ALREADY_EXISTS, "model '" + name + "' exists already");
            }
            throw e;
        }
        return requireModel(name);
    }

    /**
     * Deletes a model that has no versions yet (a registration whose first upload was refused); versions are kept forever,
     * so a model with any is never deleted.
     *
     * @throws KeelException NOT_FOUND for an unknown model; CONFLICT when it has versions or monitors
     */
    public void deleteEmptyModel(String name) {
        RegisteredModel model = requireModel(name);
        if (!repository.deleteEmptyModel(name)) {
            throw new KeelException(ErrorCode.CONFLICT, "model '" + name + "' has versions or monitors"
                    + model.latestVersion().map(latest -> " (latest version " + latest + ")").orElse("")
                    + "; versions are kept forever, so only a model without any can be deleted");
        }
    }

    public RegisteredModel updateGate(String name, PromotionGate gate) {
        requireModel(name);
        repository.updateGate(name, gate);
        return requireModel(name);
    }

    /**
     * Replaces the model's own signature requirement (every key it names must be trusted).
     *
     * @throws KeelException INVALID_REQUEST naming an untrusted key, or a requirement while no key is trusted
     */
    public RegisteredModel updateSigning(String name, SigningPolicy policy) {
        requireModel(name);
        signing.checkPolicy(policy);
        repository.updateSigning(name, policy);
        return requireModel(name);
    }

    public Optional<RegisteredModel> findModel(String name) {
        return repository.findModel(name);
    }

    /** The model, or a 404 naming it. */
    public RegisteredModel requireModel(String name) {
        return repository.findModel(name).orElseThrow(() -> KeelException.notFound("model '" + name + "' does not exist"));
    }

    public List<RegisteredModel> listModels() {
        return repository.listModels();
    }

    /**
     * Registers a new immutable version: reads the artifact's signature with the runtime of its format, checks the feature
     * schema against it, stores the artifact by hash and records the version.
     */
    public ModelVersion registerVersion(String model, byte[] artifact, NewVersion request, String actor) {
        return registerVersion(model, artifact, request, actor, (connection, created) -> { });
    }

    /**
     * Registers a version with signatures made ahead over its payload (for the version number it will get, the latest plus
     * one); the version exists only when every signature verifies.
     *
     * @throws KeelException INVALID_REQUEST naming {@code signatures[i]} when one does not verify (no version is added)
     */
    public ModelVersion registerVersion(String model, byte[] artifact, NewVersion request, List<NewSignature> signatures, String actor) {
        Instant now = clock.instant();
        return registerVersion(model, artifact, request, actor, (connection, created) -> {
            try {
                for (int i = 0; i < signatures.size(); i++) {
                    signing.attach(connection, created, signatures.get(i), "signatures[" + i + "]", actor, now);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot store the signatures of " + created.label(), e);
            }
        });
    }

    /**
     * Attaches a signature to a version after the fact; the version itself never changes.
     *
     * @throws KeelException INVALID_REQUEST naming {@code keyId} or {@code signature} when the key is not trusted, the signature is
     *     not base64 or it does not verify over the version's payload
     */
    public SignatureAttached attachSignature(String model, int version, NewSignature signature, String actor) {
        ModelVersion target = requireVersion(model, version);
        Instant now = clock.instant();
        return repository.database().inTransaction(connection -> signing.attach(connection, target, signature, "", actor, now));
    }

    /** The version's signatures, each checked against the keys trusted now. */
    public List<SignatureCheck> signatures(ModelVersion version) {
        return signing.check(version);
    }

    /**
     * The keys one of which must have signed the version before it is loaded: its model's policy, and the server's guarded
     * aliases among those that hold it; empty when none applies.
     */
    public Optional<List<String>> signatureRequirement(ModelVersion version) {
        RegisteredModel model = requireModel(version.model());
        return signing.requirement(model, holdingAliases(model, version));
    }

    private static List<String> holdingAliases(RegisteredModel model, ModelVersion version) {
        return model.aliases().entrySet().stream().filter(entry -> entry.getValue() == version.version()).map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * Registers a version as {@link #registerVersion(String, byte[], NewVersion, String)} does and runs {@code alongside} in the
     * same transaction, so that what it writes (Keel's own evaluation of the version) exists exactly when the version does.
     */
    public ModelVersion registerVersion(String model, byte[] artifact, NewVersion request, String actor,
                                        java.util.function.BiConsumer<java.sql.Connection, ModelVersion> alongside) {
        RegisteredModel registered = requireModel(model);
        KeelException.requireArgument(artifact.length > 0, "the model artifact is empty");
        ModelSignature signature;
        try {
            signature = runtimes.require(request.format()).inspect(artifact);
        } catch (ModelException e) {
            throw new KeelException(ErrorCode.INVALID_MODEL, "the uploaded artifact is not a readable " + request.format() + " model: "
                    + e.getMessage(), e);
        }
        checkFeatures(signature, request.features());
        for (var metric : request.metrics().entrySet()) {
            KeelException.requireArgument(Double.isFinite(metric.getValue()), "metric '%s' must be a finite number, got %s",
                    metric.getKey(), metric.getValue());
        }
        ArtifactRef stored = artifacts.put(new ByteArrayInputStream(artifact));
        Instant now = clock.instant();
        return repository.database().inTransaction(connection -> {
            repository.lockModel(connection, model);
            int version = repository.nextVersion(connection, model);
            ModelVersion created = new ModelVersion(model, version, registered.project(), request.format(), stored, signature,
                    request.features(), request.metrics(), request.tags(), request.lineage(), request.description(), now, actor);
            repository.insertVersion(connection, created);
            alongside.accept(connection, created);
            return created;
        });
    }

    private static void checkFeatures(ModelSignature signature, List<FeatureSpec> features) {
        if (features.isEmpty()) {
            return;
        }
        List<String> names = features.stream().map(FeatureSpec::name).toList();
        KeelException.requireArgument(names.stream().distinct().count() == names.size(), "feature names must be unique, got %s", names);
        if (signature.inputs().size() == 1 && signature.inputs().getFirst().rank() == 2) {
            TensorSpec input = signature.inputs().getFirst();
            long width = input.shape().get(1);
            if (width > 0 && width != features.size()) {
                throw new KeelException(ErrorCode.INVALID_MODEL, "the feature schema lists " + features.size() + " features but input '"
                        + input.name() + "' takes " + width + " columns");
            }
            return;
        }
        List<String> inputs = signature.inputs().stream().map(TensorSpec::name).toList();
        List<String> unknown = names.stream().filter(name -> !inputs.contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_MODEL, "features " + unknown + " are not inputs of the model; its inputs are " + inputs);
        }
    }

    public List<ModelVersion> listVersions(String model) {
        requireModel(model);
        return repository.listVersions(model);
    }

    /** The version, or a 404 that names the latest one. */
    public ModelVersion requireVersion(String model, int version) {
        RegisteredModel registered = requireModel(model);
        return repository.findVersion(model, version).orElseThrow(() -> KeelException.notFound("model '" + model + "' has no version "
                + version + registered.latestVersion().map(latest -> "; latest is " + latest).orElse("; it has no versions yet")));
    }

    /** Resolves {@code 3}, {@code latest} or an alias such as {@code champion} to a version. */
    public ModelVersion resolve(String model, String reference) {
        RegisteredModel registered = requireModel(model);
        if (reference.matches("\\d{1,9}")) {
            return requireVersion(model, Integer.parseInt(reference));
        }
        if (reference.equals("latest")) {
            int latest = registered.latestVersion().orElseThrow(() -> KeelException.notFound("model '" + model + "' has no versions yet"));
            return requireVersion(model, latest);
        }
        Integer version = registered.aliases().get(reference);
        if (version == null) {
            throw KeelException.notFound("model '" + model + "' has no alias '" + reference + "'; its aliases are " + registered.aliases().keySet());
        }
        return requireVersion(model, version);
    }

    /** The artifact bytes of a version, verified against their hash. */
    public byte[] artifact(ModelVersion version) {
        try {
            return artifacts.read(version.artifact().sha256()).orElseThrow(() -> new KeelException(ErrorCode.INTEGRITY_FAILURE,
                    "the artifact of " + version.label() + " (" + version.artifact().sha256() + ") is missing from the artifact store"));
        } catch (ArtifactIntegrityException e) {
            events.accept(new ArtifactRejected(version.artifact().sha256(), version.label(), String.valueOf(e.getMessage()), clock.instant()));
            throw new KeelException(ErrorCode.INTEGRITY_FAILURE, "the artifact of " + version.label() + " failed its integrity check: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The artifact bytes of a version that is about to serve: verified against their hash and, when the model or an alias that
     * holds the version requires a signature, checked for a valid signature by a required key over the version's payload and
     * for bytes whose SHA-256 is the hash that payload names. A failure is published as {@link ArtifactRejected} (and so
     * becomes an incident) and refuses the load.
     *
     * @throws KeelException CONFLICT naming the signature that is missing or does not verify; INTEGRITY_FAILURE when the bytes
     *     are not the artifact the payload names
     */
    public byte[] servableArtifact(ModelVersion version) {
        return servableArtifact(version, "");
    }

    /**
     * The artifact bytes of a version about to serve on behalf of the alias {@code servedFor} as well as of the aliases that
     * hold it (an endpoint of {@code production} serving a canary or its previous-version fallback); {@code ""} for none.
     *
     * @throws KeelException CONFLICT or INTEGRITY_FAILURE, as {@link #servableArtifact(ModelVersion)}
     */
    public byte[] servableArtifact(ModelVersion version, String servedFor) {
        byte[] bytes = artifact(version);
        checkSigned(version, servedFor, Optional.of(bytes));
        return bytes;
    }

    /**
     * Checks, without reading the artifact, that a version already loaded may serve on behalf of {@code servedFor}: when the
     * model or that alias or an alias holding the version requires a signature, a required key's signature verifies.
     *
     * @throws KeelException CONFLICT naming the signature that is missing or does not verify
     */
    public void requireSigned(ModelVersion version, String servedFor) {
        checkSigned(version, servedFor, Optional.empty());
    }

    private void checkSigned(ModelVersion version, String servedFor, Optional<byte[]> bytes) {
        RegisteredModel model = requireModel(version.model());
        List<String> aliases = new ArrayList<>(holdingAliases(model, version));
        if (!servedFor.isEmpty() && !aliases.contains(servedFor)) {
            aliases.add(servedFor);
        }
        Optional<List<String>> keys = signing.requirement(model, aliases);
        if (keys.isEmpty()) {
            return;
        }
        Optional<String> unsigned = signing.problem(version, keys.get(), because(model, aliases));
        if (unsigned.isPresent()) {
            throw rejected(version, ErrorCode.CONFLICT, unsigned.get());
        }
        Optional<String> swapped = bytes.flatMap(read -> VersionSigning.hashProblem(version, read));
        if (swapped.isPresent()) {
            throw rejected(version, ErrorCode.INTEGRITY_FAILURE, swapped.get());
        }
    }

    /** Logs and publishes a refused load (an {@code artifact.integrity_failed} incident) and returns the refusal. */
    private KeelException rejected(ModelVersion version, ErrorCode code, String problem) {
        String message = version.label() + " is not loaded: " + problem;
        LOG.warn(message);
        events.accept(new ArtifactRejected(version.artifact().sha256(), version.label(), message, clock.instant()));
        return new KeelException(code, message);
    }

    private String because(RegisteredModel model, List<String> aliases) {
        List<String> guarded = aliases.stream().filter(signing.settings()::guards).toList();
        List<String> reasons = new ArrayList<>();
        if (model.signing().required()) {
            reasons.add("model '" + model.name() + "' requires signatures");
        }
        if (!guarded.isEmpty()) {
            reasons.add("security.signing.require-for-aliases guards " + (guarded.size() == 1 ? "alias '" + guarded.getFirst() + "'"
                    : "aliases " + guarded));
        }
        return String.join(" and ", reasons);
    }

    /**
     * Points an alias at a version: a promotion. The model's gate must pass for guarded aliases, and the version must load
     * and score a smoke row built from its signature and feature schema; a refusal is kept in the alias history (action
     * {@code refused}, with the reason) and fails with {@code CONFLICT}. Moving an alias to the version it holds already
     * changes nothing.
     */
    public AliasEvent promote(String model, String alias, int version, String reason, String actor) {
        KeelException.requireArgument(alias != null && ALIAS.matcher(alias).matches() && !alias.equals("latest"),
                "alias must be 1-63 lower-case letters, digits, '_' or '-' and not 'latest'; got '%s'", alias);
        RegisteredModel registered = requireModel(model);
        ModelVersion target = requireVersion(model, version);
        if (registered.gate().guards(alias)) {
            registered.gate().check(model, version, verifiedMetrics.apply(target).orElse(target.metrics()));
        }
        if (!Integer.valueOf(version).equals(registered.aliases().get(alias))) {
            List<String> holders = new ArrayList<>(holdingAliases(registered, target));
            holders.add(alias);
            Optional<List<String>> keys = signing.requirement(registered, holders);
            if (keys.isPresent()) {
                Optional<String> unsigned = signing.problem(target, keys.get(), because(registered, holders));
                if (unsigned.isPresent()) {
                    refuse(target, alias, unsigned.get(), actor);
                }
            }
            Optional<String> problem = check.problem(target, this::artifact);
            if (problem.isPresent()) {
                refuse(target, alias, problem.get(), actor);
            }
        }
        Instant now = clock.instant();
        AliasEvent event = repository.database().inTransaction(connection -> {
            repository.lockModel(connection, model);
            Optional<Integer> current = repository.aliasVersion(connection, model, alias);
            if (current.isPresent() && current.get() == version) {
                return null;
            }
            repository.setAlias(connection, model, alias, version, now);
            return repository.appendHistory(connection, model, alias, AliasAction.PROMOTE, current, Optional.of(version),
                    Objects.requireNonNullElse(reason, ""), actor, now);
        });
        if (event == null) {
            return new AliasEvent(model, 0, alias, AliasAction.UNCHANGED, Optional.of(version), Optional.of(version),
                    "alias already points here", actor, now);
        }
        published(event);
        return event;
    }

    private void refuse(ModelVersion target, String alias, String problem, String actor) {
        String model = target.model();
        String reason = target.label() + " cannot become '" + alias + "': " + problem;
        Instant now = clock.instant();
        repository.database().inTransaction(connection -> {
            repository.lockModel(connection, model);
            Optional<Integer> current = repository.aliasVersion(connection, model, alias);
            return repository.appendHistory(connection, model, alias, AliasAction.REFUSED, current, Optional.of(target.version()), reason,
                    actor, now);
        });
        throw new KeelException(ErrorCode.CONFLICT, reason + "; the alias did not move");
    }

    /**
     * Moves an alias back to the version it pointed at before its current holder. Replays the history so that repeated
     * rollbacks walk further back rather than toggling. A reason is required.
     */
    public AliasEvent rollback(String model, String alias, String reason, String actor) {
        KeelException.requireArgument(reason != null && !reason.isBlank(), "a rollback needs a reason");
        requireModel(model);
        Instant now = clock.instant();
        AliasEvent event = repository.database().inTransaction(connection -> {
            repository.lockModel(connection, model);
            AliasHolders holders = AliasHolders.replay(repository.history(connection, model, Optional.of(alias)));
            Optional<Integer> current = repository.aliasVersion(connection, model, alias);
            if (current.isEmpty()) {
                throw KeelException.notFound("model '" + model + "' has no alias '" + alias + "'");
            }
            int previous = holders.previous().orElseThrow(() -> new KeelException(ErrorCode.CONFLICT, "alias '" + alias + "' of model '"
                    + model + "' has no previous holder to roll back to"));
            repository.setAlias(connection, model, alias, previous, now);
            return repository.appendHistory(connection, model, alias, AliasAction.ROLLBACK, current, Optional.of(previous), reason, actor, now);
        });
        published(event);
        return event;
    }

    /** The holders of an alias, replayed from its history as {@link #rollback} replays them. */
    public AliasHolders holders(String model, String alias) {
        return AliasHolders.replay(history(model, Optional.of(alias)));
    }

    /** Every move of the model's aliases (or of one alias), oldest first. */
    public List<AliasEvent> history(String model, Optional<String> alias) {
        requireModel(model);
        return repository.database().withConnection(connection -> new ArrayList<>(repository.history(connection, model, alias)));
    }
}
